import type { Adapter } from '../adapters/adapter.js';
import { quoteRelation } from '../adapters/sql.js';
import { describeNodeFailure } from '../core/errors.js';
import type { SourceFreshness, SourceNode } from '../core/nodes.js';
import { describeThreshold, freshnessStatus, thresholdSeconds, type FreshnessStatus } from './thresholds.js';

/** What one source's check found: its newest row's age and the verdict, or why the query failed. */
export interface FreshnessResult {
  source: SourceNode;
  status: FreshnessStatus;
  criteria: SourceFreshness;
  maxLoadedAt?: Date;
  snapshottedAt?: Date;
  ageSeconds?: number;
  /** The failure, for a runtime error; else what the verdict is based on. */
  message: string;
  startedAt: Date;
  completedAt: Date;
  threadId: string;
}

/** The query dbt-postgres runs, with the age computed by the server so no clock but its own is involved. */
export function freshnessQuery(source: SourceNode): string {
  const filter = source.freshness?.filter ? `\nwhere (${source.freshness.filter})` : '';
  // loaded_at_field is an expression (a column, or a cast of one), written into the SQL as it is in dbt.
  return `select max_loaded_at, snapshotted_at, extract(epoch from snapshotted_at - max_loaded_at)::float8 as age_seconds
from (
  select max(${source.loadedAtField!})::timestamptz as max_loaded_at, now() as snapshotted_at
  from ${quoteRelation(source.relation)}${filter}
) as freshness`;
}

/** Checks one source (with loaded_at_field and freshness); never throws: a failed query is a `runtime error` result. */
export async function checkFreshness(adapter: Adapter, source: SourceNode, threadId: string): Promise<FreshnessResult> {
  const criteria = source.freshness ?? {};
  const startedAt = new Date();
  const base = { source, criteria, startedAt, threadId };
  try {
    const row = await adapter.transaction(async (connection) => {
      // dbt reads a timestamp without time zone as UTC; the cast to timestamptz follows the session's zone, so set it.
      await connection.query("set local time zone 'UTC'");
      return (await connection.query(freshnessQuery(source))).rows[0]!;
    });
    const completedAt = new Date();
    if (row.max_loaded_at === null) {
      return { ...base, completedAt, status: 'runtime error', message: `max(${source.loadedAtField}) is null: ${quoteRelation(source.relation)} has no rows${criteria.filter ? ' matching the filter' : ''} with a ${source.loadedAtField}` };
    }
    const ageSeconds = Number(row.age_seconds);
    const status = freshnessStatus(ageSeconds, criteria);
    return { ...base, completedAt, status, maxLoadedAt: new Date(row.max_loaded_at as Date), snapshottedAt: new Date(row.snapshotted_at as Date), ageSeconds, message: describeAge(ageSeconds, status, criteria) };
  } catch (error) {
    return { ...base, completedAt: new Date(), status: 'runtime error', message: describeNodeFailure(error) };
  }
}

function describeAge(ageSeconds: number, status: Exclude<FreshnessStatus, 'runtime error'>, criteria: SourceFreshness): string {
  const age = `newest row is ${Math.round(ageSeconds)} s old`;
  const limit = status === 'error' ? criteria.error_after : status === 'warn' ? criteria.warn_after : undefined;
  if (!limit) return age;
  return `${age}, over ${status === 'error' ? 'error_after' : 'warn_after'} ${describeThreshold(limit)} (${thresholdSeconds(limit)} s)`;
}
