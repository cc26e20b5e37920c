import type { ColumnRef } from '../../../lineage/types.js';
import { columnKey } from '../../../lineage/column-key.js';
import { columnLineage, type ColumnGraph, type LineageColumn } from '../column-lineage.js';
import { h, place, s } from '../dom.js';
import { kindOf } from '../format.js';
import { nodeHref } from '../router.js';
import { push, type Project } from '../project.js';
import { basisPath } from '../graph/edge-path.js';

const CARD_WIDTH = 210;
const GAP_X = 70;
const HEADER = 34;
const ROW = 28;
const GAP_Y = 18;

/** Columns grouped by their node, nodes placed in levels (longest path from the most upstream): left to right. */
function levels(graph: ColumnGraph): Map<string, number> {
  const nodeEdges = new Map<string, string[]>();
  for (const [from, to] of graph.edges) {
    const a = graph.columns.get(from)?.node;
    const b = graph.columns.get(to)?.node;
    if (a !== undefined && b !== undefined && a !== b) push(nodeEdges, b, a);
  }
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (node: string): number => {
    const known = level.get(node);
    if (known !== undefined) return known;
    // The model graph is acyclic; should the data not be, a node seen on the current path counts as a root.
    if (visiting.has(node)) return 0;
    visiting.add(node);
    const value = Math.max(-1, ...(nodeEdges.get(node) ?? []).map(depth)) + 1;
    visiting.delete(node);
    level.set(node, value);
    return value;
  };
  for (const column of graph.columns.values()) depth(column.node);
  return level;
}

function row(project: Project, column: LineageColumn): HTMLElement {
  return h('a', {
    class: `lineage-column is-${column.role}`, href: nodeHref(column.node, column.column),
    'data-node': column.node, 'data-column': column.column, title: column.unresolved ?? '',
  },
  h('span', { class: 'lineage-column-name' }, column.column),
  column.unresolved !== undefined && h('span', { class: 'unresolved-mark', 'aria-label': 'unresolved' }, '?'),
  project.byId.has(column.node) ? null : h('span', { class: 'muted' }, ' (not in project)'),
  );
}

/** The selected column's lineage drawn as cards (one per node, its columns in the chain), joined by curves. */
export function columnLineageView(project: Project, selected: ColumnRef): HTMLElement {
  const graph = columnLineage(project, selected);
  const level = levels(graph);
  const byNode = new Map<string, LineageColumn[]>();
  for (const column of graph.columns.values()) push(byNode, column.node, column);
  const nodesByLevel = new Map<number, string[]>();
  for (const node of byNode.keys()) push(nodesByLevel, level.get(node) ?? 0, node);

  const stage = h('div', { class: 'lineage-stage' });
  const anchors = new Map<string, { x: number; y: number }>();
  let width = 0;
  let height = 0;
  for (const [lvl, nodes] of nodesByLevel) {
    let y = 0;
    const x = lvl * (CARD_WIDTH + GAP_X);
    for (const nodeId of nodes) {
      const node = project.byId.get(nodeId);
      const columns = byNode.get(nodeId) ?? [];
      const card = h('div', { class: `lineage-card kind-${node ? kindOf(node) : 'source'}` },
        h('a', { class: 'lineage-card-title', href: nodeHref(nodeId) }, node?.name ?? nodeId),
        ...columns.map((column) => row(project, column)),
      );
      place(card, { left: x, top: y, width: CARD_WIDTH });
      stage.append(card);
      columns.forEach((column, index) => anchors.set(columnKey(column), { x, y: y + HEADER + index * ROW + ROW / 2 }));
      y += HEADER + columns.length * ROW + GAP_Y;
    }
    width = Math.max(width, x + CARD_WIDTH);
    height = Math.max(height, y);
  }
  const curves = s('svg', { class: 'lineage-edges', width, height });
  for (const [from, to] of graph.edges) {
    const a = anchors.get(from);
    const b = anchors.get(to);
    if (!a || !b) continue;
    const start = { x: a.x + CARD_WIDTH, y: a.y };
    const bend = Math.max(30, (b.x - start.x) / 2);
    const d = basisPath([start, { x: start.x + bend, y: a.y }, { x: b.x - bend, y: b.y }, b]);
    curves.append(s('path', { d, class: `lineage-edge is-${graph.columns.get(to)?.role === 'downstream' ? 'downstream' : 'upstream'}` }));
  }
  stage.prepend(curves);
  place(stage, { width, height: Math.max(0, height - GAP_Y) });

  const unresolved = [...graph.columns.values()].filter((column) => column.unresolved !== undefined);
  const upstream = [...graph.columns.values()].filter((column) => column.role === 'upstream').length;
  const downstream = graph.columns.size - upstream - 1;
  return h('section', { class: 'column-lineage', 'data-column': selected.column },
    h('div', { class: 'section-head' },
      h('h2', {}, 'Lineage of column ', h('code', {}, selected.column)),
      h('span', { class: 'muted' }, `${upstream} upstream · ${downstream} downstream`),
      h('a', { class: 'button small', href: nodeHref(selected.node) }, 'Close'),
    ),
    h('div', { class: 'lineage-scroll' }, stage),
    unresolved.length > 0 && h('ul', { class: 'unresolved-list' },
      ...unresolved.map((column) => h('li', {}, h('span', { class: 'unresolved-mark' }, '?'), ' ',
        h('code', {}, `${project.byId.get(column.node)?.name ?? column.node}.${column.column}`), ': ', column.unresolved ?? '')),
    ),
  );
}
