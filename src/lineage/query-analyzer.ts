import type { JoinExpr, Node, RangeFunction, RangeVar, SelectStmt, SubLink, WithClause } from 'libpg-query';
import { clauseItem, type BareNameRule } from './clause-items.js';
import { Derivation } from './derivation.js';
import { functionName, outputColumnName, stringsOf } from './output-names.js';
import { findColumn, joinReasons, renameColumns, Scope, wholeRow, type ColumnSet, type FromItem, type OutputColumn, type Range } from './scope.js';

/** The columns of a relation named in FROM that is not a CTE; undefined when it is not a project relation. */
export type RelationColumns = (schema: string | undefined, name: string) => ColumnSet | undefined;

/** Set-returning functions whose output columns are OUT parameters, so their names do not follow the alias. */
const OUT_COLUMNS: Record<string, string[]> = {
  jsonb_array_elements: ['value'],
  jsonb_array_elements_text: ['value'],
  json_array_elements: ['value'],
  json_array_elements_text: ['value'],
  jsonb_each: ['key', 'value'],
  jsonb_each_text: ['key', 'value'],
  json_each: ['key', 'value'],
  json_each_text: ['key', 'value'],
};

/** Set-returning functions of one unnamed column, named after the alias or else the function. */
const SCALAR_FUNCTIONS = new Set([
  'generate_series', 'generate_subscripts', 'unnest', 'regexp_matches', 'regexp_split_to_table', 'string_to_table',
  'jsonb_object_keys', 'json_object_keys', 'jsonb_path_query',
]);

/** Set-returning functions: one of them in a select list multiplies its rows, so its arguments decide how many there are. */
export const KNOWN_SET_RETURNING_FUNCTIONS: ReadonlySet<string> = new Set([
  ...Object.keys(OUT_COLUMNS), ...SCALAR_FUNCTIONS,
  'jsonb_to_recordset', 'json_to_recordset', 'jsonb_populate_recordset', 'json_populate_recordset',
]);

/** The recursive part of a CTE is re-analysed until its lineage stops growing; lineage sets are finite, so it does. */
const MAX_RECURSIVE_PASSES = 64;

/** A query's output columns, and what its rows are chosen, grouped, joined, ordered, limited and windowed by. */
export interface AnalysedQuery {
  shape: ColumnSet;
  rowInputs: Derivation;
}

/**
 * Maps each output column of a SELECT to what it derives from. Only value expressions count: WHERE, JOIN ON, GROUP
 * BY, HAVING, ORDER BY, DISTINCT ON, window PARTITION BY/ORDER BY, aggregate FILTER and ORDER BY choose or order
 * rows and are not lineage (except WITHIN GROUP's ORDER BY, which is the aggregated value). Those are the query's
 * row inputs instead, gathered from every level (CTEs, subqueries, set-operation branches).
 */
export class QueryAnalyzer {
  private readonly subqueryShapes = new WeakMap<object, ColumnSet>();
  /** The row inputs of the query `query()` is analysing. */
  private rowInputs = new Derivation();

  constructor(private readonly relationColumns: RelationColumns) {}

  query(stmt: SelectStmt): AnalysedQuery {
    this.rowInputs = new Derivation();
    return { shape: this.select(stmt, undefined), rowInputs: this.rowInputs };
  }

  private select(stmt: SelectStmt, outer: Scope | undefined): ColumnSet {
    const withScope = stmt.withClause ? this.withScope(stmt.withClause, outer) : outer;
    const scope = new Scope(withScope);
    let shape: ColumnSet;
    if (stmt.op && stmt.op !== 'SETOP_NONE') shape = this.setOperation(stmt, withScope);
    else if (stmt.valuesLists) shape = this.values(stmt.valuesLists, withScope);
    else shape = this.plainSelect(stmt, scope);
    for (const item of stmt.sortClause ?? []) {
      if ('SortBy' in item && item.SortBy.node) this.readClauseItem(item.SortBy.node, shape, scope, 'output first');
    }
    this.readRows(stmt.limitCount, scope);
    this.readRows(stmt.limitOffset, scope);
    return shape;
  }

  /** A SELECT with a FROM list (or none), not a set operation or VALUES; `scope` gets its FROM items. */
  private plainSelect(stmt: SelectStmt, scope: Scope): ColumnSet {
    for (const node of stmt.fromClause ?? []) scope.items.push(this.fromItem(node, scope, scope.parent));
    const columns: OutputColumn[] = [];
    const unknown: string[] = [];
    for (const target of stmt.targetList ?? []) {
      if (!('ResTarget' in target) || !target.ResTarget.val) continue;
      const { name, val } = target.ResTarget;
      const star = starOf(val);
      if (star) {
        const expanded = scope.star(star.qualifier);
        columns.push(...expanded.columns);
        if (expanded.unknown) unknown.push(`* over ${expanded.unknown}`);
        continue;
      }
      columns.push({ name: name ?? outputColumnName(val, (subquery) => this.subquery(subquery, scope).columns[0]?.name), derivation: this.expression(val, scope) });
    }
    const shape = { columns, unknown: joinReasons(...unknown) };
    this.readRows(stmt.whereClause, scope);
    this.readRows(stmt.havingClause, scope);
    this.readRows(stmt.windowClause, scope);
    for (const item of stmt.groupClause ?? []) this.readGroupItem(item, shape, scope);
    const distinct = stmt.distinctClause ?? [];
    // Plain DISTINCT is a list of one empty node; DISTINCT ON lists its expressions.
    if (distinct.length === 1 && Object.keys(distinct[0]!).length === 0) this.rowInputs.add(wholeRow(shape));
    else for (const item of distinct) this.readClauseItem(item, shape, scope, 'output first');
    return shape;
  }

  /** A clause that chooses, orders or limits rows: every column reference in it is a row input. */
  private readRows(node: unknown, scope: Scope): void {
    this.collect(node, scope, this.rowInputs);
  }

  private readClauseItem(node: Node, output: ColumnSet, scope: Scope, rule: BareNameRule): void {
    this.rowInputs.add(clauseItem(node, output, scope, rule, (expression) => this.expression(expression, scope)));
  }

  /** GROUPING SETS, ROLLUP and CUBE list group items. */
  private readGroupItem(node: Node, output: ColumnSet, scope: Scope): void {
    if ('GroupingSet' in node) for (const item of node.GroupingSet.content ?? []) this.readGroupItem(item, output, scope);
    else this.readClauseItem(node, output, scope, 'input first');
  }

  /** Every column reference inside an expression counts, except in clauses that choose or order rows. */
  private expression(node: unknown, scope: Scope): Derivation {
    const derivation = new Derivation();
    this.collect(node, scope, derivation);
    return derivation;
  }

  private collect(value: unknown, scope: Scope, into: Derivation): void {
    if (Array.isArray(value)) {
      for (const item of value) this.collect(item, scope, into);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Node;
    if ('ColumnRef' in node) {
      const fields = node.ColumnRef.fields ?? [];
      const star = starOf(node);
      into.add(star ? wholeRow(scope.star(star.qualifier)) : scope.resolve(stringsOf(fields)));
    } else if ('SubLink' in node) {
      this.subLink(node.SubLink, scope, into);
    } else if ('FuncCall' in node) {
      const call = node.FuncCall;
      this.collect(call.args, scope, into);
      if (KNOWN_SET_RETURNING_FUNCTIONS.has(functionName(call) ?? '')) this.readRows(call.args, scope);
      this.collect(call.agg_order, scope, call.agg_within_group ? into : this.rowInputs);
      this.readRows(call.agg_filter, scope);
      this.readRows(call.over, scope);
    } else {
      for (const child of Object.values(value)) this.collect(child, scope, into);
    }
  }

  private subLink(link: SubLink, scope: Scope, into: Derivation): void {
    this.collect(link.testexpr, scope, into);
    if (!link.subselect) return;
    // Analysed even for EXISTS, for its row inputs; EXISTS tests whether rows exist: what they hold is not its value.
    const shape = this.subquery(link.subselect, scope);
    if (link.subLinkType !== 'EXISTS_SUBLINK') into.add(wholeRow(shape));
  }

  /** A subquery in an expression, analysed once though both its name and its lineage are asked for. */
  private subquery(node: Node, scope: Scope): ColumnSet {
    let shape = this.subqueryShapes.get(node);
    if (!shape) {
      shape = 'SelectStmt' in node ? this.select(node.SelectStmt, scope) : this.unanalysed('a subquery that is not a SELECT');
      this.subqueryShapes.set(node, shape);
    }
    return shape;
  }

  private withScope(withClause: WithClause, outer: Scope | undefined): Scope {
    const scope = new Scope(outer);
    for (const node of withClause.ctes ?? []) {
      if (!('CommonTableExpr' in node)) continue;
      const cte = node.CommonTableExpr;
      const name = cte.ctename!;
      const aliases = stringsOf(cte.aliascolnames);
      const query = cte.ctequery && 'SelectStmt' in cte.ctequery ? cte.ctequery.SelectStmt : undefined;
      if (!query) {
        scope.ctes.set(name, this.unanalysed(`CTE ${name} is not a SELECT`));
      } else if (withClause.recursive && query.op === 'SETOP_UNION' && query.larg) {
        scope.ctes.set(name, this.recursiveCte(name, query, aliases, scope));
      } else {
        scope.ctes.set(name, renameColumns(this.select(query, scope), aliases));
      }
    }
    return scope;
  }

  /** The non-recursive branch first, then the whole union over and over with the CTE bound to the last result. */
  private recursiveCte(name: string, query: SelectStmt, aliases: string[], scope: Scope): ColumnSet {
    let shape = renameColumns(this.select(query.larg!, scope), aliases);
    let size = sizeOf(shape);
    for (let pass = 0; pass < MAX_RECURSIVE_PASSES; pass++) {
      scope.ctes.set(name, shape);
      const next = renameColumns(this.select(query, scope), aliases);
      const nextSize = sizeOf(next);
      shape = next;
      if (nextSize === size) break;
      size = nextSize;
    }
    return shape;
  }

  /** Column i of UNION, INTERSECT and EXCEPT derives from column i of both sides; names come from the left. */
  private setOperation(stmt: SelectStmt, scope: Scope | undefined): ColumnSet {
    const left = this.select(stmt.larg!, scope);
    const right = this.select(stmt.rarg!, scope);
    const shape = {
      columns: left.columns.map((column, i) => {
        const other = right.columns[i];
        return { name: column.name, derivation: other ? Derivation.union([column.derivation, other.derivation]) : column.derivation };
      }),
      unknown: joinReasons(left.unknown, right.unknown),
    };
    // All but UNION ALL compare whole rows.
    if (!(stmt.op === 'SETOP_UNION' && stmt.all)) this.rowInputs.add(wholeRow(shape));
    return shape;
  }

  /** Something not analysed: its columns are unknown, and so is what it reads to choose its rows. */
  private unanalysed(reason: string): ColumnSet {
    this.rowInputs.add(Derivation.unresolvable(reason));
    return { columns: [], unknown: reason };
  }

  private values(rows: Node[], scope: Scope | undefined): ColumnSet {
    const evaluation = new Scope(scope);
    const lists = rows.map((row) => ('List' in row ? (row.List.items ?? []) : []));
    return {
      columns: (lists[0] ?? []).map((_, i) => ({
        name: `column${i + 1}`,
        derivation: Derivation.union(lists.map((items) => this.expression(items[i], evaluation))),
      })),
    };
  }

  /**
   * `scope` sees the FROM items to the left (for LATERAL and functions, which are implicitly lateral); `outer` is
   * what a non-lateral subquery sees.
   */
  private fromItem(node: Node, scope: Scope, outer: Scope | undefined): FromItem {
    if ('RangeVar' in node) return itemOf(this.relation(node.RangeVar, scope));
    if ('RangeSubselect' in node) {
      const { lateral, subquery, alias } = node.RangeSubselect;
      const shape = subquery && 'SelectStmt' in subquery
        ? this.select(subquery.SelectStmt, lateral ? scope : outer)
        : this.unanalysed('a FROM subquery that is not a SELECT');
      return itemOf({ name: alias?.aliasname, ...renameColumns(shape, stringsOf(alias?.colnames)) });
    }
    if ('RangeFunction' in node) return itemOf(this.functionRange(node.RangeFunction, scope));
    if ('JoinExpr' in node) return this.join(node.JoinExpr, scope, outer);
    const kind = Object.keys(node)[0] ?? 'unknown';
    return { ...this.unanalysed(`${kind} in FROM is not analysed`), ranges: [] };
  }

  private relation(rangeVar: RangeVar, scope: Scope): Range {
    const { schemaname, relname, alias } = rangeVar;
    const name = relname!;
    const qualified = schemaname ? `${schemaname}.${name}` : name;
    const set = (schemaname ? undefined : scope.cte(name))
      ?? this.relationColumns(schemaname, name)
      ?? { columns: [], unknown: `relation ${qualified} is not a project relation` };
    return { name: alias?.aliasname ?? name, ...renameColumns(set, stringsOf(alias?.colnames)) };
  }

  /** Every output of a function in FROM derives from all its arguments, and so do its rows. */
  private functionRange(rangeFunction: RangeFunction, scope: Scope): Range {
    const { functions, alias, coldeflist, ordinality } = rangeFunction;
    const derivation = this.expression(functions, scope);
    this.rowInputs.add(derivation);
    const calls = (functions ?? []).map((item) => ('List' in item ? item.List.items?.[0] : undefined));
    const functionNames = calls.map((call) => (call && 'FuncCall' in call ? functionName(call.FuncCall) : undefined));
    const declared = (coldeflist ?? []).flatMap((column) => ('ColumnDef' in column && column.ColumnDef.colname ? [column.ColumnDef.colname] : []));
    const aliasNames = stringsOf(alias?.colnames);
    let names: string[] | undefined;
    if (declared.length > 0) names = declared;
    else if (functionNames.length === 1 && SCALAR_FUNCTIONS.has(functionNames[0]!)) names = [alias?.aliasname ?? functionNames[0]!];
    else if (functionNames.every((name) => name !== undefined && OUT_COLUMNS[name])) names = functionNames.flatMap((name) => OUT_COLUMNS[name!]!);
    const name = alias?.aliasname ?? functionNames[0];
    if (!names) {
      // Alias names cover every column, or only the first ones of a function we cannot see into: no `*` then.
      const unknown = `the columns of ${functionNames.map((fn) => `${fn ?? 'a function'}()`).join(', ')} are not known`;
      return { name, columns: aliasNames.map((column) => ({ name: column, derivation })), unknown, anyColumn: derivation };
    }
    const columns = [...names, ...(ordinality ? ['ordinality'] : [])].map((column) => ({
      name: column,
      derivation: column === 'ordinality' && ordinality ? new Derivation() : derivation,
    }));
    return { name, ...renameColumns({ columns }, aliasNames) };
  }

  /**
   * A join's columns: USING/NATURAL columns once (from the left for inner and left joins, the right for right
   * joins, both for full joins), then the others of each side. Unaliased, both sides' ranges stay visible.
   */
  private join(join: JoinExpr, scope: Scope, outer: Scope | undefined): FromItem {
    const left = this.fromItem(join.larg!, scope, outer);
    const rightScope = new Scope(scope);
    rightScope.items.push(left);
    const right = this.fromItem(join.rarg!, rightScope, outer);
    let mergedNames = stringsOf(join.usingClause);
    let unknown = joinReasons(left.unknown, right.unknown);
    if (join.isNatural) {
      mergedNames = left.columns.map((column) => column.name).filter((name) => findColumn(right, name));
      if (unknown) {
        unknown = `NATURAL join over ${unknown}`;
        // The columns it joins on cannot be listed.
        this.rowInputs.add(Derivation.unresolvable(unknown));
      }
    }
    const side = (set: FromItem, name: string) => findColumn(set, name)?.derivation ?? Derivation.unresolvable(`${name}: ${set.unknown ?? 'no such column'}`);
    for (const name of mergedNames) {
      this.rowInputs.add(side(left, name));
      this.rowInputs.add(side(right, name));
    }
    if (join.quals) {
      const both = new Scope(scope);
      both.items.push(left, right);
      this.readRows(join.quals, both);
    }
    const merged = mergedNames.map((name) => {
      const sides = join.jointype === 'JOIN_FULL' ? [left, right] : [join.jointype === 'JOIN_RIGHT' ? right : left];
      return { name, derivation: Derivation.union(sides.map((set) => side(set, name))) };
    });
    const rest = (set: FromItem) => set.columns.filter((column) => !mergedNames.includes(column.name));
    const columns = [...merged, ...rest(left), ...rest(right)];
    if (join.alias) {
      const range = { name: join.alias.aliasname, ...renameColumns({ columns, unknown }, stringsOf(join.alias.colnames)) };
      return itemOf(range);
    }
    const usingAlias = join.join_using_alias ? [{ name: join.join_using_alias.aliasname, columns: merged }] : [];
    return { columns, unknown, ranges: [...left.ranges, ...right.ranges, ...usingAlias] };
  }
}

function itemOf(range: Range): FromItem {
  return { columns: range.columns, unknown: range.unknown, ranges: [range] };
}

/** `*` or `t.*` as a select-list entry or a whole-row argument. */
function starOf(node: Node): { qualifier: string | undefined } | undefined {
  if (!('ColumnRef' in node)) return undefined;
  const fields = node.ColumnRef.fields ?? [];
  if (!fields.at(-1) || !('A_Star' in fields.at(-1)!)) return undefined;
  return { qualifier: stringsOf(fields).at(-1) };
}

function sizeOf(set: ColumnSet): number {
  return set.columns.reduce((total, column) => total + column.derivation.size, 0);
}
