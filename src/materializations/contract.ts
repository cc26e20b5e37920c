import type { Connection } from '../adapters/adapter.js';
import type { ColumnType } from '../adapters/introspector.js';
import { quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import { formatTable } from '../util/table.js';
import { TsdbtError } from '../core/errors.js';
import type { Constraint, GraphNode } from '../core/nodes.js';
import type { SwapTarget } from './swap.js';
import { temporaryName } from './temporary-names.js';

/** Whether the model's contract is enforced: only then are its columns' types and its constraints applied, as in dbt. */
export function contractEnforced(node: GraphNode): boolean {
  return node.config.contract?.enforced === true;
}

/** Model-level constraints first, then each column's, with the column they are written on. */
export function constraintsOf(node: GraphNode): Array<{ constraint: Constraint; column?: string }> {
  return [
    ...(node.constraints ?? []).map((constraint) => ({ constraint })),
    ...Object.values(node.columns).flatMap((column) => (column.constraints ?? []).map((constraint) => ({ constraint, column: column.name }))),
  ];
}

/**
 * The inside of `create table (...)` for the contract: its columns in its order with their declared types and, when
 * `withConstraints`, its constraints. Session tables (increments, checks) take the types only: the table they feed
 * enforces the constraints, and a temporary table cannot reference a permanent one.
 */
export function contractColumns(node: GraphNode, withConstraints: boolean): string {
  // PostgreSQL has no table-level NOT NULL: a model-level not_null marks its columns.
  const notNull = new Set((node.constraints ?? []).filter((constraint) => constraint.type === 'not_null').flatMap((constraint) => constraint.columns ?? []));
  const columns = Object.values(node.columns).map((column) => {
    const clauses = withConstraints ? (column.constraints ?? []).map((constraint) => constraintClause(constraint, column.name)) : [];
    if (withConstraints && notNull.has(column.name)) clauses.push('not null');
    return [quoteIdentifier(column.name), column.dataType!, ...clauses].join(' ');
  });
  const tableLevel = withConstraints ? (node.constraints ?? []).filter((constraint) => constraint.type !== 'not_null').map((constraint) => constraintClause(constraint)) : [];
  return `\n  ${[...columns, ...tableLevel].join(',\n  ')}\n`;
}

/** One constraint as PostgreSQL writes it: after a column's type when `column` is given, else as a table constraint. */
function constraintClause(constraint: Constraint, column?: string): string {
  if (constraint.type === 'custom') return constraint.expression!;
  const named = constraint.name ? `constraint ${quoteIdentifier(constraint.name)} ` : '';
  const columns = column ? '' : ` (${(constraint.columns ?? []).map(quoteIdentifier).join(', ')})`;
  const clause = {
    not_null: () => 'not null',
    unique: () => `unique${columns}`,
    primary_key: () => `primary key${columns}`,
    check: () => `check (${constraint.expression})`,
    foreign_key: () => `${column ? '' : `foreign key${columns} `}references ${referencedTable(constraint)}`,
  }[constraint.type];
  return `${named}${clause()}`;
}

/** dbt 1.9's `to: ref('x')` with `to_columns`, resolved at parse time, or the older `expression: other_table (id)`. */
function referencedTable(constraint: Constraint): string {
  if (!constraint.toRelation) return constraint.expression!;
  const columns = constraint.toColumns?.length ? ` (${constraint.toColumns.map(quoteIdentifier).join(', ')})` : '';
  return `${quoteRelation(constraint.toRelation)}${columns}`;
}

/** A session table's name for this node and run, for the check's scratch tables. */
function scratchName(target: SwapTarget, role: 'query' | 'contract'): string {
  return quoteIdentifier(temporaryName(target.node.relation.identifier, role, target.runId, target.adapter.capabilities.maxIdentifierLength));
}

/**
 * The columns of a session table `create` makes (empty), read from the catalog and dropped again: how PostgreSQL
 * itself spells a type written any way (`int` is `integer`, `varchar(10)` is `character varying(10)`).
 */
export async function scratchColumns(target: SwapTarget, connection: Connection, role: 'query' | 'contract', create: (relation: string) => Promise<unknown>): Promise<ColumnType[]> {
  const relation = scratchName(target, role);
  await create(relation);
  const columns = await connection.introspector.relationColumns(relation);
  await target.run(connection, `drop table ${relation}`);
  return columns;
}

const MISMATCH_COLUMNS = ['column', 'contract_type', 'query_type', 'mismatch'] as const;
type Mismatch = Record<(typeof MISMATCH_COLUMNS)[number], string>;

/**
 * Compares the query's columns (`actual`, read without running it) with the contract's, and fails naming each column
 * missing from either side or of another type. Order does not matter: the table takes the contract's.
 */
export async function checkContract(target: SwapTarget, connection: Connection, actual: ColumnType[]): Promise<void> {
  const declared = await scratchColumns(target, connection, 'contract', (relation) =>
    target.run(connection, `create temporary table ${relation} (${contractColumns(target.node, false)})`),
  );
  const query = new Map(actual.map((column) => [column.name, column.type]));
  const mismatches: Mismatch[] = [];
  for (const column of declared) {
    const type = query.get(column.name);
    if (type === undefined) mismatches.push({ column: column.name, contract_type: column.type, query_type: '', mismatch: 'missing in the query' });
    else if (!sameType(column.type, type)) mismatches.push({ column: column.name, contract_type: column.type, query_type: type, mismatch: 'data type mismatch' });
  }
  const names = new Set(declared.map((column) => column.name));
  for (const column of actual.filter((column) => !names.has(column.name))) {
    mismatches.push({ column: column.name, contract_type: '', query_type: column.type, mismatch: 'missing in the contract' });
  }
  if (mismatches.length === 0) return;
  const summary = mismatches.map((row) => `${row.column} (${row.mismatch})`).join(', ');
  // No hint: it would follow the table. The first line is what the run's progress line shows.
  const advice = 'make the query return exactly these columns with these types (cast where needed), or change the contract';
  throw new TsdbtError('runtime', `the query does not match the model's enforced contract: ${summary}\n${advice}:\n${formatTable(MISMATCH_COLUMNS, mismatches.map((row) => MISMATCH_COLUMNS.map((column) => row[column])))}`, {
    location: { file: target.node.originalFilePath },
  });
}

/**
 * As dbt, base types are compared (`character varying(20)` is a `character varying`), unless the contract gives a
 * length, precision or scale: then it must be that one.
 */
function sameType(contract: string, query: string): boolean {
  return contract.includes('(') ? contract === query : contract === query.replace(/\([^)]*\)/g, '');
}

/**
 * A named unique or primary key constraint owns an index of that name, which must be unique in the schema. During a
 * swap the old table still holds it, so it gives the name up (renamed; it is dropped with the old table at the swap)
 * for the new table to take. In the build's transaction, so a failure gives it back. Renaming the index renames its
 * constraint too, and unlike renaming the constraint it works on a distributed table as well.
 */
export async function releaseConstraintNames(target: SwapTarget, connection: Connection): Promise<void> {
  const wanted = new Set(
    constraintsOf(target.node)
      .map(({ constraint }) => constraint)
      .filter((constraint) => constraint.name && (constraint.type === 'unique' || constraint.type === 'primary_key'))
      .map((constraint) => constraint.name!),
  );
  if (wanted.size === 0) return;
  for (const name of (await connection.introspector.constraintNames(target.node.relation)).filter((held) => wanted.has(held))) {
    const released = temporaryName(name, 'old', target.runId, target.adapter.capabilities.maxIdentifierLength);
    const index = `${quoteIdentifier(target.node.relation.schema)}.${quoteIdentifier(name)}`;
    await target.run(connection, connection.dialect.sql.renameRelation('index', index, quoteIdentifier(released)));
  }
}

/** Views and materialized views are checked for names and types; they cannot hold constraints, which are reported. */
export function warnUnsupportedConstraints(target: SwapTarget, kind: string): void {
  for (const { constraint, column } of constraintsOf(target.node)) {
    if (!constraint.warnUnsupported) continue;
    target.warn(`${target.relation}: a ${kind} cannot hold constraints; the ${constraint.type} constraint${column ? ` on ${column}` : ''} is not applied`);
  }
}
