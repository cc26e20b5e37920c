import type { Connection } from '../adapters/adapter.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../errors.js';
import { encodeCopyRows } from './copy-rows.js';

export interface DeclaredColumn {
  name: string;
  /** A PostgreSQL type, as in `create table`. */
  type: string;
}

export type ModelRow = Record<string, unknown>;

/**
 * What rendering a model gives for one build: a SELECT (SQL models, and TypeScript models returning a Kysely query),
 * or rows with declared column types (TypeScript models returning data), which are written with COPY.
 */
export type ModelOutput =
  | { kind: 'sql'; sql: string }
  | { kind: 'rows'; columns: DeclaredColumn[]; rows: Iterable<ModelRow> | AsyncIterable<ModelRow> };

/** Views and materialized views are queries: a model that returns rows cannot be one. */
export function requireSql(output: ModelOutput, materialization: string, file: string): string {
  if (output.kind === 'sql') return output.sql;
  throw new TsdbtError('compile', `a ${materialization} needs a query, and this model returns rows`, {
    location: { file },
    hint: 'return a Kysely query, or materialize the model as a table or incremental',
  });
}

/**
 * Creates `relation` holding the model's output and returns its row count. `temporary` makes a session table dropped
 * at commit, for increments; otherwise a regular table, as the swap needs.
 */
export async function createTableFrom(
  run: (connection: Connection, sql: string) => Promise<{ rowCount: number | null }>,
  connection: Connection,
  relation: string,
  output: ModelOutput,
  options: { temporary?: boolean; withData?: boolean } = {},
): Promise<number> {
  const create = options.temporary ? 'create temporary table' : 'create table';
  const onCommit = options.temporary ? ' on commit drop' : '';
  if (output.kind === 'sql') {
    const noData = options.withData === false ? ' with no data' : '';
    const created = await run(connection, `${create} ${relation}${onCommit} as (\n${output.sql}\n)${noData}`);
    return created.rowCount ?? 0;
  }
  const columns = output.columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`).join(', ');
  await run(connection, `${create} ${relation} (${columns})${onCommit}`);
  if (options.withData === false) return 0;
  const names = output.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  return connection.copyFrom(`${relation} (${names})`, 'format text', encodeCopyRows(output.columns, output.rows));
}
