import type { Adapter, Connection } from '../adapters/adapter.js';
import type { TableDistribution } from '../adapters/dialect-sql.js';
import type { CatalogRelation, DependentView, RelationKind } from '../adapters/introspector.js';
import { quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import type { GraphNode } from '../core/nodes.js';
import { SQL_KEYWORD_BY_KIND, type MaterializationContext, type MaterializationResult } from './materialization.js';
import { checkQueryContract, createTableFrom, requireSql } from './model-output.js';
import { applyRelationSettings } from './relation-settings.js';
import { temporaryName } from './temporary-names.js';

/** What building a relation under a temporary name and swapping it in needs to know. */
export interface SwapTarget {
  node: GraphNode;
  /** `"schema"."identifier"` */
  relation: string;
  adapter: Adapter;
  runId: string;
  findExisting(connection: Connection): Promise<CatalogRelation | undefined>;
  run(connection: Connection, sql: string): Promise<{ rowCount: number | null }>;
  warn(message: string): void;
  /** Where the node's table keeps its rows, on an engine with distributed tables: given to every table made for it but temporary ones. */
  distribution?: TableDistribution;
}

/**
 * Builds the new relation under a name unique to this run, then swaps it in by renames, all in one transaction:
 * readers see the old relation until the new one is complete, and a failure leaves the old one untouched.
 * `populate` creates and fills the temporary relation and returns its row count.
 */
export async function buildAndSwap(
  target: SwapTarget,
  kind: RelationKind,
  populate: (connection: Connection, temporaryRelation: string) => Promise<number | null>,
): Promise<number | null> {
  const temporary = temporaryIdentifier(target);
  return target.adapter.transaction(async (connection) => {
    const rows = await populate(connection, `${quoteIdentifier(target.node.relation.schema)}.${quoteIdentifier(temporary)}`);
    await swapIn(target, connection, kind, temporary);
    return rows;
  });
}

/** The name a relation is built under before it is swapped in: unique to the run, so runs never collide. */
export function temporaryIdentifier(target: SwapTarget): string {
  return temporaryName(target.node.relation.identifier, 'tmp', target.runId, target.adapter.capabilities.maxIdentifierLength);
}

/** Renames the complete relation `temporary` (in the node's schema) into place, keeping the views that read the old one. */
export async function swapIn(target: SwapTarget, connection: Connection, kind: RelationKind, temporary: string): Promise<void> {
  const { node, runId, adapter } = target;
  const schema = quoteIdentifier(node.relation.schema);
  const backup = temporaryName(node.relation.identifier, 'backup', runId, adapter.capabilities.maxIdentifierLength);
  const existing = await target.findExisting(connection);
  // Read while the old relation still has its name, so the definitions name it and not the backup.
  const dependents = existing ? await connection.introspector.dependentViews(node.relation) : [];
  if (existing) {
    await target.run(connection, connection.dialect.sql.renameRelation(SQL_KEYWORD_BY_KIND[existing.kind], target.relation, quoteIdentifier(backup)));
  }
  await target.run(connection, connection.dialect.sql.renameRelation(SQL_KEYWORD_BY_KIND[kind], `${schema}.${quoteIdentifier(temporary)}`, quoteIdentifier(node.relation.identifier)));
  if (existing) {
    await target.run(connection, `drop ${SQL_KEYWORD_BY_KIND[existing.kind]} ${schema}.${quoteIdentifier(backup)} cascade`);
    await restoreViews(target, connection, dependents);
  }
}

/**
 * Views reading the old relation follow it by OID, so the drop above takes them along (dbt leaves them gone).
 * They are recreated on the new relation; one that no longer fits it (a column it reads is gone) is reported.
 */
export async function restoreViews(target: Pick<SwapTarget, 'run' | 'warn' | 'relation'>, connection: Connection, views: DependentView[]): Promise<void> {
  for (const view of views) {
    const name = quoteRelation(view);
    await connection.query('savepoint tsdbt_restore_view');
    try {
      await target.run(connection, connection.dialect.sql.createView(name, view.definition, { materialized: view.kind === 'materialized_view' }));
      await connection.query('release savepoint tsdbt_restore_view');
    } catch (error) {
      await connection.query('rollback to savepoint tsdbt_restore_view');
      target.warn(`${name}, which read ${target.relation}, could not be recreated on its new version and is gone: ${(error as Error).message}`);
    }
  }
}

/** Table and materialized view: the model's output under a temporary name, with its settings, swapped in. */
export async function createAndSwap(context: MaterializationContext, kind: 'table' | 'materialized_view'): Promise<MaterializationResult> {
  const rows = await buildAndSwap(context, kind, async (connection, temporary) => {
    const output = await context.render({}, connection);
    if (kind === 'materialized_view') await checkQueryContract(context, connection, output, 'materialized view');
    const count =
      kind === 'table'
        ? await createTableFrom(context, connection, temporary, output)
        : (await context.run(connection, connection.dialect.sql.createView(temporary, requireSql(output, 'materialized view', context.node.originalFilePath), { materialized: true }))).rowCount;
    await applyRelationSettings(context, connection, temporary, kind);
    return count;
  });
  return { message: `SELECT ${rows ?? 0}`, rowsAffected: rows };
}
