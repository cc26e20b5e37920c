import type { DependencyGraph } from './build-graph.js';

/**
 * Runs the runnable nodes of a graph in dependency order, `concurrency` at a time. Paths through nodes that are not
 * run (unselected, ephemeral, sources) are contracted, so order and skip propagation still follow them.
 */
export interface ScheduleOptions<R> {
  graph: DependencyGraph;
  runnable: Set<string>;
  concurrency: number;
  execute(id: string, index: number): Promise<R>;
  /** A failed node's runnable descendants are not executed. */
  failed(result: R): boolean;
  skip(id: string, reason: string, index: number): R;
  /** Stop starting new nodes: everything not started is skipped with this reason. */
  shouldStop(): string | undefined;
}

export async function schedule<R>(options: ScheduleOptions<R>): Promise<R[]> {
  const { graph, runnable } = options;
  const parents = contractedParents(graph, runnable);
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const id of runnable) {
    waiting.set(id, parents.get(id)!.size);
    for (const parent of parents.get(id)!) children.set(parent, [...(children.get(parent) ?? []), id]);
  }
  const ready = [...runnable].filter((id) => waiting.get(id) === 0).sort();
  const results: R[] = [];
  const blocked = new Map<string, string>();
  let started = 0;
  let running = 0;

  return new Promise<R[]>((resolve, reject) => {
    const release = (id: string, failedAncestor?: string) => {
      for (const child of children.get(id) ?? []) {
        if (failedAncestor && !blocked.has(child)) blocked.set(child, failedAncestor);
        const left = waiting.get(child)! - 1;
        waiting.set(child, left);
        if (left === 0) ready.push(child);
      }
    };
    const pump = () => {
      while (ready.length > 0 && running < options.concurrency) {
        const id = ready.shift()!;
        const stop = options.shouldStop();
        const upstream = blocked.get(id);
        if (stop || upstream) {
          results.push(options.skip(id, stop ?? `upstream ${upstream} did not succeed`, ++started));
          release(id, upstream ?? id);
          continue;
        }
        running++;
        options
          .execute(id, ++started)
          .then((result) => {
            results.push(result);
            running--;
            release(id, options.failed(result) ? id : undefined);
            pump();
          })
          .catch(reject);
      }
      if (running === 0 && ready.length === 0) {
        // Every node either ran or was skipped; one that never became ready means the graph had a cycle.
        const stuck = [...runnable].filter((id) => (waiting.get(id) ?? 0) > 0);
        if (stuck.length > 0) reject(new Error(`internal error: ${stuck.length} nodes never became ready (a cycle in the scheduling graph): ${stuck.slice(0, 5).join(', ')}`));
        else resolve(results);
      }
    };
    pump();
  });
}

/** For each runnable node, its nearest runnable ancestors (through any non-runnable nodes). */
function contractedParents(graph: DependencyGraph, runnable: Set<string>): Map<string, Set<string>> {
  const throughCache = new Map<string, Set<string>>();
  const nearest = (id: string): Set<string> => {
    const found = new Set<string>();
    for (const parent of graph.predecessors(id) ?? []) {
      if (runnable.has(parent)) found.add(parent);
      else {
        let through = throughCache.get(parent);
        if (!through) {
          through = nearest(parent);
          throughCache.set(parent, through);
        }
        through.forEach((ancestor) => found.add(ancestor));
      }
    }
    return found;
  };
  return new Map([...runnable].map((id) => [id, nearest(id)]));
}
