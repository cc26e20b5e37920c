import type { DocsNode } from '../../docs-data.js';
import { h } from '../dom.js';
import { kindLabel, kindOf } from '../format.js';

const STATUSES = [
  ['ok', 'success / pass'],
  ['warn', 'warn'],
  ['error', 'error / fail'],
  ['skipped', 'skipped'],
] as const;

/** The colours of the drawn kinds (resource type, materialization for models), and of run statuses. */
export function legend(nodes: DocsNode[], withRun: boolean): HTMLElement {
  const kinds = [...new Set(nodes.map(kindOf))].sort();
  return h('div', { class: 'legend' },
    ...kinds.map((kind) => h('span', { class: `legend-item kind-${kind}` }, h('i', { class: 'swatch' }), kindLabel(kind))),
    withRun && h('span', { class: 'legend-sep' }),
    ...(withRun ? STATUSES.map(([tone, label]) => h('span', { class: 'legend-item' }, h('i', { class: `dot status-${tone}` }), label)) : []),
  );
}
