import { alg, Graph } from '@dagrejs/graphlib';
import { describe, expect, it } from 'vitest';
import { Dag } from '../../src/graph/dag.js';

/** A seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same nodes and edges, added in the same order, to the Dag and to graphlib's Graph. */
function both(nodes: string[], edges: Array<[string, string]>): { dag: Dag; graph: Graph } {
  const dag = new Dag();
  const graph = new Graph({ directed: true });
  for (const id of nodes) {
    dag.addNode(id);
    graph.setNode(id);
  }
  for (const [parent, child] of edges) {
    dag.addEdge(parent, child);
    graph.setEdge(parent, child);
  }
  return { dag, graph };
}

/** Nodes in a shuffled order; each edge goes from a lower to a higher rank, so the graph is acyclic. */
function randomDag(seed: number, size: number): { nodes: string[]; edges: Array<[string, string]> } {
  const next = random(seed);
  const ranked = Array.from({ length: size }, (_, i) => `model.p.n${i}`);
  const nodes = [...ranked].sort(() => next() - 0.5);
  const edges: Array<[string, string]> = [];
  for (const child of nodes) {
    const rank = ranked.indexOf(child);
    const parents = new Set<string>();
    for (let k = Math.floor(next() * 4); k > 0 && rank > 0; k--) parents.add(ranked[Math.floor(next() * rank)]!);
    for (const parent of parents) edges.push([parent, child]);
  }
  return { nodes, edges };
}

describe('Dag', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('orders random DAG %i exactly as graphlib topsort did', (seed) => {
    const { nodes, edges } = randomDag(seed, 300);
    const { dag, graph } = both(nodes, edges);
    const order = dag.topologicalOrder();
    expect(order).toEqual(alg.topsort(graph));
    for (const id of graph.nodes()) {
      expect(dag.predecessors(id)).toEqual(graph.predecessors(id));
      expect(dag.successors(id)).toEqual(graph.successors(id));
    }
  });

  it.each([
    ['a cycle below a node without children', ['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'c'], ['c', 'b'], ['c', 'd']]],
    ['a cycle that reaches no node without children', ['a', 'b', 'c'], [['a', 'b'], ['b', 'c'], ['c', 'b']]],
    ['a model reading itself', ['a', 'b'], [['a', 'b'], ['b', 'b']]],
  ] as Array<[string, string[], Array<[string, string]>]>)('finds %s, as graphlib does', (_name, nodes, edges) => {
    const { dag, graph } = both(nodes, edges);
    expect(dag.topologicalOrder()).toBeUndefined();
    expect(() => alg.topsort(graph)).toThrow();
  });

  it('orders a chain deeper than the call stack', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `n${i}`);
    const dag = new Dag();
    for (const id of ids) dag.addNode(id);
    for (let i = 1; i < ids.length; i++) dag.addEdge(ids[i - 1]!, ids[i]!);
    expect(dag.topologicalOrder()).toEqual(ids);
  });

  it('answers undefined for an unknown node', () => {
    expect(new Dag().predecessors('x')).toBeUndefined();
    expect(new Dag().successors('x')).toBeUndefined();
  });
});
