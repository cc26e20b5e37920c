import { TsdbtError } from '../../core/errors.js';
import { evaluateSelection, type SelectionOutcome, type SelectionUniverse } from '../../graph/selection/evaluate.js';
import { parseSelection } from '../../graph/selection/parser.js';
import type { SelectableNode } from '../../graph/selection/selectable-node.js';
import type { DocsNode } from '../docs-data.js';
import { neighbours, type Project } from './project.js';

/**
 * The lineage graph's selector is the CLI's `--select`: the same parser, methods and set algebra (src/graph/selection/),
 * evaluated on the docs' data instead of the DAG. Spaces are a union, commas an intersection; `+`, `N+`, `+N`, `@`;
 * `method:value` for every method but `state:`, which the docs cannot answer and say so.
 */
export interface Selection extends SelectionOutcome {
  /** Why nothing was evaluated: a malformed selector, an unknown method, or one the docs cannot answer. */
  error?: { message: string; hint?: string };
}

/** Methods that need more than the docs hold, and why. */
const NOT_IN_THE_DOCS = new Map([
  ['state', "it compares the project with an earlier run's manifest, which only the command line reads (--state DIR)"],
]);

export function select(project: Project, selector: string): Selection {
  try {
    const parsed = parseSelection([selector]);
    for (const criterion of parsed.flat()) {
      const why = NOT_IN_THE_DOCS.get(criterion.method);
      if (why) throw new TsdbtError('usage', `the docs cannot evaluate '${criterion.raw}': ${why}`, { hint: `run tsdbt ls -s '${selector}' --state DIR instead` });
    }
    return evaluateSelection(universeOf(project), { select: parsed, exclude: [] });
  } catch (error) {
    if (!(error instanceof TsdbtError)) throw error;
    return { ids: new Set(), matched: new Set(), unmatched: [], error: { message: error.message, ...(error.hint && { hint: error.hint }) } };
  }
}

/** A selector for exactly this node: its name (or `source:x.y`) when that picks it alone, else its unique_id. */
export function nodeSelector(project: Project, node: DocsNode): string {
  const readable = node.source ? `source:${node.source.name}.${node.source.table}` : node.name;
  const { matched } = select(project, readable);
  return matched.size === 1 && matched.has(node.uniqueId) ? readable : `unique_id:${node.uniqueId}`;
}

const universes = new WeakMap<Project, SelectionUniverse>();

/** The docs' nodes and edges as the shared evaluator sees them, built once per loaded project. */
export function universeOf(project: Project): SelectionUniverse {
  let universe = universes.get(project);
  if (!universe) {
    universe = {
      nodes: new Map(project.data.nodes.map((node) => [node.uniqueId, selectableNode(node)])),
      parents: (id) => neighbours(project.parents, id),
      children: (id) => neighbours(project.children, id),
    };
    universes.set(project, universe);
  }
  return universe;
}

function selectableNode(node: DocsNode): SelectableNode {
  return {
    uniqueId: node.uniqueId,
    resourceType: node.resourceType,
    name: node.source?.table ?? node.name,
    packageName: node.packageName,
    fqn: node.fqn,
    path: node.path,
    tags: node.tags,
    config: node.config,
    ...(node.source && { sourceName: node.source.name }),
    ...(node.testName !== undefined && { testName: node.testName }),
    ...(node.attachedNode !== undefined && { attachedNode: node.attachedNode }),
  };
}
