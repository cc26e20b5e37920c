import { quoteIdentifier, quoteRelation } from '../../adapters/sql.js';
import type { GraphNode } from '../../core/nodes.js';
import type { TimeRange } from '../../core/render.js';

/**
 * A UTC timestamp as an untyped SQL literal's text. Untyped, it takes the column's type: a timestamptz reads the
 * offset, a timestamp without time zone reads the same wall-clock time (naive event times are taken as UTC).
 */
export function timestampText(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace('T', ' ')}+00`;
}

/**
 * In a microbatch, a model that declares an `event_time` is read through a CTE holding only the batch's range: a CTE
 * rather than a subquery, so `{{ref "x"}} as e` still parses; NOT MATERIALIZED lets the filter reach indexes.
 * Undefined for a model without an event_time, which is read whole.
 */
export function batchFilter(node: GraphNode, batch: TimeRange): { name: string; cte: string } | undefined {
  const eventTime = node.config.event_time;
  if (typeof eventTime !== 'string') return undefined;
  const name = `__tsdbt__batch__${node.name}`;
  return { name, cte: `${quoteIdentifier(name)} as not materialized (\n  select * from ${quoteRelation(node.relation)}\n  where ${timeRangeCondition(eventTime, batch)}\n)` };
}

/** `"column" >= '<start>' and "column" < '<end>'`: the rows of one batch. */
export function timeRangeCondition(column: string, range: TimeRange, qualifier?: string): string {
  const quoted = qualifier ? `${qualifier}.${quoteIdentifier(column)}` : quoteIdentifier(column);
  return `${quoted} >= '${timestampText(range.start)}' and ${quoted} < '${timestampText(range.end)}'`;
}
