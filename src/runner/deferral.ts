import type { Connection } from '../adapters/adapter.js';
import { relationKey } from '../adapters/introspector.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import { isEphemeral } from '../materializations/registry.js';

/**
 * dbt's `--defer`: which unselected models, seeds and snapshots refs read from the state manifest's relation
 * (`stateRelations`, unique id → relation) instead of their own. Without `favorState`, only those whose own relation
 * this target lacks, found by one catalog query over their schemas, not one per ref.
 */
export async function deferredRelations(
  connection: Connection,
  nodes: Iterable<GraphNode>,
  selected: ReadonlySet<string>,
  stateRelations: ReadonlyMap<string, Relation>,
  favorState: boolean,
): Promise<Map<string, Relation>> {
  const candidates = [...nodes].filter(
    (node) => RESOURCE_KINDS[node.resourceType].referable && !isEphemeral(node) && !selected.has(node.uniqueId) && stateRelations.has(node.uniqueId),
  );
  let existing = new Set<string>();
  if (!favorState && candidates.length > 0) {
    const schemas = [...new Set(candidates.map((node) => node.relation.schema))];
    existing = new Set((await connection.introspector.listRelations(schemas)).map(relationKey));
  }
  return new Map(
    candidates.filter((node) => !existing.has(relationKey(node.relation))).map((node) => [node.uniqueId, stateRelations.get(node.uniqueId)!]),
  );
}
