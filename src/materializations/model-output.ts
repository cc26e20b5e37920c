import type { Connection } from '../adapters/adapter.js';
import { runStatements, type TableOptions } from '../adapters/dialect-sql.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import { checkContract, contractColumns, contractEnforced, releaseConstraintNames, scratchColumns, warnUnsupportedConstraints } from './contract.js';
import { encodeCopyRows } from './copy-rows.js';
import type { SwapTarget } from './swap.js';

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
 * at commit, for increments; otherwise a regular table, as the swap needs. Every table a model's output lands in is
 * made here, so an enforced contract applies to all of them: the output's columns are checked before any row moves,
 * then the table is created from the contract (with its constraints, unless temporary) and filled.
 */
export async function createTableFrom(target: SwapTarget, connection: Connection, relation: string, output: ModelOutput, tableOptions: TableOptions = {}): Promise<number> {
  const options: TableOptions = { distribution: target.distribution, ...tableOptions };
  if (!contractEnforced(target.node)) return createAs(target.run, connection, relation, output, options);
  await checkOutputContract(target, connection, output);
  if (!options.temporary) await releaseConstraintNames(target, connection);
  await runStatements(connection.dialect.sql.createTable(relation, contractColumns(target.node, !options.temporary), options), (sql) => target.run(connection, sql));
  if (options.withData === false) return 0;
  if (output.kind === 'rows') return copyInto(connection, relation, output);
  const list = Object.keys(target.node.columns).map(quoteIdentifier).join(', ');
  return (await target.run(connection, `insert into ${relation} (${list})\nselect ${list} from (\n${output.sql}\n) as model`)).rowCount ?? 0;
}

/** A view or materialized view under an enforced contract: its names and types are checked; it cannot hold constraints. */
export async function checkQueryContract(target: SwapTarget, connection: Connection, output: ModelOutput, kind: 'view' | 'materialized view'): Promise<void> {
  if (!contractEnforced(target.node)) return;
  warnUnsupportedConstraints(target, kind);
  await checkOutputContract(target, connection, output);
}

/** Fails, naming the columns, when the output differs from the enforced contract; the query is planned, never run. */
async function checkOutputContract(target: SwapTarget, connection: Connection, output: ModelOutput): Promise<void> {
  const actual = await scratchColumns(target, connection, 'query', (relation) => createAs(target.run, connection, relation, output, { temporary: true, withData: false }));
  await checkContract(target, connection, actual);
}

/** The table the output describes: `create table ... as` a query, or the declared columns filled by COPY. */
async function createAs(run: SwapTarget['run'], connection: Connection, relation: string, output: ModelOutput, options: TableOptions): Promise<number> {
  if (output.kind === 'sql') {
    const created = await runStatements(connection.dialect.sql.createTableAs(relation, output.sql, options), (sql) => run(connection, sql));
    return created.rowCount ?? 0;
  }
  const columns = output.columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`).join(', ');
  await runStatements(connection.dialect.sql.createTable(relation, columns, options), (sql) => run(connection, sql));
  return options.withData === false ? 0 : copyInto(connection, relation, output);
}

function copyInto(connection: Connection, relation: string, output: Extract<ModelOutput, { kind: 'rows' }>): Promise<number> {
  const names = output.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  return connection.copyFrom(`${relation} (${names})`, connection.dialect.sql.copyTextOptions, encodeCopyRows(output.columns, output.rows));
}
