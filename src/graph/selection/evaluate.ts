import { isTest, RESOURCE_KINDS } from '../../core/node-kinds.js';
import { resolveMethod, type MethodContext, type PreviousState, type SelectorMethod } from './methods.js';
import type { Criterion, Selection } from './parser.js';
import type { SelectableNode } from './selectable-node.js';
import { reachable } from './traversal.js';

/** The nodes a selection can pick and the edges its graph operators follow, from the DAG or from the docs' data. */
export interface SelectionUniverse {
  /** Every node, in the project's order, which the result keeps whatever the selectors' order. */
  nodes: ReadonlyMap<string, SelectableNode>;
  parents(id: string): Iterable<string>;
  children(id: string): Iterable<string>;
}

export interface SelectionQuery {
  /** Parsed `--select`; empty means every node but sources, as in dbt. */
  select: Selection;
  exclude: Selection;
  /** The earlier run's manifest, for `state:`; without it `state:` is a usage error. */
  state?: PreviousState;
}

export interface SelectionOutcome {
  /** Every selected node, in the project's order. */
  ids: Set<string>;
  /** The nodes `--select`'s methods matched, before graph operators and intersections: what a view centres on. */
  matched: Set<string>;
  /** The `--select` criteria, as written, whose method matched no node. */
  unmatched: string[];
}

/**
 * dbt's selection: each criterion's matches widened by its graph operators, intersected within a comma group, united
 * across groups, the tests of selected nodes added, `exclude` taken away. Every criterion is checked before any node
 * is looked at, so a typo in `exclude` fails on an empty project too.
 */
export function evaluateSelection(universe: SelectionUniverse, query: SelectionQuery): SelectionOutcome {
  const select = prepare(query.select, query.state);
  const exclude = prepare(query.exclude, query.state);
  const matched = new Set<string>();
  const unmatched: string[] = [];
  let chosen: Set<string>;
  if (select.length === 0) {
    // Sources are inputs, not work: only an explicit selector picks them.
    chosen = new Set([...universe.nodes.values()].filter((node) => RESOURCE_KINDS[node.resourceType].selectedByDefault).map((node) => node.uniqueId));
  } else {
    chosen = union(universe, select, (prepared, hits) => {
      for (const id of hits) matched.add(id);
      if (hits.size === 0) unmatched.push(prepared.criterion.raw);
    });
    addIndirectTests(universe, chosen);
  }
  const excluded = union(universe, exclude);
  const ids = new Set<string>();
  for (const id of universe.nodes.keys()) if (chosen.has(id) && !excluded.has(id)) ids.add(id);
  return { ids, matched, unmatched };
}

/** A criterion with its method found and its value checked. */
interface Prepared {
  criterion: Criterion;
  method: SelectorMethod;
  ctx: MethodContext;
}

function prepare(selection: Selection, state: PreviousState | undefined): Prepared[][] {
  return selection.map((intersection) =>
    intersection.map((criterion) => {
      const method = resolveMethod(criterion);
      const ctx: MethodContext = { key: criterion.key, state };
      method.validate?.(criterion.value, ctx, criterion);
      return { criterion, method, ctx };
    }),
  );
}

type MatchListener = (prepared: Prepared, hits: Set<string>) => void;

function union(universe: SelectionUniverse, selection: Prepared[][], onMatch?: MatchListener): Set<string> {
  const result = new Set<string>();
  for (const intersection of selection) {
    const [first, ...rest] = intersection.map((prepared) => evaluate(universe, prepared, onMatch));
    for (const id of first ?? []) if (rest.every((set) => set.has(id))) result.add(id);
  }
  return result;
}

/** The nodes one criterion picks: the method's matches, then its graph operators. */
function evaluate(universe: SelectionUniverse, prepared: Prepared, onMatch?: MatchListener): Set<string> {
  const { criterion, method, ctx } = prepared;
  const hits = new Set<string>();
  for (const node of universe.nodes.values()) if (method.matches(node, criterion.value, ctx)) hits.add(node.uniqueId);
  onMatch?.(prepared, hits);

  const parents = (id: string) => universe.parents(id);
  const children = (id: string) => universe.children(id);
  const selected = new Set(hits);
  if (criterion.parents) addAll(selected, reachable(hits, parents, criterion.parentsDepth));
  if (criterion.children) addAll(selected, reachable(hits, children, criterion.childrenDepth));
  if (criterion.childrensParents) {
    // `@`: what a build of these nodes and everything downstream needs, upstream included.
    const downstream = reachable(hits, children);
    addAll(selected, downstream);
    addAll(selected, reachable([...hits, ...downstream], parents));
  }
  // The graph may hold ids the node map lacks (disabled or unknown); they are never selected.
  for (const id of selected) if (!universe.nodes.has(id)) selected.delete(id);
  return selected;
}

/**
 * dbt's eager indirect selection: selecting a node selects the tests that read it, so `tsdbt test -s orders` runs
 * orders' tests and `tsdbt build -s orders` builds orders and tests it.
 */
function addIndirectTests(universe: SelectionUniverse, chosen: Set<string>): void {
  for (const node of universe.nodes.values()) {
    if (!isTest(node)) continue;
    if (chosen.has(node.uniqueId)) continue;
    if ((node.attachedNode !== undefined && chosen.has(node.attachedNode)) || someOf(universe.parents(node.uniqueId), (id) => chosen.has(id))) chosen.add(node.uniqueId);
  }
}

function someOf(ids: Iterable<string>, test: (id: string) => boolean): boolean {
  for (const id of ids) if (test(id)) return true;
  return false;
}

function addAll(target: Set<string>, ids: Iterable<string>): void {
  for (const id of ids) target.add(id);
}
