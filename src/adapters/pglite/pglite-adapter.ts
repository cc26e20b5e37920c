import type { PGlite, Results } from '@electric-sql/pglite';
import { TsdbtError } from '../../core/errors.js';
import { connectionOf, inTransaction, type Adapter, type AdapterCapabilities, type Connection, type DedicatedConnection, type Field } from '../adapter.js';
import type { SqlDialect } from '../dialect.js';
import { postgresCapabilities } from '../postgres/postgres-capabilities.js';
import { DataDirectoryLock } from './pglite-lock.js';
import type { PgliteTarget } from './pglite-profile.js';
import { isInitialised, nodeFsAfter, PGLITE_SHARED_BUFFERS, seedDataDir, usableTemplate } from './pglite-template.js';
import { compilePgliteWasm } from './pglite-wasm.js';
import { importExternal } from '../../util/import-external.js';

/** Embedded PostgreSQL (WASM), persisted in a data directory. One connection: work is serialised by a mutex. */
export class PgliteAdapter implements Adapter {
  readonly type = 'pglite';
  readonly concurrency = 1;
  readonly description: string;
  serverVersion = 0;
  private db?: PGlite;
  private readonly lock: DataDirectoryLock;
  private queue: Promise<unknown> = Promise.resolve();

  /** `lockTimeoutMs`: how long open() waits for another process holding the data directory. */
  constructor(
    private readonly target: PgliteTarget,
    readonly dialect: SqlDialect,
    private readonly lockTimeoutMs: number,
  ) {
    this.description = `embedded PGlite at ${target.path}`;
    this.lock = new DataDirectoryLock(target.path);
  }

  /** PostgreSQL's, but for one in-process connection that cannot be interrupted from outside and takes COPY as blobs. */
  get capabilities(): AdapterCapabilities {
    return postgresCapabilities(this.serverVersion, { multipleConnections: false, cancellation: false, streamingCopy: false });
  }

  async open(): Promise<void> {
    await this.lock.acquire(this.lockTimeoutMs);
    try {
      const compiling = compilePgliteWasm();
      // Awaited by whichever step needs it first; a step failing before that must not leave it unhandled.
      compiling.catch(() => undefined);
      // Under the lock: a new database is a copy of the template, not initdb. The template is made first, if this is
      // the machine's first (PGlite's instance would add its memory to initdb's); the copy runs while PGlite loads,
      // and PostgreSQL waits for it where it first reads the folder (NodeFS's initial sync).
      const template = isInitialised(this.target.path) ? undefined : await usableTemplate(undefined, compiling);
      const seeding = template ? seedDataDir(this.target.path, template) : Promise.resolve();
      const opening = this.create(compiling, seeding);
      // Both settle before the lock can be released: no copy goes on writing into a folder tsdbt no longer holds.
      const [opened, seeded] = await Promise.allSettled([opening, seeding]);
      if (seeded.status === 'rejected') throw seeded.reason;
      if (opened.status === 'rejected') throw opened.reason;
      this.db = opened.value;
      const result = await this.db.query<{ server_version_num: string }>('show server_version_num');
      this.serverVersion = Number(result.rows[0]?.server_version_num ?? 0);
    } catch (error) {
      this.lock.release();
      if (error instanceof TsdbtError) throw error;
      throw new TsdbtError('connection', `cannot open the embedded database at ${this.target.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async create(compiling: Promise<WebAssembly.Module>, seeding: Promise<void>): Promise<PGlite> {
    const [{ PGlite }, { NodeFS }, pgliteWasmModule] = await Promise.all([
      importExternal<typeof import('@electric-sql/pglite')>('@electric-sql/pglite'),
      importExternal<typeof import('@electric-sql/pglite/nodefs')>('@electric-sql/pglite/nodefs'),
      compiling,
    ]);
    return PGlite.create({
      fs: new (nodeFsAfter(NodeFS))(this.target.path, seeding),
      pgliteWasmModule,
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
  }

  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const db = this.db;
    if (!db) throw new Error('PgliteAdapter used before open()');
    const connection: Connection = connectionOf(this.dialect, db, {
      async query(sql, params) {
        return toResult(await db.query<Record<string, unknown>>(sql, params as unknown[] | undefined));
      },
      async queryArrays(sql, params) {
        return toResult(await db.query<unknown[]>(sql, params as unknown[] | undefined, { rowMode: 'array' }));
      },
      async queryText(sql, params) {
        return toResult(await db.query<Array<string | null>>(sql, params as unknown[] | undefined, { rowMode: 'array', parsers: textParsers(db) }));
      },
      async execute(sql) {
        await db.exec(sql);
      },
      async copyFrom(target, options, chunks) {
        // PGlite has no COPY FROM STDIN: each bounded chunk goes in as a blob.
        let rows = 0;
        for await (const chunk of chunks) {
          const result = await db.query(`copy ${target} from '/dev/blob' with (${options})`, [], { blob: new Blob([chunk]) });
          rows += (result as { rowCount?: number }).rowCount ?? result.affectedRows ?? 0;
        }
        return rows;
      },
    });
    const next = this.queue.then(() => work(connection));
    this.queue = next.catch(() => undefined);
    return next;
  }

  transaction<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => inTransaction(connection, work));
  }

  /** There is one session, and its holder already has it (see `multipleConnections`). */
  connectDedicated(): Promise<DedicatedConnection> {
    return Promise.reject(new Error('PGlite has one connection: work that needs a second one uses the connection it was given'));
  }

  /** A WASM query cannot be interrupted from outside; the runner stops scheduling and waits for it. */
  async cancelAll(): Promise<void> {}

  async close(): Promise<void> {
    try {
      await this.queue;
      await this.db?.close();
    } finally {
      this.db = undefined;
      this.lock.release();
    }
  }
}

function toResult<Row>(result: Results<Row>): { rows: Row[]; rowCount: number | null; fields: Field[] } {
  return { rows: result.rows, rowCount: (result as { rowCount?: number }).rowCount ?? result.affectedRows ?? null, fields: result.fields };
}

/**
 * A parser per type PGlite would parse, each keeping the text: a query's parsers are merged over the database's, so
 * every type the database knows must be named (types it does not know already stay text).
 */
function textParsers(db: PGlite): Record<number, (value: string) => string> {
  return Object.fromEntries(Object.keys(db.parsers).map((type) => [type, (value: string) => value]));
}
