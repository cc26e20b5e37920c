import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TsdbtError } from '../core/errors.js';
import { redact } from '../redact.js';
import { connectionOf, copyFromStdin, inTransaction, type Adapter, type AdapterCapabilities, type Connection, type DedicatedConnection } from './adapter.js';
import type { SqlDialect } from './dialect.js';

/** One statement sent to the database, as the statement log records it once it has finished. */
export interface StatementEntry {
  /** When it was sent. */
  startedAt: Date;
  /** Its session's number in this process (`c1`, `c2`...). */
  session: number;
  durationMs: number;
  sql: string;
  params?: readonly unknown[];
  /** Rows returned or affected, where the server says. */
  rowCount?: number | null;
  /** What it failed with. */
  error?: unknown;
}

/**
 * An entry as the log file holds it: a comment line with the time, session, duration and outcome, the SQL text as sent,
 * then its parameters on a comment line; a blank line ends it. Secrets are masked (redact.ts), in the SQL as well.
 */
export function formatStatement(entry: StatementEntry): string {
  const lines = [`-- ${entry.startedAt.toISOString()} c${entry.session} ${entry.durationMs.toFixed(1)} ms${outcome(entry)}`, entry.sql.replace(/\s+$/, '')];
  if (entry.params && entry.params.length > 0) lines.push(`-- params: ${entry.params.map((value, index) => `$${index + 1} = ${formatParam(value)}`).join(', ')}`);
  return `${redact(lines.join('\n'))}\n\n`;
}

function outcome(entry: StatementEntry): string {
  if (entry.error !== undefined) {
    const code = (entry.error as { code?: unknown } | null)?.code;
    const message = entry.error instanceof Error ? entry.error.message : String(entry.error);
    return `, failed${typeof code === 'string' ? ` (${code})` : ''}: ${message.split('\n')[0]}`;
  }
  if (entry.rowCount === undefined || entry.rowCount === null) return '';
  return `, ${entry.rowCount} row${entry.rowCount === 1 ? '' : 's'}`;
}

/** A parameter on one line: text and dates as JSON strings (newlines escaped), bytes by their length. */
function formatParam(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}

/** Entries are appended once this much text is waiting, or this long after the first of them (for `tail -f`), and at close. */
const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 1000;

/** The statements of one process, appended to `file` in batches (one synchronous append each: cheap, and never torn). */
export class StatementLog {
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly sessions = new WeakMap<object, number>();
  private sessionsSeen = 0;
  private firstFailure: TsdbtError | undefined;

  /**
   * Fails at once, naming the file, where it cannot be written: before any statement runs. Its folder is not created
   * (Node's recursive mkdir can loop forever on a path under /proc): a missing one is reported.
   */
  constructor(readonly file: string) {
    try {
      appendFileSync(file, '');
    } catch (error) {
      throw writeError(file, error);
    }
  }

  /** The first append that failed (a full disk): the adapter's close reports it, never a statement that succeeded. */
  get failure(): TsdbtError | undefined {
    return this.firstFailure;
  }

  /** A session's number: given at its first statement, the same for every later one. */
  sessionNumber(session: object): number {
    let number = this.sessions.get(session);
    if (number === undefined) this.sessions.set(session, (number = ++this.sessionsSeen));
    return number;
  }

  record(entry: StatementEntry): void {
    this.write(formatStatement(entry));
  }

  /** A comment line of the log's own (which database a process opened). */
  note(text: string): void {
    this.write(`-- ${new Date().toISOString()} ${redact(text)}\n\n`);
  }

  /** Appends what is waiting; a failure is kept in `failure`. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    try {
      appendFileSync(this.file, text);
    } catch (error) {
      this.firstFailure ??= writeError(this.file, error);
    }
  }

  private write(text: string): void {
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    // Unref'd: a process with nothing else to do ends without waiting for it (its close has appended everything).
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }
}

function writeError(file: string, error: unknown): TsdbtError {
  return new TsdbtError('usage', `cannot write the statement log ${file}: ${(error as Error).message}`, {
    hint: 'give --log-sql (or TSDBT_LOG_SQL) a file in an existing folder you can write to',
    cause: error,
  });
}

/**
 * `adapter`, every statement of whose connections (pooled, dedicated, in transactions; catalog reads included, the
 * introspector reading through the logged connection) goes to `log`. Its close appends what is still waiting.
 */
export function loggingAdapter(adapter: Adapter, log: StatementLog): Adapter {
  return new LoggingAdapter(adapter, log);
}

class LoggingAdapter implements Adapter {
  constructor(
    private readonly inner: Adapter,
    private readonly log: StatementLog,
  ) {}

  get type(): string {
    return this.inner.type;
  }
  get dialect(): SqlDialect {
    return this.inner.dialect;
  }
  get capabilities(): AdapterCapabilities {
    return this.inner.capabilities;
  }
  get concurrency(): number {
    return this.inner.concurrency;
  }
  get description(): string {
    return this.inner.description;
  }
  get serverVersion(): number {
    return this.inner.serverVersion;
  }

  async open(): Promise<void> {
    await this.inner.open();
    this.log.note(`tsdbt pid ${process.pid} opened ${this.inner.description}`);
  }

  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.inner.withConnection((connection) => work(loggingConnection(connection, this.log)));
  }

  /** As the drivers do it, on a logged connection: BEGIN, COMMIT and ROLLBACK are statements too. */
  transaction<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => inTransaction(connection, work));
  }

  async connectDedicated(): Promise<DedicatedConnection> {
    const dedicated = await this.inner.connectDedicated();
    return { ...loggingConnection(dedicated, this.log), release: () => dedicated.release() };
  }

  cancelAll(): Promise<void> {
    return this.inner.cancelAll();
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.log.flush();
    }
    if (this.log.failure) throw this.log.failure;
  }
}

/** `connection`, each statement timed and recorded once it ends; COPY as its statement, without the rows sent. */
function loggingConnection(connection: Connection, log: StatementLog): Connection {
  const session = log.sessionNumber(connection.session);
  const timed = async <R>(sql: string, params: readonly unknown[] | undefined, run: () => Promise<R>, rowCount: (result: R) => number | null | undefined): Promise<R> => {
    const startedAt = new Date();
    const start = performance.now();
    try {
      const result = await run();
      log.record({ startedAt, session, durationMs: performance.now() - start, sql, params, rowCount: rowCount(result) });
      return result;
    } catch (error) {
      log.record({ startedAt, session, durationMs: performance.now() - start, sql, params, error });
      throw error;
    }
  };
  const rowsOf = (result: { rowCount: number | null }) => result.rowCount;
  return connectionOf(connection.dialect, connection.session, {
    query: (sql, params) => timed(sql, params, () => connection.query(sql, params), rowsOf),
    queryArrays: (sql, params) => timed(sql, params, () => connection.queryArrays(sql, params), rowsOf),
    queryText: (sql, params) => timed(sql, params, () => connection.queryText(sql, params), rowsOf),
    execute: (sql) => timed(sql, undefined, () => connection.execute(sql), () => undefined),
    copyFrom: (target, options, chunks) => timed(copyFromStdin(target, options), undefined, () => connection.copyFrom(target, options, chunks), (rows) => rows),
  });
}
