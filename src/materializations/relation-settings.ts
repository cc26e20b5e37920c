import type { Connection } from '../adapters/adapter.js';
import type { RelationKind } from '../adapters/introspector.js';
import { applyGrants } from './grants.js';
import { createMissingIndexes } from './indexes.js';
import { persistDocs } from './persist-docs.js';
import type { SwapTarget } from './swap.js';

/**
 * Applies a model's relation settings to `relation` (quoted; the temporary name during a swap): indexes, grants and
 * persisted descriptions. Called in the transaction that builds the relation, so they land with it. Each setting
 * reads the catalog and changes only what differs, so the same call suits a new relation and one that is kept
 * (a replaced view, an incremental table).
 */
export async function applyRelationSettings(target: SwapTarget, connection: Connection, relation: string, kind: RelationKind): Promise<void> {
  const { config } = target.node;
  // A view has no storage to index.
  if (kind !== 'view') await createMissingIndexes(target, connection, relation, config.indexes ?? []);
  await applyGrants(target, connection, relation, config.grants ?? {});
  await persistDocs(target, connection, relation, kind, config.persist_docs ?? {});
}
