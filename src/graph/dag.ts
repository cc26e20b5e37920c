import { alg, Graph } from '@dagrejs/graphlib';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import type { GraphNode, SourceNode } from '../core/nodes.js';

/** What the graph's readers ask of it: a node's parents and children (undefined for an unknown node). */
export interface DependencyEdges {
  predecessors(id: string): readonly string[] | undefined;
  successors(id: string): readonly string[] | undefined;
}

/**
 * The project's edges as adjacency lists, in the order they were added, kept by a node's position. A general graph
 * library keeps an object per node and edge keyed by strings; on 10,000 models that cost more than the rest of the
 * graph step.
 */
export class Dag implements DependencyEdges {
  private readonly positions = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly parents: string[][] = [];
  private readonly children: string[][] = [];

  addNode(id: string): void {
    if (this.positions.has(id)) return;
    this.positions.set(id, this.ids.length);
    this.ids.push(id);
    this.parents.push([]);
    this.children.push([]);
  }

  /** The caller adds each edge once (parents are deduplicated per node). */
  addEdge(parent: string, child: string): void {
    this.parents[this.positions.get(child)!]!.push(parent);
    this.children[this.positions.get(parent)!]!.push(child);
  }

  nodes(): IterableIterator<string> {
    return this.ids.values();
  }

  predecessors(id: string): readonly string[] | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.parents[position];
  }

  successors(id: string): readonly string[] | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.children[position];
  }

  /**
   * Every node after its parents, undefined on a cycle. The same order as graphlib's topsort (which this graph
   * replaced, and `ls` and the run queue follow): a depth-first walk up the parents from each node without children,
   * in insertion order, each node placed after its last parent; iterative, so a deep chain cannot overflow the stack.
   */
  topologicalOrder(): string[] | undefined {
    const order: string[] = [];
    const count = this.ids.length;
    const ON_PATH = 1;
    const DONE = 2;
    const state = new Uint8Array(count);
    // The walk's path: a node's position and how many of its parents were visited.
    const path = new Int32Array(count);
    const nextParent = new Int32Array(count);
    for (let sink = 0; sink < count; sink++) {
      if (this.children[sink]!.length > 0 || state[sink] === DONE) continue;
      let depth = 0;
      path[0] = sink;
      nextParent[0] = 0;
      state[sink] = ON_PATH;
      while (depth >= 0) {
        const top = path[depth]!;
        const parents = this.parents[top]!;
        const visited = nextParent[depth]!;
        if (visited < parents.length) {
          nextParent[depth] = visited + 1;
          const parent = this.positions.get(parents[visited]!)!;
          if (state[parent] === ON_PATH) return undefined;
          if (state[parent] === DONE) continue;
          state[parent] = ON_PATH;
          path[++depth] = parent;
          nextParent[depth] = 0;
        } else {
          state[top] = DONE;
          order.push(this.ids[top]!);
          depth--;
        }
      }
    }
    // Nodes on a cycle that reaches no node without children are never visited.
    return order.length === count ? order : undefined;
  }
}

/** The project's DAG: node ids are unique ids; an edge parent -> child means the child reads the parent. */
export interface ProjectGraph {
  graph: Dag;
  nodes: Map<string, GraphNode | SourceNode>;
  /** Unique ids in an order where every node follows its parents. */
  order: string[];
}

/** What the graph is built from: a parsed project's enabled nodes and sources, and the names of its disabled models. */
export interface ProjectNodes {
  nodes: ReadonlyMap<string, GraphNode>;
  sources: ReadonlyMap<string, SourceNode>;
  disabled: ReadonlySet<string>;
}

/** Resolves every ref and source call to a unique id, then builds the graph; unknown refs and cycles are errors here. */
export function buildGraph(parsed: ProjectNodes): ProjectGraph {
  const graph = new Dag();
  const nodes = new Map<string, GraphNode | SourceNode>();
  const byName = new Map<string, string>();
  for (const node of parsed.nodes.values()) {
    // Refs name models, seeds and snapshots; a test is never read.
    if (RESOURCE_KINDS[node.resourceType].referable) byName.set(node.name, node.uniqueId);
    nodes.set(node.uniqueId, node);
    graph.addNode(node.uniqueId);
  }
  const sourceIds = new Map<string, string>();
  for (const source of parsed.sources.values()) {
    sourceIds.set(`${source.sourceName}.${source.name}`, source.uniqueId);
    nodes.set(source.uniqueId, source);
    graph.addNode(source.uniqueId);
  }
  for (const node of parsed.nodes.values()) {
    // Deduplicated by a scan: a node has a few parents, and a Set per node cost more than the lookups.
    const parents: string[] = [];
    const addParent = (id: string) => {
      if (!parents.includes(id)) parents.push(id);
    };
    for (const ref of node.refs) {
      const id = byName.get(ref.name);
      if (!id) {
        const disabled = parsed.disabled.has(ref.name);
        const what = `${node.resourceType} '${node.name}'`;
        throw new TsdbtError('compile', disabled ? `${what} refs '${ref.name}', which is disabled` : `${what} refs '${ref.name}', which does not exist`, {
          location: { file: node.originalFilePath, line: ref.loc.line, column: ref.loc.column },
          hint: disabled ? `enable '${ref.name}' or remove the ref` : didYouMean(ref.name, byName.keys()),
          source: node.rawCode,
        });
      }
      addParent(id);
    }
    for (const call of node.sources) {
      const id = sourceIds.get(`${call.source}.${call.table}`);
      if (!id) {
        throw new TsdbtError('compile', `${node.resourceType} '${node.name}' reads source '${call.source}.${call.table}', which is not declared`, {
          location: { file: node.originalFilePath, line: call.loc.line, column: call.loc.column },
          hint: didYouMean(`${call.source}.${call.table}`, sourceIds.keys()) ?? 'declare it under sources: in a property file (models/**/*.yml)',
          source: node.rawCode,
        });
      }
      addParent(id);
    }
    node.dependsOn = parents;
    for (const parent of parents) graph.addEdge(parent, node.uniqueId);
  }
  const order = graph.topologicalOrder();
  if (!order) throw cycleError(graph, nodes);
  return { graph, nodes, order };
}

function cycleError(dag: Dag, nodes: Map<string, GraphNode | SourceNode>): TsdbtError {
  // Rare, so graphlib's strongly connected components find the cycle, on a copy made in the same order.
  const graph = new Graph({ directed: true });
  for (const id of dag.nodes()) graph.setNode(id);
  for (const id of dag.nodes()) for (const parent of dag.predecessors(id)!) graph.setEdge(parent, id);
  const component = alg.findCycles(graph)[0]!;
  const path = cyclePath(graph, new Set(component));
  const names = path.map((id) => nodes.get(id)?.name ?? id);
  const first = nodes.get(path[0]!);
  return new TsdbtError('compile', `the models form a cycle: ${names.join(' -> ')}`, {
    location: first ? { file: first.originalFilePath } : undefined,
    hint: 'a model cannot read, directly or through others, from itself; remove one of these refs',
  });
}

/** findCycles gives a strongly connected component; walk it to print one actual cycle in ref order. */
function cyclePath(graph: Graph, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const path = [start];
  const seen = new Set([start]);
  let current = start;
  for (;;) {
    const next = (graph.successors(current) ?? []).filter((id) => component.has(id)).sort();
    const back = next.find((id) => id === start);
    if (back) return [...path, start];
    const step = next.find((id) => !seen.has(id)) ?? next[0]!;
    if (seen.has(step)) return [...path.slice(path.indexOf(step)), step];
    path.push(step);
    seen.add(step);
    current = step;
  }
}
