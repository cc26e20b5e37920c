import { columnKey } from './column-key.js';
import type { ColumnRef, ProjectLineage } from './types.js';

export type LineageDirection = 'upstream' | 'downstream';

/** A column reached by a walk, `depth` hops away from where it started. */
export interface LineageStep {
  column: ColumnRef;
  depth: number;
}

/** Per column (by `columnKey`): the model columns that derive from it directly. */
export function invertLineage(lineage: ProjectLineage): Map<string, ColumnRef[]> {
  const downstream = new Map<string, ColumnRef[]>();
  for (const [node, { columns }] of Object.entries(lineage)) {
    for (const [column, { upstream }] of Object.entries(columns)) {
      for (const source of upstream) {
        const key = columnKey(source);
        const list = downstream.get(key);
        if (list) list.push({ node, column });
        else downstream.set(key, [{ node, column }]);
      }
    }
  }
  return downstream;
}

/** Column lineage both ways, for `tsdbt lineage model.column --upstream|--downstream` and the docs site. */
export class LineageGraph {
  private readonly downstream: Map<string, ColumnRef[]>;

  constructor(private readonly lineage: ProjectLineage) {
    this.downstream = invertLineage(lineage);
  }

  /** The columns one hop away. */
  neighbours(column: ColumnRef, direction: LineageDirection): ColumnRef[] {
    if (direction === 'downstream') return this.downstream.get(columnKey(column)) ?? [];
    return this.lineage[column.node]?.columns[column.column]?.upstream ?? [];
  }

  /**
   * Every column reachable in `direction` within `maxDepth` hops (all of them by default), breadth first: each once,
   * at its shortest distance, nearest first. The starting column is not included.
   */
  walk(from: ColumnRef, direction: LineageDirection, maxDepth = Number.POSITIVE_INFINITY): LineageStep[] {
    const seen = new Set([columnKey(from)]);
    const steps: LineageStep[] = [];
    let frontier = [from];
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: ColumnRef[] = [];
      for (const column of frontier) {
        for (const neighbour of this.neighbours(column, direction)) {
          const key = columnKey(neighbour);
          if (seen.has(key)) continue;
          seen.add(key);
          steps.push({ column: neighbour, depth });
          next.push(neighbour);
        }
      }
      frontier = next;
    }
    return steps;
  }
}
