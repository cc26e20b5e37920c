import type { DependencyEdges } from '../dag.js';
import type { GraphNode, ResourceType, SourceNode } from '../../core/nodes.js';
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
  const selectable = new Map<string, SelectableNode>();
  for (const [id, node] of nodes) selectable.set(id, selectableNode(node));
  return {
    nodes: selectable,
    parents: (id) => graph.predecessors(id) ?? [],
    children: (id) => graph.successors(id) ?? [],
  };
}

// Built field by field, not by spreading: on 10,000 nodes, spreads cost more than the selection itself.
export function selectableNode(node: GraphNode | SourceNode): SelectableNode {
  const path = node.originalFilePath;
  if (node.resourceType === 'source') {
    const { uniqueId, resourceType, name, packageName, fqn, tags, sourceName } = node;
    return { uniqueId, resourceType, name, packageName, fqn, path, tags, config: sourceConfig(node), sourceName };
  }
  const { uniqueId, resourceType, name, packageName, fqn, config, checksum } = node;
  const selectable: SelectableNode = { uniqueId, resourceType, name, packageName, fqn, path, tags: config.tags, config, checksum };
  if ('test' in node) {
    if (node.test.testName !== undefined) selectable.testName = node.test.testName;
    if (node.test.attachedNode !== undefined) selectable.attachedNode = node.test.attachedNode;
  }
  return selectable;
}

/** Sources carry no config object; their tags and meta are what `config.` can sensibly ask about (the docs show the same). */
export function sourceConfig(source: SourceNode): Record<string, unknown> {
  return { tags: source.tags, meta: source.meta };
}
