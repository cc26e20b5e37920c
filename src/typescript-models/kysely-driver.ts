import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';
import { TsdbtError } from '../core/errors.js';
import type { ModelConnections } from './model-connections.js';

/** Rows per FETCH when a model streams a query (`read()`, Kysely's `.stream()`) without saying. */
export const DEFAULT_BATCH_SIZE = 10_000;

/**
 * The Kysely driver behind a model's `db`: queries it executes run through tsdbt's connections for this build
 * (model-connections.ts); `.stream()` reads through a cursor. There is one "connection", the build's.
 */
export class ModelDriver implements Driver {
  private readonly connection: DatabaseConnection;

  constructor(connections: ModelConnections) {
    this.connection = {
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        const result = await connections.query(compiled.sql, compiled.parameters);
        return { rows: result.rows as R[], numAffectedRows: result.rowCount === null ? undefined : BigInt(result.rowCount) };
      },
      async *streamQuery<R>(compiled: CompiledQuery, chunkSize = DEFAULT_BATCH_SIZE): AsyncIterableIterator<QueryResult<R>> {
        for await (const rows of connections.batches(compiled.sql, chunkSize)) yield { rows: rows as R[] };
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }

  /** The build already runs in a transaction of its own, which decides what lands. */
  beginTransaction(): Promise<void> {
    return Promise.reject(new TsdbtError('runtime', "db.transaction() is not available in a model: it runs inside its build's transaction"));
  }

  commitTransaction(): Promise<void> {
    return this.beginTransaction();
  }

  rollbackTransaction(): Promise<void> {
    return this.beginTransaction();
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}
