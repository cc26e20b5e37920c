import { quoteIdentifier } from '../src/adapters/sql.js';

/** Runs SQL on a target database. */
export type Query = <R>(sql: string) => Promise<R[]>;

/**
 * Columns whose values differ between two correct builds of the same input, left out of the row comparison:
 * - `_loaded_at` of a JSON seed's rows: when the file was loaded.
 * - `tsdbt_meta.seed_files.loaded_at` and `.mtime_ms`: when, and from which copy of the project (each backend and
 *   the reference have their own copy, with their own mtimes), a file was loaded; `sha256` and `size` still say what.
 * - `tsdbt_meta.microbatches.run_id` and `.updated_at`: which run landed a batch, and when.
 * The snapshot's validity columns (`dbt_valid_from`, `dbt_valid_to`, `dbt_updated_at`) are compared: with the
 * timestamp strategy they come from the data's `updated_at`, not from the clock.
 */
const VOLATILE_COLUMNS: Array<{ relation: RegExp; column: string }> = [
  { relation: /./, column: '_loaded_at' },
  { relation: /^tsdbt_meta\.seed_files$/, column: 'loaded_at' },
  { relation: /^tsdbt_meta\.seed_files$/, column: 'mtime_ms' },
  { relation: /^tsdbt_meta\.microbatches$/, column: 'run_id' },
  { relation: /^tsdbt_meta\.microbatches$/, column: 'updated_at' },
];

/** Names a run gives relations it builds before swapping them in, or moves old ones to: never left after a run. */
const LEFTOVER_NAME = /__tsdbt_(tmp|backup)_/;

/** Relation kinds that hold rows of their own (tables); views and materialized views are derived from them. */
const STORED_KINDS = new Set(['r', 'p']);

interface RelationState {
  kind: string;
  /** `name type`, in column order. */
  columns: string[];
  /** md5 of each row's text (volatile columns left out) -> how many times it occurs. */
  rows: Map<string, number>;
}

/** Every relation of a database's own schemas (pg_catalog, information_schema and temporary schemas left out). */
export type DatabaseState = Map<string, RelationState>;

export async function readDatabaseState(query: Query): Promise<DatabaseState> {
  const relations = await query<{ schema: string; name: string; kind: string }>(`
    select n.nspname as schema, c.relname as name, c.relkind::text as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
    order by 1, 2`);
  const state: DatabaseState = new Map();
  for (const { schema, name, kind } of relations) {
    const key = `${schema}.${name}`;
    const columns = await query<{ name: string; type: string }>(`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
      from pg_attribute a
      where a.attrelid = '${quoteIdentifier(schema)}.${quoteIdentifier(name)}'::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`);
    const compared = columns.filter((column) => !VOLATILE_COLUMNS.some((v) => v.column === column.name && v.relation.test(key)));
    const rowText = compared.length === 0 ? "''" : `row(${compared.map((c) => quoteIdentifier(c.name)).join(', ')})::text`;
    const rows = await query<{ hash: string; n: number }>(
      `select md5(${rowText}) as hash, count(*)::int as n from ${quoteIdentifier(schema)}.${quoteIdentifier(name)} group by 1`,
    );
    state.set(key, { kind, columns: columns.map((c) => `${c.name} ${c.type}`), rows: new Map(rows.map((r) => [r.hash, r.n])) });
  }
  return state;
}

export interface Comparison {
  /**
   * One line per relation that differs from the reference (missing, extra, other columns or other rows). Rows are
   * compared as a multiset, so a file loaded twice (its `_file`, `_record_no` rows twice) or a batch landed twice
   * shows as rows extra, and a batch or file lost as rows missing.
   */
  mismatches: string[];
  /** Rows of the reference's tables that the compared database lacks (views are derived: not counted again). */
  recordsLost: number;
}

export function compareDatabaseStates(reference: DatabaseState, actual: DatabaseState): Comparison {
  const mismatches: string[] = [];
  let recordsLost = 0;
  for (const [name, expected] of reference) {
    const found = actual.get(name);
    if (!found) {
      mismatches.push(`${name}: missing`);
      if (STORED_KINDS.has(expected.kind)) recordsLost += total(expected.rows);
      continue;
    }
    if (found.kind !== expected.kind) mismatches.push(`${name}: relkind ${found.kind}, expected ${expected.kind}`);
    if (found.columns.join(', ') !== expected.columns.join(', ')) {
      mismatches.push(`${name}: columns (${found.columns.join(', ')}), expected (${expected.columns.join(', ')})`);
      continue;
    }
    let lost = 0;
    let extra = 0;
    for (const [hash, n] of expected.rows) lost += Math.max(0, n - (found.rows.get(hash) ?? 0));
    for (const [hash, n] of found.rows) extra += Math.max(0, n - (expected.rows.get(hash) ?? 0));
    if (lost > 0 || extra > 0) mismatches.push(`${name}: ${lost} of ${total(expected.rows)} rows missing, ${extra} rows extra or duplicated`);
    if (STORED_KINDS.has(expected.kind)) recordsLost += lost;
  }
  for (const name of actual.keys()) {
    if (reference.has(name)) continue;
    mismatches.push(LEFTOVER_NAME.test(name) ? `${name}: temporary relation left behind` : `${name}: not in the reference`);
  }
  return { mismatches, recordsLost };
}

function total(rows: Map<string, number>): number {
  let n = 0;
  for (const count of rows.values()) n += count;
  return n;
}
