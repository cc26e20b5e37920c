import { createHash } from 'node:crypto';
import type { Connection } from '../adapters/adapter.js';
import type { IndexDefinition } from '../adapters/introspector.js';
import { derivedIdentifier, quoteIdentifier } from '../adapters/sql.js';
import type { z } from 'zod';
import type { nodeConfigShape } from '../core/node-config.js';
import type { SwapTarget } from './swap.js';

/** One entry of a model's `indexes` config, as dbt-postgres takes it: `{columns: [a, b], unique: true, type: gin}`. */
export type IndexConfig = z.output<typeof nodeConfigShape.indexes>[number];

/**
 * Creates each configured index that `relation` (quoted) does not have yet. Matching by definition rather than name
 * lets an incremental table keep its indexes from run to run and get only the new ones.
 */
export async function createMissingIndexes(target: SwapTarget, connection: Connection, relation: string, indexes: IndexConfig[]): Promise<void> {
  if (indexes.length === 0) return;
  const present = new Set((await connection.introspector.plainIndexes(relation)).map(definitionKey));
  for (const index of indexes) {
    const definition: IndexDefinition = { columns: index.columns, unique: index.unique === true, method: (index.type ?? 'btree').toLowerCase() };
    const key = definitionKey(definition);
    if (present.has(key)) continue;
    present.add(key);
    const columns = definition.columns.map(quoteIdentifier).join(', ');
    await target.run(
      connection,
      `create ${definition.unique ? 'unique ' : ''}index ${quoteIdentifier(indexName(target, key))} on ${relation} using ${quoteIdentifier(definition.method)} (${columns})`,
    );
  }
}

function definitionKey(definition: IndexDefinition): string {
  return JSON.stringify([definition.columns, definition.unique, definition.method]);
}

/**
 * During a swap the old table keeps its indexes, under their names and in the same schema, until the transaction
 * ends; the run id keeps the new ones' names apart, the definition's hash keeps them apart from each other.
 */
function indexName(target: SwapTarget, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return derivedIdentifier(target.node.relation.identifier, `__idx_${hash}_${target.runId}`, target.adapter.capabilities.maxIdentifierLength);
}
