import type { NodeConfig } from '../../core/node-config.js';
import type { TimeRange } from '../../core/render.js';

export type BatchSize = NonNullable<NodeConfig['batch_size']>;

/** The start of the batch holding `instant` (batches are aligned in UTC). */
export function batchFloor(instant: Date, size: BatchSize): Date {
  const d = instant;
  if (size === 'hour') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()));
  if (size === 'day') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/** `steps` batches after the batch starting at `start` (negative: before). */
export function addBatches(start: Date, size: BatchSize, steps: number): Date {
  if (size === 'hour') return new Date(start.getTime() + steps * 3_600_000);
  if (size === 'day') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + steps));
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + steps, 1));
}

/** The batches covering [start, end): the first holds `start`, the last holds the instant just before `end`. */
export function batchesBetween(start: Date, end: Date, size: BatchSize): TimeRange[] {
  const batches: TimeRange[] = [];
  for (let at = batchFloor(start, size); at < end; at = addBatches(at, size, 1)) batches.push({ start: at, end: addBatches(at, size, 1) });
  return batches;
}

export interface BatchPlanInput {
  size: BatchSize;
  /** The model's `begin`: where a first build or a full refresh starts. */
  begin: Date;
  /** Batches before the current one that every run redoes, for late data. */
  lookback: number;
  now: Date;
  /** The target holds data: a first build or full refresh starts at `begin`. */
  incremental: boolean;
  /** A first build or full refresh is one batch over the whole range (`refresh_in_one_batch`). */
  refreshInOneBatch: boolean;
  /** End of the newest batch that landed, from the batch state: a run after a gap catches up from there. */
  lastLanded?: Date;
  /** Batches that failed earlier and have not landed since. */
  failed: TimeRange[];
  /** --event-time-start/--event-time-end: exactly this range. */
  range?: Partial<TimeRange>;
  /** tsdbt retry: exactly these. */
  retry?: TimeRange[];
}

/**
 * Which batches a run builds, oldest first. A backfill or a retry builds exactly what it names. Otherwise: from
 * `begin` on a first build (batch by batch, or as one batch spanning them all); else the current batch and `lookback` before it, from the newest landed batch if the
 * runs had a gap, plus any batch that failed before.
 */
export function planBatches(input: BatchPlanInput): TimeRange[] {
  const { size, now } = input;
  const endOfNow = addBatches(batchFloor(now, size), size, 1);
  if (input.retry) return sortBatches(input.retry);
  if (input.range) return batchesBetween(input.range.start ?? input.begin, input.range.end ?? endOfNow, size);
  if (!input.incremental) {
    const all = batchesBetween(input.begin, endOfNow, size);
    return input.refreshInOneBatch && all.length > 1 ? [{ start: all[0]!.start, end: all.at(-1)!.end }] : all;
  }
  let start = addBatches(batchFloor(now, size), size, -input.lookback);
  if (input.lastLanded && input.lastLanded < start) start = batchFloor(input.lastLanded, size);
  if (start < input.begin) start = batchFloor(input.begin, size);
  const planned = batchesBetween(start, endOfNow, size);
  const seen = new Set(planned.map((batch) => batch.start.getTime()));
  return sortBatches([...planned, ...input.failed.filter((batch) => !seen.has(batch.start.getTime()))]);
}

function sortBatches(batches: TimeRange[]): TimeRange[] {
  return [...batches].sort((a, b) => a.start.getTime() - b.start.getTime());
}
