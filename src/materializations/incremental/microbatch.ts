import type { Connection } from '../../adapters/adapter.js';
import { quoteIdentifier, quoteRelation } from '../../adapters/sql.js';
import { describeNodeFailure, TsdbtError } from '../../core/errors.js';
import type { GraphNode } from '../../core/nodes.js';
import { timeRangeCondition } from './batch-filter.js';
import type { TimeRange } from '../../core/render.js';
import { parseInstant } from '../../util/time.js';
import { asPlaced } from '../distribution.js';
import type { MaterializationContext, MaterializationResult } from '../materialization.js';
import { createTableFrom, type ModelOutput } from '../model-output.js';
import { applyRelationSettings } from '../relation-settings.js';
import { swapIn, temporaryIdentifier } from '../swap.js';
import { temporaryName } from '../temporary-names.js';
import { ensureBatchTable, forgetBatches, readBatchState, recordBatches, type BatchOutcome } from './batch-state.js';
import { planBatches, type BatchSize } from './batches.js';
import { applySchemaChange } from './schema-change.js';
import { incrementalPredicates } from './strategies.js';

export interface MicrobatchConfig {
  eventTime: string;
  size: BatchSize;
  begin: Date;
  lookback: number;
  refreshInOneBatch: boolean;
}

/** A microbatch model's settings, checked at parse time so a missing one is a config error with the file named. */
export function microbatchConfig(node: GraphNode): MicrobatchConfig {
  const { event_time: eventTime, batch_size: size, begin, lookback, refresh_in_one_batch: refreshInOneBatch } = node.config;
  const missing = [!eventTime && 'event_time', !size && 'batch_size', !begin && 'begin'].filter(Boolean);
  if (missing.length > 0) {
    throw new TsdbtError('config', `microbatch model '${node.name}' needs ${missing.join(', ')}`, {
      location: { file: node.originalFilePath },
      hint: 'for example {{config materialized="incremental" incremental_strategy="microbatch" event_time="occurred_at" batch_size="day" begin="2024-01-01"}}',
    });
  }
  let beginAt: Date;
  try {
    beginAt = parseInstant(begin!, 'begin');
  } catch (error) {
    throw new TsdbtError('config', `microbatch model '${node.name}': ${(error as Error).message}`, { location: { file: node.originalFilePath } });
  }
  return { eventTime: eventTime!, size: size!, begin: beginAt, lookback: lookback ?? 1, refreshInOneBatch: refreshInOneBatch ?? false };
}

/**
 * Builds a microbatch model batch by batch: each batch is rendered with its bounds, replaces exactly its own time
 * range of the table in its own transaction, and batches run in parallel up to --threads. A failed batch fails alone;
 * the batch record (batch-state.ts) lets the next run or `tsdbt retry` redo it. A first build or a full refresh fills a
 * new table and swaps it in.
 */
export async function buildMicrobatch(context: MaterializationContext): Promise<MaterializationResult> {
  const config = microbatchConfig(context.node);
  const key = quoteRelation(context.node.relation);
  const { existing, state } = await context.adapter.transaction(async (connection) => {
    await ensureBatchTable(connection);
    return { existing: await context.findExisting(connection), state: await readBatchState(connection, key) };
  });
  const refresh = context.fullRefresh || existing?.kind !== 'table';
  const batches = planBatches({
    ...config,
    now: context.batches.now,
    incremental: !refresh,
    lastLanded: state.lastLanded,
    failed: state.failed,
    range: context.batches.range,
    retry: context.batches.retry,
  });
  if (batches.length === 0) return { message: 'no batches', rowsAffected: 0, batches: { successful: [], failed: [] } };
  const outcomes = refresh ? await refreshInto(context, config, batches) : await addBatches(context, config, batches);
  const rows = outcomes.reduce((sum, outcome) => sum + (outcome.rows ?? 0), 0);
  const successful = outcomes.filter((outcome) => outcome.status === 'success');
  return {
    message: `${successful.length} batch${successful.length === 1 ? '' : 'es'}, INSERT ${rows}`,
    rowsAffected: rows,
    batches: {
      successful: successful.map(({ start, end }) => ({ start, end })),
      failed: outcomes.filter((outcome) => outcome.status === 'error').map(({ start, end, message }) => ({ start, end, message: message ?? '' })),
    },
  };
}

type Outcome = BatchOutcome & { rows?: number };

/** Batches into the existing table, after bringing its columns in line with the model's (on_schema_change). */
async function addBatches(context: MaterializationContext, config: MicrobatchConfig, batches: TimeRange[]): Promise<Outcome[]> {
  const columns = await context.adapter.transaction(async (connection) => {
    const staged = quoteIdentifier(temporaryName(context.node.relation.identifier, 'cols', context.runId, context.adapter.capabilities.maxIdentifierLength));
    const output = await context.render({ isIncremental: true, batch: batches[0]! }, connection);
    await createTableFrom(context, connection, staged, output, { temporary: true, withData: false });
    const mode = context.node.config.on_schema_change ?? 'ignore';
    const written = await applySchemaChange(await asPlaced(context, connection), connection, mode, await connection.introspector.relationColumns(context.relation), await connection.introspector.relationColumns(staged));
    await applyRelationSettings(context, connection, context.relation, 'table');
    return written;
  });
  const outcomes = await runBatches(context, config, batches, { relation: context.relation, columns, isIncremental: true });
  await context.adapter.transaction((connection) => recordBatches(connection, quoteRelation(context.node.relation), context.runId, outcomes));
  return outcomes;
}

/** A first build or a full refresh: every batch into a new table, which then replaces the old one at once. */
async function refreshInto(context: MaterializationContext, config: MicrobatchConfig, batches: TimeRange[]): Promise<Outcome[]> {
  const temporary = temporaryIdentifier(context);
  const relation = `${quoteIdentifier(context.node.relation.schema)}.${quoteIdentifier(temporary)}`;
  const columns = await context.adapter.transaction(async (connection) => {
    const output = await context.render({ isIncremental: false, batch: batches[0]! }, connection);
    await createTableFrom(context, connection, relation, output, { withData: false });
    await applyRelationSettings(context, connection, relation, 'table');
    return (await connection.introspector.relationColumns(relation)).map((column) => column.name);
  });
  try {
    const outcomes = await runBatches(context, config, batches, { relation, columns, isIncremental: false });
    await context.adapter.transaction(async (connection) => {
      await swapIn(context, connection, 'table', temporary);
      await forgetBatches(connection, quoteRelation(context.node.relation));
      await recordBatches(connection, quoteRelation(context.node.relation), context.runId, outcomes);
    });
    return outcomes;
  } catch (error) {
    await context.adapter.withConnection((connection) => connection.query(`drop table if exists ${relation}`)).catch(() => undefined);
    throw error;
  }
}

interface BatchTarget {
  relation: string;
  columns: string[];
  isIncremental: boolean;
}

/** Runs batches oldest first, as many at once as --threads and the adapter allow; each failure is caught and kept. */
async function runBatches(context: MaterializationContext, config: MicrobatchConfig, batches: TimeRange[], target: BatchTarget): Promise<Outcome[]> {
  const parallel = context.node.config.concurrent_batches === false ? 1 : Math.max(1, Math.min(context.threads, context.adapter.concurrency));
  const outcomes: Outcome[] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      const batch = batches[index]!;
      if (context.signal?.aborted) {
        outcomes[index] = { ...batch, status: 'error', message: 'cancelled' };
        continue;
      }
      try {
        const rows = await context.adapter.transaction((connection) => runBatch(context, config, batch, target, connection));
        outcomes[index] = { ...batch, status: 'success', rows };
      } catch (error) {
        outcomes[index] = { ...batch, status: 'error', message: describeNodeFailure(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, batches.length) }, worker));
  return outcomes;
}

/** Replaces one batch's time range: its rows are deleted and the batch's output inserted, kept to the range. */
async function runBatch(context: MaterializationContext, config: MicrobatchConfig, batch: TimeRange, target: BatchTarget, connection: Connection): Promise<number> {
  const output: ModelOutput = await context.render({ isIncremental: target.isIncremental, batch }, connection);
  const predicates = incrementalPredicates(context.node).map((predicate) => `\n  and ${predicate}`).join('');
  await context.run(connection, `delete from ${target.relation} as DBT_INTERNAL_DEST\nwhere ${timeRangeCondition(config.eventTime, batch, 'DBT_INTERNAL_DEST')}${predicates}`);
  let source: string;
  if (output.kind === 'sql') source = `(\n${output.sql}\n)`;
  else {
    source = quoteIdentifier(temporaryName(context.node.relation.identifier, 'batch', batch.start.getTime().toString(36), context.adapter.capabilities.maxIdentifierLength));
    await createTableFrom(context, connection, source, output, { temporary: true });
  }
  const list = target.columns.map(quoteIdentifier).join(', ');
  // Kept to the range even if the model returns rows outside it, so a batch never duplicates another's rows.
  const inserted = await context.run(connection, `insert into ${target.relation} (${list})\nselect ${list} from ${source} as batch\nwhere ${timeRangeCondition(config.eventTime, batch, 'batch')}`);
  return inserted.rowCount ?? 0;
}
