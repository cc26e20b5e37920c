import type { Connection } from '../adapters/adapter.js';
import type { RelationKind } from '../adapters/catalog.js';
import type { SwapTarget } from './swap.js';

/**
 * Applies a model's relation settings to `relation` (quoted; the temporary name during a swap): indexes, grants and
 * persisted descriptions. Called in the transaction that builds the relation, so they land with it.
 */
export async function applyRelationSettings(_target: SwapTarget, _connection: Connection, _relation: string, _kind: RelationKind): Promise<void> {
  // Filled in with indexes, grants and persist_docs (issue 5, part 2).
}
