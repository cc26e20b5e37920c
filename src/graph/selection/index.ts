import type { Graph } from '@dagrejs/graphlib';
import type { GraphNode, ResourceType, SourceNode } from '../nodes.js';
import { resolveMethod, type MethodContext, type PreviousState, type SelectorMethod } from './methods.js';
import { parseSelection, type Criterion } from './parser.js';
import { ancestors, descendants } from './traversal.js';

export type { PreviousState, SelectorMethod } from './methods.js';
export { METHODS } from './methods.js';
export { parseSelection, parseCriterion, type Criterion, type Selection } from './parser.js';

export interface SelectionGraph {
  /** Node ids are unique ids; an edge parent -> child means the child reads the parent. */
  graph: Graph;
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
  // Parse and check everything first, so a typo in --exclude fails before anything is computed.
  const select = prepare(parseSelection(options.select ?? []), options.state);
  const exclude = prepare(parseSelection(options.exclude ?? []), options.state);
  // Sources are inputs, not work: only an explicit selector picks them.
  const chosen =
    select.length === 0
      ? new Set([...graph.nodes.values()].filter((node) => node.resourceType !== 'source').map((node) => node.uniqueId))
      : union(graph, select);
  const excluded = union(graph, exclude);
  if (select.length > 0) addIndirectTests(graph, chosen);
  const types = options.resourceTypes ? new Set<string>(options.resourceTypes) : undefined;
  // Walk the node map rather than the set, so the result comes out in the project's order whatever the selectors' order.
  const result = new Set<string>();
  for (const node of graph.nodes.values()) {
    if (chosen.has(node.uniqueId) && !excluded.has(node.uniqueId) && (!types || types.has(node.resourceType))) result.add(node.uniqueId);
  }
  return result;
}

/**
 * dbt's eager indirect selection: selecting a node selects the tests that read it, so `tsdbt test -s orders` runs
 * orders' tests and `tsdbt build -s orders` builds orders and tests it.
 */
function addIndirectTests(graph: SelectionGraph, chosen: Set<string>): void {
  for (const node of graph.nodes.values()) {
    if (node.resourceType !== 'test' && node.resourceType !== 'unit_test') continue;
    const reads = node.test?.attachedNode ? [...node.dependsOn, node.test.attachedNode] : node.dependsOn;
    if (!chosen.has(node.uniqueId) && reads.some((id) => chosen.has(id))) chosen.add(node.uniqueId);
  }
}

/** A criterion with its method found and its value checked. */
interface Prepared {
  criterion: Criterion;
  method: SelectorMethod;
  ctx: MethodContext;
}

function prepare(selection: Criterion[][], state: PreviousState | undefined): Prepared[][] {
  return selection.map((intersection) =>
    intersection.map((criterion) => {
      const method = resolveMethod(criterion);
      const ctx: MethodContext = { key: criterion.key, state };
      method.validate?.(criterion.value, ctx, criterion);
      return { criterion, method, ctx };
    }),
  );
}

function union(graph: SelectionGraph, selection: Prepared[][]): Set<string> {
  const result = new Set<string>();
  for (const intersection of selection) {
    const [first, ...rest] = intersection.map((prepared) => evaluate(graph, prepared));
    for (const id of first ?? []) if (rest.every((set) => set.has(id))) result.add(id);
  }
  return result;
}

/** The nodes one criterion picks: the method's matches, then its graph operators. */
function evaluate(graph: SelectionGraph, { criterion, method, ctx }: Prepared): Set<string> {
  const matched = new Set<string>();
  for (const node of graph.nodes.values()) if (method.matches(node, criterion.value, ctx)) matched.add(node.uniqueId);

  const selected = new Set(matched);
  if (criterion.parents) addAll(selected, ancestors(graph.graph, matched, criterion.parentsDepth));
  if (criterion.children) addAll(selected, descendants(graph.graph, matched, criterion.childrenDepth));
  if (criterion.childrensParents) {
    // `@`: what a build of these nodes and everything downstream needs, upstream included.
    const downstream = descendants(graph.graph, matched);
    addAll(selected, downstream);
    addAll(selected, ancestors(graph.graph, [...matched, ...downstream]));
  }
  // The graph may hold ids the node map lacks (disabled or unknown); they are never selected.
  for (const id of selected) if (!graph.nodes.has(id)) selected.delete(id);
  return selected;
}

function addAll(target: Set<string>, ids: Iterable<string>): void {
  for (const id of ids) target.add(id);
}
