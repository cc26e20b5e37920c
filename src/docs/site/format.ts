import type { DocsNode } from '../docs-data.js';
import { h } from './dom.js';

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')}s`;
}

/** The colour family of a run status: success and pass are fine, warn is a warning, the rest failed or never ran. */
export function statusTone(status: string): 'ok' | 'warn' | 'error' | 'skipped' {
  if (status === 'success' || status === 'pass') return 'ok';
  if (status === 'warn') return 'warn';
  if (status === 'skipped') return 'skipped';
  return 'error';
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${statusTone(status)}` }, status);
}

/**
 * The colour key of a node: models by materialization (what a reader asks first: is it a table or a view?), other
 * resources by type. app.css holds the colours of each `kind-*` class; the legend lists the ones present.
 */
export function kindOf(node: DocsNode): string {
  return node.resourceType === 'model' ? `model-${node.materialized ?? 'view'}` : node.resourceType;
}

export function kindLabel(kind: string): string {
  return kind.replace(/^model-/, '').replace(/_/g, ' ');
}

export function typeLabel(node: DocsNode): string {
  const type = node.resourceType.replace('_', ' ');
  return node.resourceType === 'model' && node.materialized ? `${type} · ${node.materialized.replace(/_/g, ' ')}` : type;
}
