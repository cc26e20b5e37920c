import { createHash } from 'node:crypto';
import pg from 'pg';

/** What a relation holds, comparable across servers: its columns with their types, and its rows in any order. */
export interface RelationSnapshot {
  /** `name type`, in column order. */
  columns: string[];
  rows: number;
  /** sha256 of the rows' values as the server prints them, sorted: equal for the same rows in any order. */
  digest: string;
}

/** Snapshots by qualified relation name (`schema.name`). */
export type DatabaseSnapshot = Record<string, RelationSnapshot>;

const RELATIONS = `
  select n.nspname as schema, c.relname as name, c.oid::int as oid
  from pg_class as c
  join pg_namespace as n on n.oid = c.relnamespace
  where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm')
    and not exists (select from pg_depend as d where d.objid = c.oid and d.deptype = 'e')
  order by 1, 2`;

const COLUMNS = `
  select attname as name, format_type(atttypid, atttypmod) as type
  from pg_attribute
  where attrelid = $1 and attnum > 0 and not attisdropped
  order by attnum`;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Every table, view and materialized view in `schemas` of the database at `url`. Values are read as the server prints
 * them in a UTC session (no client-side parsing, which would round timestamps to milliseconds). Columns named in
 * `runTimeColumns` hold the time of the run that wrote them (a loader's `_loaded_at`, a model's `now()`): their name
 * and type count, their values do not.
 */
export async function snapshotRelations(url: string, schemas: readonly string[], runTimeColumns: readonly string[] = []): Promise<DatabaseSnapshot> {
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (value: string) => value } });
  await client.connect();
  try {
    await client.query("set timezone = 'UTC'");
    const snapshot: DatabaseSnapshot = {};
    const { rows: relations } = await client.query<{ schema: string; name: string; oid: number }>(RELATIONS, [schemas]);
    for (const { schema, name, oid } of relations) {
      const { rows: columns } = await client.query<{ name: string; type: string }>(COLUMNS, [oid]);
      const compared = columns.map((column) => (runTimeColumns.includes(column.name) ? 'null' : quote(column.name)));
      const { rows } = await client.query<unknown[]>({ text: `select ${compared.join(', ')} from ${quote(schema)}.${quote(name)}`, rowMode: 'array' });
      const lines = rows.map((row) => JSON.stringify(row)).sort();
      snapshot[`${schema}.${name}`] = {
        columns: columns.map((column) => `${column.name} ${column.type}`),
        rows: rows.length,
        digest: createHash('sha256').update(lines.join('\n')).digest('hex'),
      };
    }
    return snapshot;
  } finally {
    await client.end();
  }
}

/** The relations of either snapshot that the other lacks or holds differently (columns, types or rows). */
export function differingRelations(a: DatabaseSnapshot, b: DatabaseSnapshot): string[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name]));
}
