import { sql } from 'kysely';
import type { Connection } from '../../adapters/adapter.js';
import { queryBuilder, runQuery as run } from '../../adapters/kysely.js';
import { META_SCHEMA } from '../../loaders/seed-state.js';
import type { TimeRange } from '../../templating/compiler.js';

/**
 * Which microbatches of which table landed or failed. Batches replace their own time range, so this record is a
 * guide, not a ledger: a batch that landed but was not recorded (a crash in between) is simply built again.
 */
interface BatchDatabase {
  'tsdbt_meta.microbatches': {
    relation: string;
    batch_start: Date;
    batch_end: Date;
    status: 'success' | 'error';
    message: string | null;
    run_id: string;
    updated_at: Date;
  };
}

/** Queries on the state table, in the SQL of the connection's dialect. */
const meta = (connection: Connection) => queryBuilder<BatchDatabase>(connection.dialect.kysely);

export interface BatchOutcome extends TimeRange {
  status: 'success' | 'error';
  message?: string;
}

export interface BatchState {
  /** End of the newest batch that landed. */
  lastLanded?: Date;
  /** Batches whose latest attempt failed. */
  failed: TimeRange[];
}

export async function ensureBatchTable(connection: Connection): Promise<void> {
  // Models run in parallel; creators queue on a lock held to the end of the caller's transaction.
  await connection.query(connection.dialect.sql.transactionLock('tsdbt_meta.microbatches'));
  await run(connection, meta(connection).schema.createSchema(META_SCHEMA).ifNotExists());
  await run(
    connection,
    meta(connection).schema
      .createTable('tsdbt_meta.microbatches')
      .ifNotExists()
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('batch_start', 'timestamptz', (c) => c.notNull())
      .addColumn('batch_end', 'timestamptz', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('microbatches_pkey', ['relation', 'batch_start']),
  );
}

export async function readBatchState(connection: Connection, relation: string): Promise<BatchState> {
  const rows = await run(connection, meta(connection).selectFrom('tsdbt_meta.microbatches').select(['batch_start', 'batch_end', 'status']).where('relation', '=', relation));
  const landed = rows.filter((row) => row.status === 'success').map((row) => new Date(row.batch_end).getTime());
  return {
    lastLanded: landed.length > 0 ? new Date(Math.max(...landed)) : undefined,
    failed: rows.filter((row) => row.status === 'error').map((row) => ({ start: new Date(row.batch_start), end: new Date(row.batch_end) })),
  };
}

export async function recordBatches(connection: Connection, relation: string, runId: string, outcomes: BatchOutcome[]): Promise<void> {
  // One statement may carry at most 65,535 parameters.
  for (let at = 0; at < outcomes.length; at += 5000) {
    await run(
      connection,
      meta(connection)
        .insertInto('tsdbt_meta.microbatches')
        .values(
          outcomes.slice(at, at + 5000).map((outcome) => ({
            relation,
            batch_start: outcome.start,
            batch_end: outcome.end,
            status: outcome.status,
            message: outcome.message ?? null,
            run_id: runId,
            updated_at: sql<Date>`now()`,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['relation', 'batch_start']).doUpdateSet((eb) => ({
            batch_end: eb.ref('excluded.batch_end'),
            status: eb.ref('excluded.status'),
            message: eb.ref('excluded.message'),
            run_id: eb.ref('excluded.run_id'),
            updated_at: sql<Date>`now()`,
          })),
        ),
    );
  }
}

/** A full refresh starts the record afresh. */
export async function forgetBatches(connection: Connection, relation: string): Promise<void> {
  await run(connection, meta(connection).deleteFrom('tsdbt_meta.microbatches').where('relation', '=', relation));
}
