import type { ChangeKind, Plan, PlannedNode } from './plan.js';

const SECTIONS: Array<[ChangeKind, string]> = [
  ['added', 'Added'],
  ['directly modified', 'Directly modified'],
  ['indirectly modified', 'Indirectly modified'],
];

/** A plan as `tsdbt plan` prints it: the changes by kind (with SQL diffs), what must be computed, what is reused. */
export function planText(plan: Plan, label: (node: PlannedNode) => string): string[] {
  const notes = [plan.basedOn && `new: compared with '${plan.basedOn}', which it starts as`, plan.range && `microbatch backfill limited to ${rangeText(plan.range)}`].filter(Boolean);
  const lines = [`Plan for environment '${plan.environment}'${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`];
  for (const [kind, title] of SECTIONS) {
    const nodes = plan.nodes.filter((node) => node.change === kind);
    if (nodes.length === 0) continue;
    lines.push('', `${title}:`);
    for (const node of nodes) {
      lines.push(`  ${label(node)}${classification(node)}`);
      if (node.diff) lines.push(...node.diff.trimEnd().split('\n').map((line) => `      ${line}`));
    }
  }
  if (plan.removed.length > 0) lines.push('', 'Removed:', ...plan.removed.map((node) => `  ${node.view}`));
  const unchanged = plan.nodes.filter((node) => node.change === 'unchanged').length;
  lines.push('', `Unchanged: ${unchanged} node${unchanged === 1 ? '' : 's'}`);
  const builds = plan.nodes.filter((node) => node.action === 'build');
  lines.push('', builds.length === 0 ? 'To compute: nothing' : 'To compute:');
  for (const node of builds) lines.push(`  ${label(node)}: ${backfillText(node)} (${node.reason})`);
  const reused = plan.nodes.filter((node) => node.action === 'reuse');
  if (reused.length > 0) lines.push('', `Reused without computing: ${reused.length}`, ...reused.map((node) => `  ${label(node)}: ${node.reason}`));
  return lines;
}

function classification(node: PlannedNode): string {
  if (node.change === 'added') return '';
  const parts = [node.breaking ? 'breaking' : 'non-breaking'];
  if (node.addedColumns.length > 0) parts.push(`columns added: ${node.addedColumns.join(', ')}`);
  if (node.changedColumns === 'all') parts.push('its rows may differ');
  else if (node.changedColumns.length > 0) parts.push(`changed: ${node.changedColumns.join(', ')}`);
  return ` [${parts.join('; ')}]`;
}

function backfillText(node: PlannedNode): string {
  const backfill = node.backfill;
  if (!backfill || backfill.kind === 'full') return `${node.materialization}, all rows`;
  if (backfill.kind === 'view') return 'view, nothing to compute';
  return `microbatch from ${backfill.start ?? 'its begin'} to ${backfill.end ?? 'now'}`;
}

function rangeText(range: NonNullable<Plan['range']>): string {
  return `${range.start ?? 'its begin'} .. ${range.end ?? 'now'}`;
}
