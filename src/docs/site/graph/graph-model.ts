import type { DocsNode } from '../../docs-data.js';
import type { LayoutRequest } from '../layout/layout-types.js';
import { isTest } from '../../../core/node-kinds.js';
import { neighbours, type Project } from '../project.js';

export const NODE_HEIGHT = 42;

/** The nodes and edges a graph view draws. */
export interface DrawnGraph {
  nodes: DocsNode[];
  edges: [number, number][];
  /** Tests not drawn as nodes, counted on the node they test. */
  testCounts: Map<string, number>;
}

/**
 * The subgraph of `ids`. Without `showTests`, tests become a count on their node: three tests a model are most of a
 * project's nodes, and drawing them buries the lineage (and multiplies the layout time).
 */
export function drawnGraph(project: Project, ids: Iterable<string>, showTests: boolean): DrawnGraph {
  const nodes: DocsNode[] = [];
  const testCounts = new Map<string, number>();
  for (const id of ids) {
    const node = project.byId.get(id);
    if (!node) continue;
    if (showTests || !isTest(node)) nodes.push(node);
  }
  const index = new Map(nodes.map((node, i) => [node.uniqueId, i]));
  if (!showTests) {
    for (const node of nodes) {
      const tests = project.testsOf.get(node.uniqueId)?.length ?? 0;
      if (tests > 0) testCounts.set(node.uniqueId, tests);
    }
  }
  const edges: [number, number][] = [];
  nodes.forEach((node, to) => {
    for (const parent of neighbours(project.parents, node.uniqueId)) {
      const from = index.get(parent);
      if (from !== undefined) edges.push([from, to]);
    }
  });
  return { nodes, edges, testCounts };
}

/** The layout of the drawn graph, each node as wide as `widths` says (measured from its texts). */
export function layoutRequest(graph: DrawnGraph, widths: number[]): LayoutRequest {
  return { nodes: widths.map((width) => ({ width, height: NODE_HEIGHT })), edges: graph.edges };
}
