import type { FuncCall, Node, SelectStmt } from 'libpg-query';
import { outputColumnName, stringsOf } from '../lineage/output-names.js';
import { KNOWN_SET_RETURNING_FUNCTIONS } from '../lineage/query-analyzer.js';
import { isSetOperation, starOf, walk } from './parse-tree.js';
import { canonicalTree } from './sql-normal-form.js';

/** Two select lists compared by output name. A star (`*`, `t.*`) is an item named as written. */
export interface SelectListChange {
  added: string[];
  removed: string[];
  modified: string[];
  /** A star came, went or changed: which columns it yields is not known here. */
  starChanged: boolean;
}

/**
 * Built-in aggregates: one of them in a select list without GROUP BY makes one row of many. A user-defined aggregate
 * is not known, unless it is written as only an aggregate can be (`DISTINCT`, `ORDER BY`, `FILTER`, `WITHIN GROUP`).
 */
const KNOWN_AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg',
  'jsonb_object_agg', 'json_agg_strict', 'jsonb_agg_strict', 'bool_and', 'bool_or', 'every', 'bit_and', 'bit_or',
  'bit_xor', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'corr', 'covar_pop',
  'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx',
  'regr_sxy', 'regr_syy', 'mode', 'percentile_cont', 'percentile_disc', 'xmlagg', 'range_agg', 'range_intersect_agg',
  'any_value',
]);

export function compareSelectLists(before: Node[], after: Node[]): SelectListChange {
  const old = itemsByName(before);
  const updated = itemsByName(after);
  const added = [...updated.keys()].filter((name) => !old.has(name));
  const removed = [...old.keys()].filter((name) => !updated.has(name));
  const modified = [...updated.keys()].filter((name) => old.has(name) && old.get(name)!.join() !== updated.get(name)!.join());
  const stars = new Set([...before, ...after].flatMap((target) => starOf(targetValue(target)) ?? []));
  return { added, removed, modified, starChanged: [...added, ...removed, ...modified].some((name) => stars.has(name)) };
}

/**
 * Whether a change of the select list alone may change the rows, though the rest of the query is the same: under
 * DISTINCT the list is what is distinct, GROUP BY or ORDER BY (with LIMIT) may read a changed item, an aggregate
 * without GROUP BY makes one row of many, a set-returning function makes several of one.
 */
export function selectListDecidesRows(before: SelectStmt, after: SelectStmt, change: SelectListChange): boolean {
  if (after.distinctClause?.length || readsChangedItem(before, after, change)) return true;
  if (!after.groupClause?.length && !after.havingClause && aggregates(before.targetList) !== aggregates(after.targetList)) return true;
  return setReturningCalls(before.targetList) !== setReturningCalls(after.targetList);
}

/** Whether the query reads a select-list position (`GROUP BY 1`, `ORDER BY 2`, `DISTINCT ON (1)`). */
export function hasPositionalReference(select: SelectStmt): boolean {
  return itemReferences(select).some((node) => position(node) !== undefined);
}

/**
 * GROUP BY, ORDER BY and DISTINCT ON read a select-list item by position (`GROUP BY 2`: a column inserted before it
 * moves it; appended ones move none) or by output name (`ORDER BY total`, and `GROUP BY total` when no input column
 * is so named): whether one they read changed.
 */
function readsChangedItem(before: SelectStmt, after: SelectStmt, change: SelectListChange): boolean {
  const changed = new Set([...change.added, ...change.removed, ...change.modified]);
  const item = (select: SelectStmt, at: number) => canonicalTree(select.targetList?.[at - 1]);
  return itemReferences(after).some((node) => {
    const at = position(node);
    if (at !== undefined) return item(before, at) !== item(after, at);
    const fields = 'ColumnRef' in node ? (node.ColumnRef.fields ?? []) : [];
    return fields.length === 1 && changed.has(stringsOf(fields)[0] ?? '');
  });
}

function itemReferences(select: SelectStmt): Node[] {
  const sorted = (select.sortClause ?? []).flatMap((item) => ('SortBy' in item && item.SortBy.node ? [item.SortBy.node] : []));
  return [...(select.groupClause ?? []), ...(select.distinctClause ?? []), ...sorted];
}

function position(node: Node): number | undefined {
  return 'A_Const' in node && node.A_Const.ival ? (node.A_Const.ival.ival ?? 0) : undefined;
}

export function hasStar(select: SelectStmt): boolean {
  return (select.targetList ?? []).some((target) => starOf(targetValue(target)) !== undefined);
}

/** The name PostgreSQL gives each item (lineage's rule), with its expression trees (a name may be given twice). */
function itemsByName(targets: Node[]): Map<string, string[]> {
  const items = new Map<string, string[]>();
  for (const target of targets) {
    if (!('ResTarget' in target) || !target.ResTarget.val) continue;
    const { name, val } = target.ResTarget;
    const key = starOf(val) ?? name ?? outputColumnName(val, firstColumnName);
    items.set(key, [...(items.get(key) ?? []), canonicalTree(val)]);
  }
  return items;
}

function targetValue(target: Node): Node | undefined {
  return 'ResTarget' in target ? target.ResTarget.val : undefined;
}

/** A scalar subquery's name: its first output column's (the left branch's, for a set operation). */
function firstColumnName(subquery: Node): string | undefined {
  if (!('SelectStmt' in subquery)) return undefined;
  const select = subquery.SelectStmt;
  if (isSetOperation(select)) return select.larg ? firstColumnName({ SelectStmt: select.larg }) : undefined;
  const first = select.targetList?.[0];
  if (!first || !('ResTarget' in first) || !first.ResTarget.val) return undefined;
  return first.ResTarget.name ?? outputColumnName(first.ResTarget.val, firstColumnName);
}

/** Whether this query level aggregates: an aggregate call outside windows and subqueries (their own levels). */
function aggregates(targets: Node[] | undefined): boolean {
  let found = false;
  walk(targets, (node) => {
    if ('SubLink' in node) {
      found ||= aggregates([(node as { SubLink: { testexpr?: Node } }).SubLink.testexpr].filter((expr) => expr !== undefined));
      return false;
    }
    if ('FuncCall' in node) found ||= isAggregateCall((node as { FuncCall: FuncCall }).FuncCall);
    return !found;
  });
  return found;
}

function isAggregateCall(call: FuncCall): boolean {
  if (call.over) return false;
  if (call.agg_star || call.agg_distinct || call.agg_order?.length || call.agg_filter || call.agg_within_group) return true;
  return KNOWN_AGGREGATES.has(stringsOf(call.funcname).at(-1) ?? '');
}

/** The known set-returning calls of a select list, as one comparable string. */
function setReturningCalls(targets: Node[] | undefined): string {
  const calls: string[] = [];
  walk(targets, (node) => {
    if ('SubLink' in node) return false;
    if ('FuncCall' in node && KNOWN_SET_RETURNING_FUNCTIONS.has(stringsOf((node as { FuncCall: FuncCall }).FuncCall.funcname).at(-1) ?? '')) calls.push(canonicalTree(node));
  });
  return calls.sort().join('\n');
}
