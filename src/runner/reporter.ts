import pc from 'picocolors';
import { redact } from '../redact.js';
import { countByStatus, type NodeResult, type NodeStatus, type RunSummary } from './results.js';

/** Where a command's output goes: text for people, JSON lines for machines. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, details?: Record<string, unknown>): void;
  nodeFinished(result: NodeResult, index: number, total: number): void;
  /** How a long load is going; shown as a redrawn line on a terminal, as events in JSON. */
  progress(progress: LoadProgress): void;
  runFinished(summary: RunSummary): void;
}

export interface LoadProgress {
  uniqueId: string;
  files: number;
  records: number;
  bytes: number;
  elapsedSeconds: number;
}

/** Progress is reported at most this often. */
const PROGRESS_INTERVAL_MS = 500;

function throttled(emit: (progress: LoadProgress) => void): (progress: LoadProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    emit(progress);
  };
}

function describeProgress(p: LoadProgress): string {
  const mb = p.bytes / (1 << 20);
  return `${p.uniqueId}: ${p.files} files, ${p.records.toLocaleString('en')} records, ${mb.toFixed(1)} MB, ${(mb / Math.max(p.elapsedSeconds, 0.001)).toFixed(1)} MB/s`;
}

export interface ReporterOptions {
  format: 'text' | 'json';
  quiet: boolean;
  colors: boolean;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Where a terminal's progress line is redrawn; without it, text output shows no progress. */
  progressLine?: (text: string) => void;
}

export function createReporter(options: ReporterOptions): Reporter {
  return options.format === 'json' ? new JsonReporter(options) : new TextReporter(options);
}

class TextReporter implements Reporter {
  private readonly c: ReturnType<typeof pc.createColors>;
  private progressShown = false;
  readonly progress: (progress: LoadProgress) => void;

  constructor(private readonly options: ReporterOptions) {
    this.c = pc.createColors(options.colors);
    const line = options.progressLine;
    this.progress = line
      ? throttled((p) => {
          line(`\r\x1b[2K${describeProgress(p)}`);
          this.progressShown = true;
        })
      : () => undefined;
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.options.progressLine?.('\r\x1b[2K');
    this.progressShown = false;
  }

  info(message: string): void {
    if (!this.options.quiet) this.options.stdout(redact(message));
  }

  warn(message: string): void {
    this.options.stderr(redact(`${this.c.yellow('warning:')} ${message}`));
  }

  error(message: string): void {
    this.options.stderr(redact(`${this.c.red('error:')} ${message}`));
  }

  nodeFinished(result: NodeResult, index: number, total: number): void {
    this.clearProgress();
    const failed = result.status === 'error' || result.status === 'fail';
    if (this.options.quiet && !failed) return;
    const label = this.statusLabel(result.status);
    const what = `${result.kind} ${result.relation ?? result.uniqueId}`;
    const left = `${String(index).padStart(String(total).length)} of ${total} ${label} ${what} `;
    const right = result.status === 'skipped' ? `[SKIP${result.message ? `: ${result.message}` : ''}]` : `[${result.message.split('\n')[0]} in ${result.executionTime.toFixed(2)}s]`;
    const rows = result.rowsAffected !== null && result.status === 'success' ? ` ${result.rowsAffected} rows` : '';
    this.options.stdout(redact(`${left}${'.'.repeat(Math.max(2, 72 - stripAnsi(left).length))} ${right}${rows}`));
    if (failed) this.options.stderr(redact(`  ${result.location ? `${result.location}: ` : ''}${result.message}`));
  }

  runFinished(summary: RunSummary): void {
    const counts = countByStatus(summary.results);
    const parts = (Object.entries(counts) as Array<[NodeStatus, number]>).filter(([, n]) => n > 0).map(([status, n]) => `${status.toUpperCase()}=${n}`);
    const headline = summary.cancelled ? this.c.yellow('Cancelled.') : counts.error + counts.fail > 0 ? this.c.red('Completed with errors.') : this.c.green('Completed successfully.');
    this.options.stdout(`\nFinished ${summary.results.length} node${summary.results.length === 1 ? '' : 's'} in ${summary.elapsedSeconds.toFixed(2)}s. ${headline}`);
    this.options.stdout(`Done. ${parts.join(' ') || 'nothing to do'} TOTAL=${summary.results.length}`);
  }

  private statusLabel(status: NodeStatus): string {
    const labels: Record<NodeStatus, string> = {
      success: this.c.green('OK'),
      pass: this.c.green('PASS'),
      warn: this.c.yellow('WARN'),
      error: this.c.red('ERROR'),
      fail: this.c.red('FAIL'),
      skipped: this.c.yellow('SKIP'),
    };
    return labels[status];
  }
}

class JsonReporter implements Reporter {
  readonly progress = throttled((p: LoadProgress) => this.emit('info', 'load_progress', { ...p }));

  constructor(private readonly options: ReporterOptions) {}

  private emit(level: string, event: string, data: Record<string, unknown>): void {
    this.options.stdout(redact(JSON.stringify({ ts: new Date().toISOString(), level, event, ...data })));
  }

  info(message: string): void {
    if (!this.options.quiet) this.emit('info', 'message', { message });
  }

  warn(message: string): void {
    this.emit('warn', 'message', { message });
  }

  error(message: string, details: Record<string, unknown> = {}): void {
    this.emit('error', 'error', { message, ...details });
  }

  nodeFinished(result: NodeResult, index: number, total: number): void {
    this.emit(result.status === 'error' ? 'error' : 'info', 'node_finished', { index, total, ...result });
  }

  runFinished(summary: RunSummary): void {
    this.emit('info', 'run_finished', { elapsed: summary.elapsedSeconds, cancelled: summary.cancelled, counts: countByStatus(summary.results) });
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
