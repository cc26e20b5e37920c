import { columnKey } from '../../lineage/column-key.js';
import { invertLineage } from '../../lineage/lineage-graph.js';
import type { ColumnRef } from '../../lineage/types.js';
import type { Project } from './project.js';

/**
 * A column's lineage across models: every column it derives from and every column derived from it, transitively.
 * The data holds one hop upstream per column; the downstream index is its reverse, built once on first use.
 */
export type ColumnRole = 'selected' | 'upstream' | 'downstream';

export interface LineageColumn extends ColumnRef {
  role: ColumnRole;
  /** Why part of this column's derivation is unknown, when the lineage says so. */
  unresolved?: string;
}

export interface ColumnGraph {
  columns: Map<string, LineageColumn>;
  /** Derivations, upstream key first. */
  edges: [string, string][];
}

const downstreamIndexes = new WeakMap<Project, Map<string, ColumnRef[]>>();

function downstreamIndex(project: Project): Map<string, ColumnRef[]> {
  let index = downstreamIndexes.get(project);
  if (!index) {
    index = invertLineage(project.data.lineage);
    downstreamIndexes.set(project, index);
  }
  return index;
}

function upstreamOf(project: Project, ref: ColumnRef): ColumnRef[] {
  return project.data.lineage[ref.node]?.columns[ref.column]?.upstream ?? [];
}

export function unresolvedReason(project: Project, ref: ColumnRef): string | undefined {
  const lineage = project.data.lineage[ref.node];
  return lineage?.columns[ref.column]?.unresolved ?? lineage?.error;
}

export function columnLineage(project: Project, selected: ColumnRef): ColumnGraph {
  const columns = new Map<string, LineageColumn>();
  const edges: [string, string][] = [];
  const add = (ref: ColumnRef, role: ColumnRole) => {
    columns.set(columnKey(ref), { ...ref, role, unresolved: unresolvedReason(project, ref) });
  };
  add(selected, 'selected');
  const downstream = downstreamIndex(project);
  // Two walks from the selected column, one per direction; each column is visited once, so a diamond stays finite.
  const walks: [ColumnRole, (ref: ColumnRef) => ColumnRef[], (from: ColumnRef, to: ColumnRef) => [string, string]][] = [
    ['upstream', (ref) => upstreamOf(project, ref), (from, to) => [columnKey(to), columnKey(from)]],
    ['downstream', (ref) => downstream.get(columnKey(ref)) ?? [], (from, to) => [columnKey(from), columnKey(to)]],
  ];
  for (const [role, next, edge] of walks) {
    const seen = new Set([columnKey(selected)]);
    const queue = [selected];
    for (let ref = queue.shift(); ref; ref = queue.shift()) {
      for (const neighbour of next(ref)) {
        edges.push(edge(ref, neighbour));
        const key = columnKey(neighbour);
        if (seen.has(key)) continue;
        seen.add(key);
        if (!columns.has(key)) add(neighbour, role);
        queue.push(neighbour);
      }
    }
  }
  return { columns, edges };
}
