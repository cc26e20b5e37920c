import { derivedIdentifier, quoteIdentifier } from '../adapters/sql.js';
import type { RelationKind } from '../adapters/catalog.js';
import { SQL_KEYWORD_BY_KIND, type MaterializationContext, type MaterializationResult } from './materialization.js';

/**
 * Builds the new relation under a name unique to this run, then swaps it in by renames, all in one transaction:
 * readers see the old relation until the new one is complete, and a failure leaves the old one untouched.
 */
export async function buildAndSwap(
  context: MaterializationContext,
  kind: RelationKind,
  create: (temporaryRelation: string) => string,
): Promise<MaterializationResult> {
  const { node, runId, adapter } = context;
  const schema = quoteIdentifier(node.relation.schema);
  const max = adapter.capabilities.maxIdentifierLength;
  const temporary = derivedIdentifier(node.relation.identifier, `__tsdbt_tmp_${runId}`, max);
  const backup = derivedIdentifier(node.relation.identifier, `__tsdbt_backup_${runId}`, max);
  return adapter.transaction(async (connection) => {
    const existing = await context.findExisting(connection);
    const created = await context.run(connection, create(`${schema}.${quoteIdentifier(temporary)}`));
    if (existing) {
      await context.run(connection, `alter ${SQL_KEYWORD_BY_KIND[existing.kind]} ${context.relation} rename to ${quoteIdentifier(backup)}`);
    }
    await context.run(connection, `alter ${SQL_KEYWORD_BY_KIND[kind]} ${schema}.${quoteIdentifier(temporary)} rename to ${quoteIdentifier(node.relation.identifier)}`);
    if (existing) {
      // Views reading the old relation follow it by OID; they go with it, as in dbt, and are rebuilt when selected.
      await context.run(connection, `drop ${SQL_KEYWORD_BY_KIND[existing.kind]} ${schema}.${quoteIdentifier(backup)} cascade`);
    }
    return { message: `SELECT ${created.rowCount ?? 0}`, rowsAffected: created.rowCount };
  });
}
