import { quoteIdentifier } from '../../adapters/sql.js';
import type { GraphNode } from '../../core/nodes.js';
import { asPlaced } from '../distribution.js';
import type { Materialization } from '../materialization.js';
import { createTableFrom } from '../model-output.js';
import { applyRelationSettings } from '../relation-settings.js';
import { createAndSwap } from '../swap.js';
import { temporaryName } from '../temporary-names.js';
import { buildMicrobatch, microbatchConfig } from './microbatch.js';
import { applySchemaChange } from './schema-change.js';
import { READS_SOURCE_TWICE, SOURCE, STRATEGIES } from './strategies.js';

type Strategy = keyof typeof STRATEGIES | 'microbatch';

/** dbt-postgres's default: delete+insert when there is a unique_key, append otherwise. */
function strategyOf(node: GraphNode): Strategy {
  return node.config.incremental_strategy ?? (node.config.unique_key ? 'delete+insert' : 'append');
}

/**
 * A table that each run adds to: the first build (and --full-refresh) creates it like a table model, with the atomic
 * swap; later runs render the model with `is_incremental` true, reconcile columns (on_schema_change) and fold the
 * increment in with the strategy, all in one transaction.
 */
export const incremental: Materialization = {
  name: 'incremental',
  producesRelation: true,
  validate(node) {
    if (strategyOf(node) === 'microbatch') microbatchConfig(node);
  },
  async build(context) {
    const strategy = strategyOf(context.node);
    if (strategy === 'microbatch') return buildMicrobatch(context);
    const existing = await context.adapter.withConnection((connection) => context.findExisting(connection));
    if (context.fullRefresh || existing?.kind !== 'table') return createAndSwap(context, 'table');
    const rows = await context.adapter.transaction(async (connection) => {
      const output = await context.render({ isIncremental: true }, connection);
      const staged = quoteIdentifier(temporaryName(context.node.relation.identifier, 'incr', context.runId, context.adapter.capabilities.maxIdentifierLength));
      // A query read once goes straight into the target; the temporary table then only describes its columns.
      const direct = output.kind === 'sql' && !READS_SOURCE_TWICE.has(strategy) ? output.sql : undefined;
      await createTableFrom(context, connection, staged, output, { temporary: true, withData: direct === undefined });
      const target = await asPlaced(context, connection);
      const mode = context.node.config.on_schema_change ?? 'ignore';
      const columns = await applySchemaChange(target, connection, mode, await connection.introspector.relationColumns(context.relation), await connection.introspector.relationColumns(staged));
      const source = direct === undefined ? `${staged} as ${SOURCE}` : `(\n${direct}\n) as ${SOURCE}`;
      const written = await STRATEGIES[strategy]({ target, connection, source, columns });
      await applyRelationSettings(context, connection, context.relation, 'table');
      return written;
    });
    return { message: `INSERT ${rows}`, rowsAffected: rows };
  },
};
