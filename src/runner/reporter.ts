import pc from 'picocolors';
import { describeLocation } from '../core/errors.js';
import { describeResourceCounts } from '../parser/resource-counts.js';
import type { LoadProgress, Reporter, ResourceCounts, StartedNode } from '../core/reporter.js';
import { redact } from '../redact.js';
import { countByStatus, type NodeResult, type NodeStatus, type RunSummary } from '../core/results.js';

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

  found(counts: ResourceCounts): void {
    if (!this.options.quiet) this.options.stdout(redact(`${clock()}  ${describeResourceCounts(counts)}`));
  }

  nodeStarted(node: StartedNode, index: number, total: number): void {
    if (this.options.quiet) return;
    this.clearProgress();
    this.options.stdout(redact(this.nodeLine(index, total, this.c.cyan('START'), node, '[RUN]')));
  }

  nodeFinished(result: NodeResult, index: number, total: number): void {
    this.clearProgress();
    // Quiet runs show failures once, in the recap at the end.
    if (this.options.quiet) return;
    const right = result.status === 'skipped' ? `[SKIP${result.message ? `: ${result.message}` : ''}]` : `[${result.message.split('\n')[0]} in ${result.executionTime.toFixed(2)}s]`;
    const rows = result.rowsAffected !== null && result.status === 'success' ? ` ${result.rowsAffected} rows` : '';
    this.options.stdout(redact(`${this.nodeLine(index, total, this.statusLabel(result.status), result, right)}${rows}`));
  }

  /** `20:04:17  1 of 130 START sql table model "analysis"."x" ...... [RUN]`, as dbt prints on a terminal. */
  private nodeLine(index: number, total: number, label: string, node: StartedNode, right: string): string {
    const left = `${clock()}  ${String(index).padStart(String(total).length)} of ${total} ${label} ${node.kind} ${node.relation ?? node.uniqueId} `;
    return `${left}${'.'.repeat(Math.max(2, 82 - stripAnsi(left).length))} ${right}`;
  }

  runFinished(summary: RunSummary): void {
    const { quiet, stdout, stderr } = this.options;
    const counts = countByStatus(summary.results);
    const parts = (Object.entries(counts) as Array<[NodeStatus, number]>).filter(([, n]) => n > 0).map(([status, n]) => `${status.toUpperCase()}=${n}`);
    const recap = summary.results.filter((result) => RECAP_HEADINGS[result.status] !== undefined);
    if (!quiet) stdout(`\n${clock()}  Finished running ${summary.results.length} node${summary.results.length === 1 ? '' : 's'} in ${summary.elapsedSeconds.toFixed(2)}s.`);
    const errors = counts.error + counts.fail;
    const tally = [plural(errors, 'error'), plural(counts.warn, 'warning')].filter(Boolean).join(' and ');
    // A quiet run prints only this block, without the blank line that sets it apart.
    const gap = quiet ? '' : '\n';
    const headline = summary.cancelled
      ? this.c.yellow(`Cancelled${tally ? `, with ${tally}:` : '.'}`)
      : tally
        ? (errors > 0 ? this.c.red : this.c.yellow)(`Completed with ${tally}:`)
        : quiet
          ? undefined
          : this.c.green('Completed successfully.');
    // The recap goes where errors go: a run's output sent to a file still shows on the terminal what went wrong.
    if (headline) (recap.length > 0 ? stderr : stdout)(`${gap}${clock()}  ${headline}`);
    for (const result of recap) stderr(redact(`\n${this.recapEntry(result)}`));
    stdout(`${recap.length > 0 || !quiet ? '\n' : ''}Done. ${parts.join(' ') || 'nothing to do'} TOTAL=${summary.results.length}`);
  }

  /**
   * One failure or warning as dbt's recap shows it: what and in which file; the message at file:line:column, with a
   * code frame where the line is known; the compiled code to open.
   */
  private recapEntry(result: NodeResult): string {
    const heading = RECAP_HEADINGS[result.status]!;
    const file = result.sourceLocation?.file;
    const title = `${heading} in ${result.kind} ${result.relation ?? result.uniqueId}${file ? ` (${file})` : ''}`;
    const lines = [result.status === 'warn' ? this.c.yellow(title) : this.c.red(title)];
    const where = result.sourceLocation ? describeLocation(result.sourceLocation) : result.location;
    // The message as it is: its own lines (a database's hint, a unit test's diff table) carry their own layout.
    lines.push(`  ${where ? `${where}: ` : ''}${result.message}`);
    if (result.codeFrame) lines.push(indent(result.codeFrame));
    if (result.sourceLocation?.inCallOutput) lines.push(indent('(in the text this {{…}} call wrote: see the compiled code)'));
    if (result.location && result.location !== where) lines.push(indent(`compiled code at ${result.location}`));
    return lines.join('\n');
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

  found(counts: ResourceCounts): void {
    if (!this.options.quiet) this.emit('info', 'found_stats', { message: describeResourceCounts(counts), counts: Object.fromEntries(counts.map(({ plural, count }) => [plural, count])) });
  }

  nodeStarted(node: StartedNode, index: number, total: number): void {
    if (!this.options.quiet) this.emit('info', 'node_started', { index, total, uniqueId: node.uniqueId, kind: node.kind, relation: node.relation });
  }

  nodeFinished(result: NodeResult, index: number, total: number): void {
    this.emit(result.status === 'error' ? 'error' : 'info', 'node_finished', { index, total, ...result });
  }

  /** The recap as events (run_result_error, run_result_warning), then the totals. */
  runFinished(summary: RunSummary): void {
    for (const result of summary.results) {
      if (RECAP_HEADINGS[result.status] === undefined) continue;
      const warning = result.status === 'warn';
      this.emit(warning ? 'warn' : 'error', warning ? 'run_result_warning' : 'run_result_error', {
        uniqueId: result.uniqueId,
        status: result.status,
        message: result.message,
        sourceLocation: result.sourceLocation,
        location: result.location,
        failures: result.failures,
      });
    }
    this.emit('info', 'run_finished', { elapsed: summary.elapsedSeconds, cancelled: summary.cancelled, counts: countByStatus(summary.results) });
  }
}

/** The statuses the end-of-run recap lists, with the heading of each. */
const RECAP_HEADINGS: Partial<Record<NodeStatus, string>> = { error: 'Error', fail: 'Failure', warn: 'Warning' };

/** The local time as a terminal's dbt prints it before each line: `20:04:17`. */
function clock(): string {
  const now = new Date();
  return [now.getHours(), now.getMinutes(), now.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function plural(count: number, noun: string): string | undefined {
  return count === 0 ? undefined : `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
