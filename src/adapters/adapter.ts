import type { SqlDialect } from './dialect.js';
import type { Introspector } from './introspector.js';

/**
 * One interface for every database tsdbt runs on: a dialect's driver. The core branches on `capabilities`, never on
 * `type`; it spells engine-specific statements with `connection.dialect.sql` and reads the catalog through
 * `connection.introspector`.
 */
export interface Field {
  name: string;
  dataTypeID: number;
}

export interface QueryResult {
  rows: Array<Record<string, unknown>>;
  /** Rows affected or returned, where the server reports it. */
  rowCount: number | null;
  fields: Field[];
}

/** Rows as arrays in the order of `fields`: columns that share a name (`select 1 as a, 2 as a`) keep their own values. */
export interface ArrayQueryResult<Value = unknown> {
  rows: Value[][];
  rowCount: number | null;
  fields: Field[];
}

export interface Connection {
  /** The engine this connection speaks to: its SQL and Kysely pieces. */
  readonly dialect: SqlDialect;
  /** The catalog, read on this connection (so inside its transaction). */
  readonly introspector: Introspector;
  /**
   * The database session this connection runs on: the same object each time the session is lent out (a pooled client,
   * PGlite's one instance), so the statement log can tell sessions apart. Nothing else to read from it.
   */
  readonly session: object;
  /**
   * One statement, with optional $1.. parameters, its rows as objects keyed by column name: for queries whose column
   * names tsdbt itself gives (catalog, counts). Rows of a user's SQL are read with `queryArrays` or `queryText`.
   */
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>;
  /** The same, rows as arrays, values parsed as by `query` (numbers, dates, JSON). */
  queryArrays(sql: string, params?: readonly unknown[]): Promise<ArrayQueryResult>;
  /**
   * The same, each value as PostgreSQL's own text output (a date `2018-01-01`, a boolean `t`, numeric to every digit),
   * null for NULL: what a person reads, identical on every adapter.
   */
  queryText(sql: string, params?: readonly unknown[]): Promise<ArrayQueryResult<string | null>>;
  /** Several statements separated by semicolons, no parameters (hooks, scripts). */
  execute(sql: string): Promise<void>;
  /**
   * COPY rows into `target` (a quoted relation with its column list) from chunks that each end on a row boundary;
   * `options` is the inside of COPY's WITH (...). Returns the rows copied.
   */
  copyFrom(target: string, options: string, chunks: AsyncIterable<string | Buffer>): Promise<number>;
}

export interface DedicatedConnection extends Connection {
  /** Closes the session. */
  release(): Promise<void>;
}

export interface AdapterCapabilities {
  /** Several sessions at once; without it the runner serialises work on one connection. */
  multipleConnections: boolean;
  /** CREATE/ALTER/DROP roll back with the transaction. */
  transactionalDdl: boolean;
  /** MERGE statement (PostgreSQL 15+). */
  merge: boolean;
  materializedViews: boolean;
  /** A running query can be cancelled from outside. */
  cancellation: boolean;
  /** COPY FROM STDIN takes a byte stream cut anywhere; without it every chunk must end on a row boundary. */
  streamingCopy: boolean;
  maxIdentifierLength: number;
  /** Tables are created with their model's distribution (TableOptions.distribution): sharded or on every node (Citus). */
  distributedTables: boolean;
}

export interface Adapter {
  readonly type: string;
  readonly dialect: SqlDialect;
  readonly capabilities: AdapterCapabilities;
  /** How many nodes may run at once: the pool size, or 1. */
  readonly concurrency: number;
  /** Host and database, or data directory: for messages. Never a password. */
  readonly description: string;
  open(): Promise<void>;
  /** Server version number as in server_version_num, known after open(). */
  readonly serverVersion: number;
  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T>;
  /**
   * A session of its own, outside the pool, for work that must not wait on the pool while its caller holds a pooled
   * connection (a TypeScript model reading rows while its own are written). Only where `multipleConnections`.
   */
  connectDedicated(): Promise<DedicatedConnection>;
  /** BEGIN ... COMMIT on one connection; ROLLBACK and rethrow on error. */
  transaction<T>(work: (connection: Connection) => Promise<T>): Promise<T>;
  /** Cancels every running query (Ctrl-C); a no-op where the adapter cannot. */
  cancelAll(): Promise<void>;
  close(): Promise<void>;
}

const unusableAfter = new WeakSet<object>();

/** Whether the connection that raised `error` could not even roll back, and is to be discarded. */
export function leftConnectionUnusable(error: unknown): boolean {
  return error !== null && typeof error === 'object' && unusableAfter.has(error);
}

/** The COPY statement of `copyFrom(target, options, ...)`, rows read from the client. */
export function copyFromStdin(target: string, options: string): string {
  return `copy ${target} from stdin with (${options})`;
}

/** BEGIN/COMMIT/ROLLBACK around `work` on a connection the adapter already holds. */
export async function inTransaction<T>(connection: Connection, work: (connection: Connection) => Promise<T>): Promise<T> {
  await connection.query('begin');
  try {
    const result = await work(connection);
    await connection.query('commit');
    return result;
  } catch (error) {
    await connection.query('rollback').catch(() => {
      // The session is in an unknown state: it must not go back to a pool.
      if (error !== null && typeof error === 'object') unusableAfter.add(error);
    });
    throw error;
  }
}

/** What a driver implements of a connection; `connectionOf` adds what the dialect knows. */
export type DriverConnection = Omit<Connection, 'dialect' | 'introspector' | 'session'>;

/** A driver's connection on `session` with its dialect, and an introspector reading through it (made on first use). */
export function connectionOf(dialect: SqlDialect, session: object, driver: DriverConnection): Connection {
  let introspector: Introspector | undefined;
  const connection: Connection = {
    ...driver,
    dialect,
    session,
    get introspector() {
      return (introspector ??= dialect.createIntrospector(connection));
    },
  };
  return connection;
}
