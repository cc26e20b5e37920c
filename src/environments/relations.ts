import type { GraphNode, Relation } from '../core/nodes.js';
import type { LoadedProject } from '../parser/load-project.js';

/**
 * The same project with other relations for some nodes (`relationOf` returns undefined to keep a node's own): what
 * builds an environment's physical tables, or runs its tests on its views, with every runner, materialization and
 * ref unchanged, since they all name a node by `node.relation`.
 */
export function withRelations(loaded: LoadedProject, relationOf: (node: GraphNode) => Relation | undefined): LoadedProject {
  const nodes = new Map<string, GraphNode>();
  for (const [id, node] of loaded.parsed.nodes) {
    const relation = relationOf(node);
    nodes.set(id, relation ? { ...node, relation } : node);
  }
  const graphNodes = new Map([...loaded.graph.nodes].map(([id, node]) => [id, nodes.get(id) ?? node]));
  return { ...loaded, parsed: { ...loaded.parsed, nodes }, graph: { ...loaded.graph, nodes: graphNodes } };
}
