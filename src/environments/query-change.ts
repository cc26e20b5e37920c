import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { Node, SelectStmt, WithClause } from 'libpg-query';
import { QueryAnalyzer } from '../lineage/query-analyzer.js';
import { parseStatements } from '../lineage/sql-parser.js';
import { isSetOperation, starOf, walk } from './parse-tree.js';
import { compareSelectLists, hasPositionalReference, hasStar, selectListDecidesRows } from './select-list.js';
import { canonicalTree, sqlLogicHash } from './sql-normal-form.js';

/**
 * What a new version of a model's query changes, for `tsdbt plan` to tell breaking changes from non-breaking ones.
 * Conservative: `rowsChanged` is false only when the rows are shown to be the same, so a change is never called
 * non-breaking wrongly; when it is true every column's values may differ, and the lists still name what came, went
 * and was rewritten in the final select list (they are empty when the queries cannot be compared at all).
 */
export interface QueryChange {
  /** The rows the query yields may differ (anything but the final select list changed: FROM, WHERE, JOIN, GROUP BY, CTEs other than by added columns, DISTINCT, LIMIT, set operations...). */
  rowsChanged: boolean;
  /** Output columns by name, compared between the two queries' final select lists. */
  added: string[];
  removed: string[];
  modified: string[];
}

interface LevelChange extends QueryChange {
  /** The names (CTEs, FROM subqueries' aliases) whose output columns grew below this level, rows unchanged. */
  grown: Set<string>;
}

/**
 * Compares two versions of a query, both parsed by PostgreSQL's parser (`loadSqlParser()` must have been awaited).
 * Only a single SELECT (no UNION, INTERSECT, EXCEPT) is analysed; anything else that is not the same logic is
 * `rowsChanged` with no columns named.
 */
export function compareQueries(oldSql: string, newSql: string): QueryChange {
  if (sqlLogicHash(oldSql) === sqlLogicHash(newSql)) return { rowsChanged: false, added: [], removed: [], modified: [] };
  const before = singleSelect(oldSql);
  const after = singleSelect(newSql);
  if (!before || !after || isSetOperation(before) || isSetOperation(after)) return { rowsChanged: true, added: [], removed: [], modified: [] };
  const { grown, ...change } = compareLevel(before, after);
  if (change.rowsChanged || grown.size === 0) return change;
  if (grownColumnsMayChangeRows(after, grown)) return { ...change, rowsChanged: true };
  if (!hasStar(after)) return change;
  // The star is written the same, but it now yields the columns a CTE or subquery gained: name them.
  const oldNames = outputNames(before);
  const newNames = outputNames(after);
  if (!oldNames || !newNames) return { ...change, rowsChanged: true };
  const starAdded = [...new Set(newNames)].filter((name) => !oldNames.includes(name) && !change.added.includes(name));
  return { ...change, added: [...change.added, ...starAdded] };
}

/**
 * A unified diff of two SQL texts (`---`/`+++` header, `@@` hunks, 3 lines of context), for a person to read what a
 * plan changes. jsdiff's `createTwoFilesPatch` writes it; its `Index:` and `===` lines are left out.
 */
export function sqlDiff(oldSql: string, newSql: string, labels: { old: string; new: string } = { old: 'old', new: 'new' }): string {
  return createTwoFilesPatch(labels.old, labels.new, withFinalNewline(oldSql), withFinalNewline(newSql), undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** Without it, a last line that differs only by its newline shows as changed, with a `\ No newline` marker. */
function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function singleSelect(sql: string): SelectStmt | undefined {
  const parsed = parseStatements(sql);
  const statement = 'statements' in parsed && parsed.statements.length === 1 ? parsed.statements[0] : undefined;
  return statement && 'SelectStmt' in statement ? statement.SelectStmt : undefined;
}

/**
 * One query level: everything but its select list must be the same, except that a CTE or a FROM subquery may have
 * gained output columns (by this same rule, recursively), since a column added to a source adds no row.
 */
function compareLevel(before: SelectStmt, after: SelectStmt): LevelChange {
  const grown = new Set<string>();
  if (isSetOperation(before) || isSetOperation(after)) {
    return { rowsChanged: canonicalTree(before) !== canonicalTree(after), added: [], removed: [], modified: [], grown };
  }
  const { targetList: oldTargets = [], withClause: oldWith, fromClause: oldFrom = [], ...oldRest } = before;
  const { targetList: newTargets = [], withClause: newWith, fromClause: newFrom = [], ...newRest } = after;
  const list = compareSelectLists(oldTargets, newTargets);
  const { starChanged, ...columns } = list;
  const listChanged = columns.added.length + columns.removed.length + columns.modified.length > 0;
  const rowsChanged = canonicalTree(oldRest) !== canonicalTree(newRest)
    || withChanged(oldWith, newWith, grown)
    || fromChanged(oldFrom, newFrom, grown)
    || starChanged
    || (listChanged && selectListDecidesRows(before, after, list));
  return { rowsChanged, ...columns, grown };
}

function withChanged(before: WithClause | undefined, after: WithClause | undefined, grown: Set<string>): boolean {
  if (!before || !after) return before !== after;
  const { ctes: oldCtes = [], ...oldRest } = before;
  const { ctes: newCtes = [], ...newRest } = after;
  if (canonicalTree(oldRest) !== canonicalTree(newRest) || oldCtes.length !== newCtes.length) return true;
  return oldCtes.some((cte, i) => {
    const other = newCtes[i]!;
    if (!('CommonTableExpr' in cte) || !('CommonTableExpr' in other)) return canonicalTree(cte) !== canonicalTree(other);
    const { ctequery: oldQuery, ...oldCte } = cte.CommonTableExpr;
    const { ctequery: newQuery, ...newCte } = other.CommonTableExpr;
    return canonicalTree(oldCte) !== canonicalTree(newCte) || !onlyGainedColumns(oldQuery, newQuery, oldCte.ctename ?? '', Boolean(oldCte.aliascolnames?.length), grown);
  });
}

function fromChanged(before: Node[], after: Node[], grown: Set<string>): boolean {
  return before.length !== after.length || before.some((item, i) => fromItemChanged(item, after[i], grown));
}

function fromItemChanged(before: Node | undefined, after: Node | undefined, grown: Set<string>): boolean {
  if (before && after && 'RangeSubselect' in before && 'RangeSubselect' in after && !before.RangeSubselect.lateral) {
    const { subquery: oldQuery, ...oldItem } = before.RangeSubselect;
    const { subquery: newQuery, ...newItem } = after.RangeSubselect;
    const { alias } = oldItem;
    // An unaliased subquery has no name to be read by, but a star over it still yields what it gained.
    return canonicalTree(oldItem) !== canonicalTree(newItem) || !onlyGainedColumns(oldQuery, newQuery, alias?.aliasname ?? '', Boolean(alias?.colnames?.length), grown);
  }
  if (before && after && 'JoinExpr' in before && 'JoinExpr' in after) {
    const { larg: oldLeft, rarg: oldRight, ...oldJoin } = before.JoinExpr;
    const { larg: newLeft, rarg: newRight, ...newJoin } = after.JoinExpr;
    return canonicalTree(oldJoin) !== canonicalTree(newJoin) || fromItemChanged(oldLeft, newLeft, grown) || fromItemChanged(oldRight, newRight, grown);
  }
  // Anything else must be the same, a LATERAL subquery too: it sees the columns to its left, and a column that grew
  // there may capture a name it read from further out.
  return canonicalTree(before) !== canonicalTree(after);
}

/**
 * Whether a source's query changed only by output columns added, rows unchanged. Column aliases (`c(a, b) as`) name
 * columns by position, so there an added column may rename the others. A source that grew is noted in `grown`.
 */
function onlyGainedColumns(before: Node | undefined, after: Node | undefined, name: string, aliased: boolean, grown: Set<string>): boolean {
  if (canonicalTree(before) === canonicalTree(after)) return true;
  if (!before || !after || !('SelectStmt' in before) || !('SelectStmt' in after)) return false;
  const level = compareLevel(before.SelectStmt, after.SelectStmt);
  if (level.rowsChanged || level.removed.length > 0 || level.modified.length > 0 || (aliased && level.added.length > 0)) return false;
  for (const inner of level.grown) grown.add(inner);
  // A source over a grown one may yield more columns through a star though its own select list reads the same.
  if (level.added.length > 0 || level.grown.size > 0) grown.add(name);
  return true;
}

/**
 * Where more columns in a source change rows though no query text around it changed: a NATURAL join (it joins on
 * every common name), column aliases (`from c as x(a, b)` name by position), a star under DISTINCT, a set operation
 * or a positional reference, a whole-row reference (`t`, `t.*` in an expression, both now wider), and a subquery or
 * LATERAL subquery reading a grown CTE, where a new column may capture an unqualified name that meant an outer
 * column. Conservative: a bare column named like any relation counts as a whole-row reference.
 */
function grownColumnsMayChangeRows(select: SelectStmt, grown: Set<string>): boolean {
  const relationNames = new Set<string>();
  walk(select, (node) => {
    if ('CommonTableExpr' in node) relationNames.add(String((node as { CommonTableExpr: { ctename?: string } }).CommonTableExpr.ctename));
    if ('aliasname' in node) relationNames.add(String(node.aliasname));
    if ('relname' in node) relationNames.add(String(node.relname));
  });
  let found = levelMayChangeRows(select);
  walk(select, (node) => {
    if (found) return false;
    if ('SelectStmt' in node) found = levelMayChangeRows((node as { SelectStmt: SelectStmt }).SelectStmt);
    else if ('JoinExpr' in node) found = Boolean((node as Extract<Node, { JoinExpr: unknown }>).JoinExpr.isNatural);
    else if ('ResTarget' in node) return starOf((node as Extract<Node, { ResTarget: unknown }>).ResTarget.val) === undefined;
    else if ('ColumnRef' in node) found = isWholeRow(node as Extract<Node, { ColumnRef: unknown }>, relationNames);
    else if ('SubLink' in node) found = readsAny((node as Extract<Node, { SubLink: unknown }>).SubLink.subselect, grown);
    else if ('RangeVar' in node) {
      const { relname, alias } = (node as Extract<Node, { RangeVar: unknown }>).RangeVar;
      found = grown.has(String(relname)) && Boolean(alias?.colnames?.length);
    }
    else if ('RangeSubselect' in node) {
      const { lateral, subquery } = (node as Extract<Node, { RangeSubselect: unknown }>).RangeSubselect;
      found = Boolean(lateral) && readsAny(subquery, grown);
    }
    return !found;
  });
  return found;
}

/** A star under DISTINCT, beside a positional reference, or in a branch of a set operation. */
function levelMayChangeRows(select: SelectStmt): boolean {
  if (isSetOperation(select)) return [select.larg, select.rarg].some((branch) => branch !== undefined && (hasStar(branch) || levelMayChangeRows(branch)));
  return hasStar(select) && (Boolean(select.distinctClause?.length) || hasPositionalReference(select));
}

function isWholeRow(node: Extract<Node, { ColumnRef: unknown }>, relationNames: Set<string>): boolean {
  const fields = node.ColumnRef.fields ?? [];
  if (fields.some((field) => 'A_Star' in field)) return true;
  const only = fields.length === 1 ? fields[0] : undefined;
  return only !== undefined && 'String' in only && relationNames.has(String(only.String.sval));
}

function readsAny(tree: Node | undefined, names: Set<string>): boolean {
  let found = false;
  walk(tree, (node) => {
    if ('RangeVar' in node) {
      const { schemaname, relname } = (node as Extract<Node, { RangeVar: unknown }>).RangeVar;
      found ||= !schemaname && names.has(String(relname));
    }
    return !found;
  });
  return found;
}

/** The output column names, stars expanded where the columns are known (CTEs, subqueries); undefined elsewhere. */
function outputNames(select: SelectStmt): string[] | undefined {
  try {
    const { shape } = new QueryAnalyzer(() => undefined).query(select);
    return shape.unknown ? undefined : shape.columns.map((column) => column.name);
  } catch {
    return undefined; // what the analyzer cannot follow is not classified
  }
}
