import type { DependencyEdges } from '../graph/dag.js';
import { isTest } from '../core/node-kinds.js';
import type { GraphNode, SourceNode } from '../core/nodes.js';
import { reachable } from '../graph/selection/traversal.js';

/** What the scheduler reads of a graph: each node's parents. */
export type DependencyGraph = Pick<DependencyEdges, 'predecessors'>;

/**
 * The graph a run is scheduled on: the project's, plus for each data test to run an edge to each direct child of the
 * node it tests, so those children wait for the test and a failing test skips them (and, through them, the rest
 * downstream). One edge per child, not dbt's edges to every descendant: 15,000 tests on 5,000 models stay cheap.
 * A unit test reads no table: it runs before the model it tests, which a failure skips. The extra edges are kept
 * beside the project's graph rather than in a copy of it.
 */
export function schedulingGraph(graph: DependencyEdges, nodes: Map<string, GraphNode | SourceNode>, runnable: Set<string>): DependencyGraph {
  const extraParents = new Map<string, string[]>();
  const addEdge = (parent: string, child: string) => {
    const parents = extraParents.get(child);
    if (parents) parents.push(parent);
    else extraParents.set(child, [parent]);
  };
  const upstreamOf = new Map<string, Set<string>>();
  const upstream = (id: string) => {
    let found = upstreamOf.get(id);
    if (!found) upstreamOf.set(id, (found = reachable([id], (node) => graph.predecessors(node) ?? [])));
    return found;
  };
  for (const id of runnable) {
    const test = nodes.get(id);
    if (test?.resourceType === 'unit_test') addEdge(test.uniqueId, test.test.attachedNode);
    if (test?.resourceType !== 'test') continue;
    // A generic test guards the node it is declared on; a singular test, everything it reads.
    const guarded = test.test.attachedNode ? [test.test.attachedNode] : test.dependsOn;
    for (const parent of guarded) {
      for (const child of graph.successors(parent) ?? []) {
        const node = nodes.get(child);
        if ((node && isTest(node)) || child === test.uniqueId) continue;
        // A child the test itself reads, directly or through another parent, must run first: waiting would be a cycle.
        if (test.dependsOn.some((other) => other === child || upstream(other).has(child))) continue;
        addEdge(test.uniqueId, child);
      }
    }
  }
  if (extraParents.size === 0) return graph;
  return {
    predecessors: (id) => {
      const extra = extraParents.get(id);
      return extra ? [...(graph.predecessors(id) ?? []), ...extra] : graph.predecessors(id);
    },
  };
}
