import dagre from '@dagrejs/dagre';
import type { LayoutRequest, LayoutResult } from './layout-types.js';

/** Past this many nodes, network-simplex ranking costs seconds more than it is worth: rank by longest path. */
const SIMPLEX_LIMIT = 1500;

/** Left-to-right layered layout, as dbt draws lineage. */
export function layoutGraph(request: LayoutRequest): LayoutResult {
  const started = performance.now();
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({
    rankdir: 'LR',
    nodesep: 14,
    ranksep: 70,
    marginx: 20,
    marginy: 20,
    ranker: request.nodes.length > SIMPLEX_LIMIT ? 'longest-path' : 'network-simplex',
  });
  graph.setDefaultEdgeLabel(() => ({}));
  request.nodes.forEach((node, index) => graph.setNode(String(index), { width: node.width, height: node.height }));
  for (const [from, to] of request.edges) graph.setEdge(String(from), String(to));
  dagre.layout(graph);
  const label = graph.graph();
  return {
    nodes: request.nodes.map((_, index) => {
      const node = graph.node(String(index));
      return { x: node.x ?? 0, y: node.y ?? 0 };
    }),
    edges: request.edges.map(([from, to]) => graph.edge(String(from), String(to))?.points ?? []),
    width: label.width ?? 0,
    height: label.height ?? 0,
    ms: performance.now() - started,
  };
}
