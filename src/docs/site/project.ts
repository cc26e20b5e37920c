import { isTest } from '../../core/node-kinds.js';
import type { DocsData, DocsNode, DocsRunResult } from '../docs-data.js';

/** The docs data with the indexes every view needs, built once at load. */
export interface Project {
  data: DocsData;
  byId: Map<string, DocsNode>;
  /** Upstream and downstream neighbours, by unique_id (only nodes present in the data). */
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
  /** The data tests and unit tests on each node. */
  testsOf: Map<string, DocsNode[]>;
  runOf: Map<string, DocsRunResult>;
}

/** The node a test belongs to: its declared node, else its first parent. */
export function testedNode(test: DocsNode): string | undefined {
  return test.attachedNode ?? test.parents[0];
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexProject(data: DocsData): Project {
  const byId = new Map(data.nodes.map((node) => [node.uniqueId, node]));
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const testsOf = new Map<string, DocsNode[]>();
  for (const node of data.nodes) {
    // Edges come from the parents lists alone, so a children list that disagrees cannot draw an edge twice.
    const known = [...new Set(node.parents)].filter((id) => byId.has(id));
    parents.set(node.uniqueId, known);
    for (const parent of known) push(children, parent, node.uniqueId);
    const tested = isTest(node) ? testedNode(node) : undefined;
    if (tested !== undefined) push(testsOf, tested, node);
  }
  const runOf = new Map((data.lastRun?.results ?? []).map((result) => [result.uniqueId, result]));
  return { data, byId, parents, children, testsOf, runOf };
}

/** A node's parents or children, never undefined. */
export function neighbours(map: Map<string, string[]>, id: string): string[] {
  return map.get(id) ?? [];
}
