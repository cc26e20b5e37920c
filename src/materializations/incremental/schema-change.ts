import type { Connection } from '../../adapters/adapter.js';
import type { ColumnType } from '../../adapters/introspector.js';
import { quoteIdentifier } from '../../adapters/sql.js';
import { TsdbtError } from '../../core/errors.js';
import type { NodeConfig } from '../../core/node-config.js';
import type { SwapTarget } from '../swap.js';

export type OnSchemaChange = NonNullable<NodeConfig['on_schema_change']>;

export interface SchemaDifference {
  added: ColumnType[];
  removed: ColumnType[];
  retyped: Array<{ name: string; from: string; to: string }>;
}

export function compareColumns(target: ColumnType[], increment: ColumnType[]): SchemaDifference {
  const before = new Map(target.map((column) => [column.name, column.type]));
  const after = new Map(increment.map((column) => [column.name, column.type]));
  return {
    added: increment.filter((column) => !before.has(column.name)),
    removed: target.filter((column) => !after.has(column.name)),
    retyped: increment.filter((column) => before.has(column.name) && before.get(column.name) !== column.type).map((column) => ({ name: column.name, from: before.get(column.name)!, to: column.type })),
  };
}

/**
 * Brings the target in line with the increment as `on_schema_change` says, and returns the columns to write:
 * ignore writes the columns both have (new ones are dropped, removed ones left null); fail refuses any difference;
 * append_new_columns adds new columns; sync_all_columns also drops removed ones and retypes changed ones.
 */
export async function applySchemaChange(
  target: SwapTarget,
  connection: Connection,
  mode: OnSchemaChange,
  targetColumns: ColumnType[],
  incrementColumns: ColumnType[],
): Promise<string[]> {
  const difference = compareColumns(targetColumns, incrementColumns);
  const changed = difference.added.length + difference.removed.length + difference.retyped.length > 0;
  const common = incrementColumns.filter((column) => targetColumns.some((existing) => existing.name === column.name)).map((column) => column.name);
  if (!changed || mode === 'ignore') return common;
  if (mode === 'fail') {
    throw new TsdbtError('runtime', `the model's columns no longer match ${target.relation}: ${describeDifference(difference)}`, {
      location: { file: target.node.originalFilePath },
      hint: "on_schema_change is 'fail'; set it to append_new_columns or sync_all_columns, or run with --full-refresh",
    });
  }
  const statements = difference.added.map((column) => `add column ${quoteIdentifier(column.name)} ${column.type}`);
  if (mode === 'sync_all_columns') {
    refuseDistributionColumnChange(target, difference);
    statements.push(...difference.removed.map((column) => `drop column ${quoteIdentifier(column.name)}`));
    statements.push(...difference.retyped.map((column) => `alter column ${quoteIdentifier(column.name)} type ${column.to} using ${quoteIdentifier(column.name)}::${column.to}`));
  }
  if (statements.length > 0) {
    await target.run(connection, `alter table ${target.relation}\n  ${statements.join(',\n  ')}`);
    target.warn(`${target.relation}: on_schema_change ${mode}: ${describeDifference(mode === 'append_new_columns' ? { ...difference, removed: [], retyped: [] } : difference)}`);
  }
  return incrementColumns.map((column) => column.name);
}

/** A distributed table's rows are placed by its distribution column: it can be neither dropped nor retyped in place. */
function refuseDistributionColumnChange(target: SwapTarget, difference: SchemaDifference): void {
  const column = target.distribution?.kind === 'hash' ? target.distribution.column : undefined;
  const changed = [...difference.removed.map((removed) => removed.name), ...difference.retyped.map((retyped) => retyped.name)];
  if (column === undefined || !changed.includes(column)) return;
  throw new TsdbtError('runtime', `on_schema_change sync_all_columns would ${difference.removed.some((removed) => removed.name === column) ? 'drop' : 'retype'} ${target.relation}'s distribution column '${column}'`, {
    location: { file: target.node.originalFilePath },
    hint: 'a distributed table cannot change its distribution column in place: run with --full-refresh to rebuild it',
  });
}

function describeDifference(difference: SchemaDifference): string {
  return [
    difference.added.length > 0 && `added ${difference.added.map((column) => `${column.name} (${column.type})`).join(', ')}`,
    difference.removed.length > 0 && `removed ${difference.removed.map((column) => column.name).join(', ')}`,
    difference.retyped.length > 0 && `retyped ${difference.retyped.map((column) => `${column.name} (${column.from} -> ${column.to})`).join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
}
