import { CompiledQuery, sql } from 'kysely';
import type { Connection } from './adapter.js';
import type { SqlDialect } from './dialect.js';
import { META_SCHEMA } from '../core/constants.js';
import { queryBuilder, runQuery } from './kysely.js';

/** The column types state tables use, with the values they hold. */
interface ColumnValues {
  text: string;
  integer: number;
  bigint: number;
  'double precision': number;
  timestamptz: Date;
}

interface ColumnSpec {
  type: keyof ColumnValues;
  nullable?: true;
}

/** A row as written: a value for every column but the stamp. */
export type StateRow<Columns extends Record<string, ColumnSpec>> = {
  [Name in keyof Columns]: ColumnValues[Columns[Name]['type']] | (Columns[Name]['nullable'] extends true ? null : never);
};

/** A table of tsdbt's state about relations (which seed files were loaded, which microbatches landed). */
export interface StateTable<Columns extends { relation: ColumnSpec } & Record<string, ColumnSpec>, Stamp extends string> {
  /** The table's name in META_SCHEMA. */
  name: string;
  /** Every column but the stamp, in order; `relation` (the relation the row is about, quoted) first. */
  columns: Columns;
  /** The primary key: a write replaces the row it names. */
  key: Array<keyof Columns & string>;
  /** The column stamped with now() on every write. */
  stamp: Stamp;
}

type AnyColumns = { relation: ColumnSpec } & Record<string, ColumnSpec>;
type Stored<Columns extends AnyColumns, Stamp extends string> = StateRow<Columns> & { [Column in Stamp]: Date };

/** A state table, its column types kept literal so that its rows are typed from them. */
export function stateTable<const Columns extends AnyColumns, const Stamp extends string>(table: StateTable<Columns, Stamp>): StateTable<Columns, Stamp> {
  return table;
}

/**
 * Queries on state tables in the SQL of `dialect`. The builder only compiles: tables are named at run time, so rows are
 * typed by the callers' StateTable.
 */
const metaOf = (dialect: SqlDialect) => queryBuilder<Record<string, Record<string, unknown>>>(dialect.kysely);

/** One statement may carry at most this many parameters. */
const MAX_PARAMETERS = 65_535;

const qualified = (table: { name: string }) => `${META_SCHEMA}.${table.name}`;

/**
 * The statements that create the table where it is missing. Writers run in parallel and CREATE ... IF NOT EXISTS
 * still races on the catalog, so creators first queue on a lock held to the end of the caller's transaction.
 *
 * On a distributed engine (Citus) a state table is a plain local table on the coordinator, on purpose: only tsdbt
 * reads it, through the coordinator; its rows commit in the coordinator's transaction, with which Citus commits the
 * shards' writes of the same transaction (two-phase), so a seed batch or a microbatch and its state row land together
 * or not at all. A reference table would make every state write a write on every node, for no reader.
 */
export function createStateTableQueries<Columns extends AnyColumns>(dialect: SqlDialect, table: StateTable<Columns, string>): CompiledQuery[] {
  const meta = metaOf(dialect);
  let create = meta.schema.createTable(qualified(table)).ifNotExists();
  for (const [name, column] of Object.entries(table.columns)) create = create.addColumn(name, column.type, (c) => (column.nullable ? c : c.notNull()));
  create = create.addColumn(table.stamp, 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`)).addPrimaryKeyConstraint(`${table.name}_pkey`, table.key);
  return [CompiledQuery.raw(dialect.sql.transactionLock(qualified(table))), meta.schema.createSchema(META_SCHEMA).ifNotExists().compile(), create.compile()];
}

/** Upserts of `rows`, in as few statements as the parameter limit allows. */
export function writeStateQueries<Columns extends AnyColumns>(dialect: SqlDialect, table: StateTable<Columns, string>, rows: Array<StateRow<Columns>>): CompiledQuery[] {
  const meta = metaOf(dialect);
  const columns = Object.keys(table.columns);
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  const updated = columns.filter((column) => !(table.key as string[]).includes(column));
  const queries: CompiledQuery[] = [];
  for (let at = 0; at < rows.length; at += perStatement) {
    const values = rows.slice(at, at + perStatement).map((row) => ({ ...Object.fromEntries(columns.map((column) => [column, row[column]])), [table.stamp]: sql`now()` }));
    const query = meta
      .insertInto(qualified(table))
      .values(values)
      .onConflict((conflict) =>
        conflict.columns(table.key).doUpdateSet(Object.fromEntries([...updated.map((column) => [column, sql.ref(`excluded.${column}`)]), [table.stamp, sql`now()`]])),
      );
    queries.push(query.compile());
  }
  return queries;
}

export async function ensureStateTable<Columns extends AnyColumns>(connection: Connection, table: StateTable<Columns, string>): Promise<void> {
  for (const query of createStateTableQueries(connection.dialect, table)) await connection.query(query.sql, query.parameters);
}

/** The rows about `relation`. */
export async function readStateRows<Columns extends AnyColumns, Stamp extends string>(connection: Connection, table: StateTable<Columns, Stamp>, relation: string): Promise<Array<Stored<Columns, Stamp>>> {
  return readStateRowsWhere(connection, table, 'relation', [relation]);
}

/** The rows whose `column` holds one of `values` (every row when `values` is undefined). */
export async function readStateRowsWhere<Columns extends AnyColumns, Stamp extends string>(
  connection: Connection,
  table: StateTable<Columns, Stamp>,
  column: keyof Columns & string,
  values?: readonly string[],
): Promise<Array<Stored<Columns, Stamp>>> {
  if (values?.length === 0) return [];
  const all = metaOf(connection.dialect).selectFrom(qualified(table)).selectAll();
  const rows = await runQuery(connection, values ? all.where(column as string, 'in', [...values]) : all);
  return rows as Array<Stored<Columns, Stamp>>;
}

export async function writeStateRows<Columns extends AnyColumns>(connection: Connection, table: StateTable<Columns, string>, rows: Array<StateRow<Columns>>): Promise<void> {
  for (const query of writeStateQueries(connection.dialect, table, rows)) await connection.query(query.sql, query.parameters);
}

/** Forgets all that is known about `relation` (a full refresh, a dropped table). */
export async function forgetStateRows(connection: Connection, table: { name: string }, relation: string): Promise<void> {
  await forgetStateRowsWhere(connection, table, 'relation', [relation]);
}

/** Deletes the rows whose `column` holds one of `values`. */
export async function forgetStateRowsWhere(connection: Connection, table: { name: string }, column: string, values: readonly string[]): Promise<void> {
  if (values.length === 0) return;
  await runQuery(connection, metaOf(connection.dialect).deleteFrom(qualified(table)).where(column, 'in', [...values]));
}
