import type { Graph } from '@dagrejs/graphlib';
import type { GraphNode, SourceNode } from '../graph/nodes.js';
import { ancestors } from '../graph/selection/traversal.js';

/**
 * The graph a run is scheduled on: the project's, plus for each data test to run an edge to each direct child of the
 * node it tests, so those children wait for the test and a failing test skips them (and, through them, the rest
 * downstream). One edge per child, not dbt's edges to every descendant: 15,000 tests on 5,000 models stay cheap.
 * A unit test reads no table: it runs before the model it tests, which a failure skips.
 */
export function schedulingGraph(graph: Graph, nodes: Map<string, GraphNode | SourceNode>, runnable: Set<string>): Graph {
  const tests = [...runnable].map((id) => nodes.get(id)).filter((node): node is GraphNode => node?.resourceType === 'test' || node?.resourceType === 'unit_test');
  if (tests.length === 0) return graph;
  const scheduled = graph.filterNodes(() => true);
  for (const test of tests) {
    if (test.resourceType === 'unit_test') {
      if (test.test?.attachedNode) scheduled.setEdge(test.uniqueId, test.test.attachedNode);
      continue;
    }
    // A generic test guards the node it is declared on; a singular test, everything it reads.
    const guarded = test.test?.attachedNode ? [test.test.attachedNode] : test.dependsOn;
    const otherParents = test.dependsOn.filter((id) => !guarded.includes(id));
    // Waiting on a node upstream of another parent of the test would close a cycle.
    const upstream = otherParents.length > 0 ? ancestors(graph, otherParents) : new Set<string>();
    for (const parent of guarded) {
      for (const child of graph.successors(parent) ?? []) {
        const kind = nodes.get(child)?.resourceType;
        if (kind === 'test' || kind === 'unit_test' || child === test.uniqueId || otherParents.includes(child) || upstream.has(child)) continue;
        scheduled.setEdge(test.uniqueId, child);
      }
    }
  }
  return scheduled;
}
