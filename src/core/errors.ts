/**
 * Errors are values with a place and a hint; the CLI turns them into messages and exit codes in one place (cli/main.ts).
 * `kind` decides the exit code: usage, config and compile errors exit 2; a failed node exits 1 through the run results instead.
 */
export type ErrorKind = 'usage' | 'config' | 'compile' | 'connection' | 'runtime';

export interface ErrorLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface TsdbtErrorOptions {
  location?: ErrorLocation;
  hint?: string;
  /** Source text of `location.file`, for a code frame under the message. */
  source?: string;
  cause?: unknown;
}

export class TsdbtError extends Error {
  readonly kind: ErrorKind;
  readonly location?: ErrorLocation;
  readonly hint?: string;
  readonly source?: string;

  constructor(kind: ErrorKind, message: string, options: TsdbtErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'TsdbtError';
    this.kind = kind;
    this.location = options.location;
    this.hint = options.hint;
    this.source = options.source;
  }

  /** `file:line:column` or as much of it as is known. */
  get where(): string | undefined {
    return this.location && describeLocation(this.location);
  }
}

/** `file:line:column`, or as much of it as is known. */
export function describeLocation(loc: ErrorLocation): string {
  return [loc.file, loc.line, loc.line !== undefined ? loc.column : undefined].filter((p) => p !== undefined).join(':');
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof TsdbtError) return error.kind === 'runtime' ? 1 : 2;
  return 2;
}

/** The few closest candidates to `name` by edit distance, for "did you mean" hints. */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<[number, string]> = [];
  const limit = Math.max(2, Math.floor(name.length / 2));
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit || candidate.includes(name) || name.includes(candidate)) scored.push([distance, candidate]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, max)
    .map(([, candidate]) => candidate);
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const close = closestNames(name, candidates);
  return close.length > 0 ? `did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A code frame: the lines around `line` with a caret under `column` (both 1-based). */
export function codeFrame(source: string, line: number, column = 1, context = 2): string {
  const lines = source.split(/\r?\n/);
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    out.push(`${marker} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/** A node's failure as one message: ours with its hint, the database's with its detail, hint and context. */
export function describeNodeFailure(error: unknown): string {
  if (error instanceof TsdbtError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  const database = error as { message?: string; code?: string; detail?: string; hint?: string; where?: string };
  // 57014 is also a statement_timeout, whose message says so: only a cancel request is reported as cancelled.
  if (database.code === '57014' && /user request/.test(database.message ?? '')) return 'cancelled';
  return [database.message ?? String(error), database.detail && `detail: ${database.detail}`, database.hint && `hint: ${database.hint}`, database.where && `where: ${database.where}`]
    .filter(Boolean)
    .join('\n  ');
}

/** Errors that say the connection or the server went away (SQLSTATE class 08, a shutdown, a dropped socket). */
export function isConnectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code))) return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code ?? '')) return true;
  return /Connection terminated|connection (is )?closed|terminating connection|Client has encountered a connection error/i.test(message ?? '');
}

/**
 * Errors worth a retry of the whole node, whose work is transactional and so left nothing behind: a lost connection,
 * a serialization failure, a deadlock.
 */
export function isTransientFailure(error: unknown): boolean {
  const { code } = error as { code?: string };
  return code === '40001' || code === '40P01' || isConnectionLost(error);
}
