import type { Adapter, ArrayQueryResult, Connection, QueryResult } from '../adapters/adapter.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { ModelRow } from '../materializations/model-output.js';
import type { ReadDatabase } from '../templating/compile-time-database.js';

let cursors = 0;

/**
 * Where a TypeScript model's queries and reads run during one build. Small queries (`db`) run on the build's own
 * connection, so they see what the build did so far. Streaming reads use a server-side cursor (DECLARE, FETCH n),
 * never holding more than a batch of rows:
 * - with several connections (PostgreSQL) on a session of their own, outside the pool: the build connection may be
 *   busy with the COPY that writes the rows being read, and waiting for a pooled one could deadlock (with --threads 1
 *   the build holds the pool's only connection; with N threads, N such builds hold them all);
 * - with one connection (PGlite), on the build connection itself: its COPY goes in chunk by chunk, so a FETCH fits
 *   between two chunks, and any other connection would wait for this one forever.
 */
export class ModelConnections {
  /** While the model's rows are written: with several connections, COPY holds the build connection until the end. */
  private writing = false;

  constructor(
    readonly adapter: Adapter,
    private readonly build: Connection,
    private readonly file: string,
  ) {}

  async query(sql: string, parameters: readonly unknown[]): Promise<QueryResult> {
    this.refuseWhileWriting('db');
    return this.rowObjects(await this.build.queryArrays(sql, parameters));
  }

  /** What dbt_utils' macros read (a relation's columns, a column's values), on the build's connection too. */
  readonly readDatabase: ReadDatabase = async (work) => {
    this.refuseWhileWriting('dbt_utils');
    await work(this.build);
  };

  private refuseWhileWriting(what: string): void {
    if (this.writing && this.adapter.capabilities.multipleConnections) {
      // The query would queue behind the COPY, which waits for rows from the code waiting on this query.
      throw new TsdbtError('runtime', `${what} cannot run a query while the model's rows are being written: COPY holds the build's connection`, {
        location: { file: this.file },
        hint: 'run it before returning the rows, or stream its rows with read()',
      });
    }
  }

  /** `rows` as they are written: queries on `db` are refused meanwhile where they would deadlock. */
  async *writingRows(rows: Iterable<ModelRow> | AsyncIterable<ModelRow>): AsyncGenerator<ModelRow> {
    this.writing = true;
    try {
      yield* rows;
    } finally {
      this.writing = false;
    }
  }

  /** The rows of `sql`, `batchSize` at a time. Leaving the loop early closes the cursor. */
  async *batches(sql: string, batchSize: number): AsyncGenerator<ModelRow[]> {
    const cursor = quoteIdentifier(`tsdbt_read_${++cursors}`);
    if (this.adapter.capabilities.multipleConnections) {
      const connection = await this.adapter.connectDedicated();
      try {
        await connection.query('start transaction read only');
        await connection.query(`declare ${cursor} no scroll cursor for ${sql}`);
        yield* this.fetchAll(connection, cursor, batchSize);
        await connection.query('commit');
      } finally {
        // Ending the session also ends a transaction left open by an early exit.
        await connection.release();
      }
      return;
    }
    // WITH HOLD, because render may run outside a transaction (a view), where the server then keeps the result until
    // the cursor is closed; inside one (tables, increments) it streams like any cursor.
    await this.build.query(`declare ${cursor} no scroll cursor with hold for ${sql}`);
    try {
      yield* this.fetchAll(this.build, cursor, batchSize);
    } finally {
      // This fails only when the build's transaction has already failed: its rollback drops the cursor, and the
      // build's own error is the one to report.
      await this.build.query(`close ${cursor}`).catch(() => undefined);
    }
  }

  private async *fetchAll(connection: Connection, cursor: string, batchSize: number): AsyncGenerator<ModelRow[]> {
    for (;;) {
      const { rows } = this.rowObjects(await connection.queryArrays(`fetch ${batchSize} from ${cursor}`));
      if (rows.length > 0) yield rows;
      if (rows.length < batchSize) return;
    }
  }

  /**
   * Rows as objects keyed by column name, as Kysely and `read()` give them. Read as arrays first, so that a query
   * returning two columns of one name fails naming it, where objects would silently keep only the last value.
   */
  private rowObjects(result: ArrayQueryResult): QueryResult {
    const names = result.fields.map((field) => field.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) {
      throw new TsdbtError('runtime', `the query returns more than one column named ${quoteIdentifier(repeated)}, and a row object keeps one value per name`, {
        location: { file: this.file },
        hint: `give each column its own name (select a.id, b.id as b_id ...); the columns are ${names.join(', ')}`,
      });
    }
    return { ...result, rows: result.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]]))) };
  }
}
