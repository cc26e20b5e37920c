import { inTransaction, type Connection } from '../adapters/adapter.js';
import { SQL_KEYWORD_BY_KIND, type Materialization, type MaterializationContext } from './materialization.js';
import { contractEnforced } from './contract.js';
import { checkQueryContract, requireSql } from './model-output.js';
import { applyRelationSettings } from './relation-settings.js';
import { restoreViews } from './swap.js';

/**
 * What CREATE OR REPLACE VIEW refuses: dropped, renamed or retyped columns, or a relation that is not a view.
 * Only then is the old relation dropped and the view created afresh.
 */
const CANNOT_REPLACE = new Set(['42P16', '42804', '42P13', '42809']);

export const view: Materialization = {
  name: 'view',
  producesRelation: true,
  async build(context) {
    // One statement in the common case: a new view, or a view whose columns did not change (its dependents stay put).
    const replaced = await context.adapter.withConnection(async (connection) => {
      const output = await context.render({}, connection);
      const sql = requireSql(output, 'view', context.node.originalFilePath);
      // The check's scratch tables live in a transaction of their own, so none outlives it.
      if (contractEnforced(context.node)) await inTransaction(connection, (checking) => checkQueryContract(context, checking, output, 'view'));
      try {
        await context.run(connection, connection.dialect.sql.createView(context.relation, sql, { orReplace: true }));
      } catch (error) {
        if (!CANNOT_REPLACE.has((error as { code?: string }).code ?? '')) throw error;
        return false;
      }
      await applyRelationSettings(context, connection, context.relation, 'view');
      return true;
    });
    if (!replaced) await context.adapter.transaction((connection) => dropAndCreate(context, connection));
    return { message: 'CREATE VIEW', rowsAffected: null };
  },
};

async function dropAndCreate(context: MaterializationContext, connection: Connection): Promise<void> {
  const existing = await context.findExisting(connection);
  const dependents = existing ? await connection.introspector.dependentViews(context.node.relation) : [];
  if (existing) await context.run(connection, `drop ${SQL_KEYWORD_BY_KIND[existing.kind]} ${context.relation} cascade`);
  const sql = requireSql(await context.render({}, connection), 'view', context.node.originalFilePath);
  await context.run(connection, connection.dialect.sql.createView(context.relation, sql, {}));
  await applyRelationSettings(context, connection, context.relation, 'view');
  await restoreViews(context, connection, dependents);
}
