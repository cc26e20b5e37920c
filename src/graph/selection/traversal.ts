import type { Graph } from '@dagrejs/graphlib';

/** The nodes reachable from `start` by following edges upstream, at most `depth` generations away (all when undefined). */
export function ancestors(graph: Graph, start: Iterable<string>, depth?: number): Set<string> {
  return walk(start, depth, (id) => graph.predecessors(id) ?? []);
}

/** The nodes reachable from `start` downstream, at most `depth` generations away. */
export function descendants(graph: Graph, start: Iterable<string>, depth?: number): Set<string> {
  return walk(start, depth, (id) => graph.successors(id) ?? []);
}

// Breadth first, so a node reached by several paths counts at its shortest distance, as dbt's depth does.
// The start nodes themselves are not in the result unless reachable from another start node.
function walk(start: Iterable<string>, depth: number | undefined, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>();
  let frontier = [...new Set(start)];
  for (let generation = 0; frontier.length > 0 && (depth === undefined || generation < depth); generation++) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const neighbour of next(id)) {
        if (seen.has(neighbour)) continue;
        seen.add(neighbour);
        following.push(neighbour);
      }
    }
    frontier = following;
  }
  return seen;
}
