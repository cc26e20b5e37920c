import type { DependencyEdges } from '../dag.js';
import type { GraphNode, ResourceType, SourceNode } from '../nodes.js';
import { evaluateSelection, type SelectionUniverse } from './evaluate.js';
import type { PreviousState } from './methods.js';
import { parseSelection } from './parser.js';
import type { SelectableNode } from './selectable-node.js';

export type { PreviousState, SelectorMethod } from './methods.js';
export { METHODS } from './methods.js';
export { parseSelection, parseCriterion, type Criterion, type Selection } from './parser.js';

export interface SelectionGraph {
  /** Node ids are unique ids; an edge parent -> child means the child reads the parent. */
  graph: DependencyEdges;
  nodes: Map<string, GraphNode | SourceNode>;
}

export interface SelectionOptions {
  select?: string[];
  exclude?: string[];
  /** The earlier run's manifest, for `state:`; without it `state:` is a usage error. */
  state?: PreviousState;
  /** Keep only these resource types (a command's own kinds of node). */
  resourceTypes?: ResourceType[];
}

/** The unique ids dbt's `--select`/`--exclude` syntax picks; an empty set is a valid answer the caller warns about. */
export function selectNodes(graph: SelectionGraph, options: SelectionOptions): Set<string> {
  // Parse both first, so a typo in --exclude fails before anything is computed.
  const select = parseSelection(options.select ?? []);
  const exclude = parseSelection(options.exclude ?? []);
  const { ids } = evaluateSelection(selectionUniverse(graph), { select, exclude, state: options.state });
  if (!options.resourceTypes) return ids;
  const types = new Set<string>(options.resourceTypes);
  return new Set([...ids].filter((id) => types.has(graph.nodes.get(id)!.resourceType)));
}

/** The DAG as the shared evaluator sees it. */
export function selectionUniverse({ graph, nodes }: SelectionGraph): SelectionUniverse {
  return {
    nodes: new Map([...nodes].map(([id, node]) => [id, selectableNode(node)])),
    parents: (id) => graph.predecessors(id) ?? [],
    children: (id) => graph.successors(id) ?? [],
  };
}

export function selectableNode(node: GraphNode | SourceNode): SelectableNode {
  const common = { uniqueId: node.uniqueId, resourceType: node.resourceType, name: node.name, packageName: node.packageName, fqn: node.fqn, path: node.originalFilePath };
  if (node.resourceType === 'source' && 'sourceName' in node) {
    return { ...common, tags: node.tags, config: sourceConfig(node), sourceName: node.sourceName };
  }
  const graphNode = node as GraphNode;
  return {
    ...common,
    tags: graphNode.config.tags,
    config: graphNode.config,
    checksum: graphNode.checksum,
    ...(graphNode.test?.testName !== undefined && { testName: graphNode.test.testName }),
    ...(graphNode.test?.attachedNode !== undefined && { attachedNode: graphNode.test.attachedNode }),
  };
}

/** Sources carry no config object; their tags and meta are what `config.` can sensibly ask about (the docs show the same). */
export function sourceConfig(source: SourceNode): Record<string, unknown> {
  return { tags: source.tags, meta: source.meta };
}
