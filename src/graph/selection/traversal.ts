/** A node's neighbours in one direction: its parents for ancestors, its children for descendants. */
export type Neighbours = (id: string) => Iterable<string>;

/**
 * The nodes reachable from `start` by following `next`, at most `depth` generations away (all when undefined).
 * Breadth first, so a node reached by several paths counts at its shortest distance, as dbt's depth does. The start
 * nodes themselves are not in the result unless reachable from another start node.
 */
export function reachable(start: Iterable<string>, next: Neighbours, depth?: number): Set<string> {
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
