import { alg, Graph } from '@dagrejs/graphlib';
import { didYouMean, TsdbtError } from '../errors.js';
import type { ParsedProject } from '../parser/project-parser.js';
import type { GraphNode, SourceNode } from './nodes.js';

/** The project's DAG: node ids are unique ids; an edge parent -> child means the child reads the parent. */
export interface ProjectGraph {
  graph: Graph;
  nodes: Map<string, GraphNode | SourceNode>;
  /** Unique ids in an order where every node follows its parents. */
  order: string[];
}

/** Resolves every ref and source call to a unique id, then builds the graph; unknown refs and cycles are errors here. */
export function buildGraph(parsed: ParsedProject): ProjectGraph {
  const graph = new Graph({ directed: true });
  const nodes = new Map<string, GraphNode | SourceNode>();
  const byName = new Map<string, string>();
  for (const node of parsed.nodes.values()) {
    // Refs name models, seeds and snapshots; a test is never read.
    if (node.resourceType !== 'test' && node.resourceType !== 'unit_test') byName.set(node.name, node.uniqueId);
    nodes.set(node.uniqueId, node);
    graph.setNode(node.uniqueId);
  }
  const sourceIds = new Map<string, string>();
  for (const source of parsed.sources.values()) {
    sourceIds.set(`${source.sourceName}.${source.name}`, source.uniqueId);
    nodes.set(source.uniqueId, source);
    graph.setNode(source.uniqueId);
  }
  for (const node of parsed.nodes.values()) {
    const parents = new Set<string>();
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
      parents.add(id);
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
      parents.add(id);
    }
    node.dependsOn = [...parents];
    for (const parent of parents) graph.setEdge(parent, node.uniqueId);
  }
  let order: string[];
  try {
    order = alg.topsort(graph);
  } catch {
    // topsort fails only on a cycle; find and print it.
    throw cycleError(graph, nodes);
  }
  return { graph, nodes, order };
}

function cycleError(graph: Graph, nodes: Map<string, GraphNode | SourceNode>): TsdbtError {
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
