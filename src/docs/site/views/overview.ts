import { RESOURCE_KINDS } from '../../../core/node-kinds.js';
import type { ResourceType } from '../../../core/nodes.js';
import { h } from '../dom.js';
import { formatDuration, statusBadge } from '../format.js';
import { renderMarkdown } from '../markdown.js';
import { graphHref, href } from '../router.js';
import type { ViewFactory } from '../view.js';

/** The kinds the landing page counts, labelled `Data tests`. */
const TYPES: [ResourceType, string][] = (['model', 'source', 'seed', 'snapshot', 'test', 'unit_test'] as const).map((type) => {
  const { plural } = RESOURCE_KINDS[type];
  return [type, `${plural[0]!.toUpperCase()}${plural.slice(1)}`];
});

/** The landing page: what the project holds and how its last run went. */
export const overview: ViewFactory = (project) => {
  const { data } = project;
  const counts = new Map<string, number>();
  for (const node of data.nodes) counts.set(node.resourceType, (counts.get(node.resourceType) ?? 0) + 1);
  const statuses = new Map<string, number>();
  for (const result of data.lastRun?.results ?? []) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
  const element = h('section', { class: 'view page' },
    h('header', { class: 'page-head' },
      h('div', { class: 'type-pill' }, 'Project'),
      h('h1', {}, data.projectName),
      h('div', { class: 'meta' },
        data.environment !== undefined && h('span', { class: 'tag environment' }, `Environment ${data.environment}`),
        h('span', { class: 'muted' }, `Generated ${new Date(data.generatedAt).toLocaleString()} by tsdbt ${data.tsdbtVersion}`)),
    ),
    // The project's own words first: its `{% docs __overview__ %}` block.
    data.overview ? h('section', { class: 'card project-overview' }, renderMarkdown(data.overview)) : null,
    h('div', { class: 'stat-grid' }, ...TYPES.filter(([type]) => counts.has(type)).map(([type, label]) =>
      h('div', { class: 'stat card' },
        h('div', { class: 'stat-value' }, (counts.get(type) ?? 0).toLocaleString()), h('div', { class: 'stat-label' }, label)),
    )),
    h('div', { class: 'page-grid even' },
      h('section', { class: 'card' }, h('h2', {}, 'Lineage'),
        renderMarkdown('Every source, seed, model and snapshot, left to right. Select a part of it with dbt\'s syntax: `2+orders+1` is `orders` with two levels upstream and one downstream, `@orders` adds what its descendants read.'),
        h('a', { class: 'button primary', href: graphHref('') }, 'Open the lineage graph'),
      ),
      h('section', { class: 'card' }, h('h2', {}, 'Last run'),
        data.lastRun
          ? h('div', {},
            h('p', {}, `${data.lastRun.command ? `tsdbt ${data.lastRun.command}, ` : ''}${new Date(data.lastRun.generatedAt).toLocaleString()}, ${formatDuration(data.lastRun.elapsedTime)}`),
            h('p', { class: 'run-line' }, ...[...statuses].map(([status, count]) => h('span', {}, statusBadge(status), ` ${count}`))),
            h('a', { class: 'button primary', href: href('timeline') }, 'Open the timeline'))
          : h('p', { class: 'muted' }, 'No run results yet.'),
      ),
    ),
  );
  return { element, ready: Promise.resolve() };
};
