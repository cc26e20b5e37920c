import { Derivation } from './derivation.js';

export interface OutputColumn {
  name: string;
  derivation: Derivation;
}

/** Columns in order (of a query, a relation, a FROM item); `unknown` says why the list may be incomplete. */
export interface ColumnSet {
  columns: OutputColumn[];
  unknown?: string;
}

/** A name columns can be qualified with: a table, CTE, subquery, function or join alias. */
export interface Range extends ColumnSet {
  name: string | undefined;
  /** What any column of it derives from when its columns are not known (a function: every output from its arguments). */
  anyColumn?: Derivation;
}

/** One entry of a FROM list: its columns (for unqualified references and `*`) and the ranges it makes visible. */
export interface FromItem extends ColumnSet {
  ranges: Range[];
}

export function findColumn(set: ColumnSet, name: string): OutputColumn | undefined {
  return set.columns.find((column) => column.name === name);
}

export function joinReasons(...reasons: Array<string | undefined>): string | undefined {
  const known = reasons.filter((reason): reason is string => reason !== undefined);
  return known.length === 0 ? undefined : [...new Set(known)].join('; ');
}

/**
 * What a query level can see: its CTEs, the FROM items analysed so far (so LATERAL items see those to their left),
 * and the enclosing level for correlated references.
 */
export class Scope {
  readonly ctes = new Map<string, ColumnSet>();
  readonly items: FromItem[] = [];

  constructor(readonly parent: Scope | undefined) {}

  cte(name: string): ColumnSet | undefined {
    return this.ctes.get(name) ?? this.parent?.cte(name);
  }

  range(name: string): Range | undefined {
    for (const item of this.items) {
      const range = item.ranges.find((candidate) => candidate.name === name);
      if (range) return range;
    }
    return this.parent?.range(name);
  }

  /** A column reference's fields (`c`, `t.c`, `s.t.c`), as PostgreSQL resolves them: innermost level first. */
  resolve(fields: string[]): Derivation {
    const column = fields.at(-1)!;
    if (fields.length === 1) return this.resolveUnqualified(column);
    const qualifier = fields.at(-2)!;
    const range = this.range(qualifier);
    if (!range) return Derivation.unresolvable(`${qualifier}.${column}: no FROM item named ${qualifier}`);
    const found = findColumn(range, column);
    if (found) return found.derivation;
    if (range.anyColumn) return range.anyColumn;
    return Derivation.unresolvable(`${qualifier}.${column}: ${range.unknown ?? `${qualifier} has no column ${column}`}`);
  }

  /** `*` (all FROM items of this level) or `t.*`. */
  star(qualifier: string | undefined): ColumnSet {
    if (qualifier === undefined) {
      return { columns: this.items.flatMap((item) => item.columns), unknown: joinReasons(...this.items.map((item) => item.unknown)) };
    }
    return this.range(qualifier) ?? { columns: [], unknown: `${qualifier}.*: no FROM item named ${qualifier}` };
  }

  private resolveUnqualified(name: string): Derivation {
    return this.lookUp(name) ?? Derivation.unresolvable(`${name}: no such column in scope`);
  }

  /**
   * An unqualified name as an input column (or whole row) of this level or an enclosing one; undefined when no level
   * has it and every FROM item's columns are known, so that it is certainly not an input column.
   */
  lookUp(name: string): Derivation | undefined {
    for (const item of this.items) {
      const found = findColumn(item, name);
      if (found) return found.derivation;
    }
    // A whole-row reference (`select t from t`): a column of that name would have won above.
    const range = this.items.flatMap((item) => item.ranges).find((candidate) => candidate.name === name);
    if (range) return wholeRow(range);
    const unknown = joinReasons(...this.items.map((item) => item.unknown));
    // The column may be in a FROM item whose columns are unknown, or further out: we cannot tell which.
    if (unknown) return Derivation.unresolvable(`${name}: ${unknown}`);
    return this.parent?.lookUp(name);
  }
}

export function wholeRow(set: ColumnSet): Derivation {
  const derivation = Derivation.union(set.columns.map((column) => column.derivation));
  if (set.unknown) derivation.unresolved.add(set.unknown);
  return derivation;
}

/** Column aliases (`as t(a, b)`, `cte(a, b)`) rename the first columns. */
export function renameColumns<T extends ColumnSet>(set: T, names: string[]): T {
  if (names.length === 0) return set;
  return { ...set, columns: set.columns.map((column, i) => (i < names.length ? { ...column, name: names[i]! } : column)) };
}
