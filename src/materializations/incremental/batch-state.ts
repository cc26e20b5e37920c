import type { Connection } from '../../adapters/adapter.js';
import { ensureStateTable, forgetStateRows, readStateRows, writeStateRows, stateTable } from '../../adapters/state-table.js';
import type { TimeRange } from '../../core/render.js';

/**
 * Which microbatches of which table landed or failed. Batches replace their own time range, so this record is a
 * guide, not a ledger: a batch that landed but was not recorded (a crash in between) is simply built again.
 */
const MICROBATCHES = stateTable({
  name: 'microbatches',
  columns: {
    relation: { type: 'text' },
    batch_start: { type: 'timestamptz' },
    batch_end: { type: 'timestamptz' },
    status: { type: 'text' },
    message: { type: 'text', nullable: true },
    run_id: { type: 'text' },
  },
  key: ['relation', 'batch_start'],
  stamp: 'updated_at',
});

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
  await ensureStateTable(connection, MICROBATCHES);
}

export async function readBatchState(connection: Connection, relation: string): Promise<BatchState> {
  const rows = await readStateRows(connection, MICROBATCHES, relation);
  const landed = rows.filter((row) => row.status === 'success').map((row) => new Date(row.batch_end).getTime());
  return {
    lastLanded: landed.length > 0 ? new Date(Math.max(...landed)) : undefined,
    failed: rows.filter((row) => row.status === 'error').map((row) => ({ start: new Date(row.batch_start), end: new Date(row.batch_end) })),
  };
}

export async function recordBatches(connection: Connection, relation: string, runId: string, outcomes: BatchOutcome[]): Promise<void> {
  const rows = outcomes.map((outcome) => ({
    relation,
    batch_start: outcome.start,
    batch_end: outcome.end,
    status: outcome.status,
    message: outcome.message ?? null,
    run_id: runId,
  }));
  await writeStateRows(connection, MICROBATCHES, rows);
}

/** A full refresh starts the record afresh. */
export async function forgetBatches(connection: Connection, relation: string): Promise<void> {
  await forgetStateRows(connection, MICROBATCHES, relation);
}
