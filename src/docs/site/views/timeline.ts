import type { DocsRunResult } from '../../docs-data.js';
import { h, place } from '../dom.js';
import { formatDuration, statusBadge, statusTone } from '../format.js';
import { nodeHref } from '../router.js';
import { neighbours, push, type Project } from '../project.js';
import type { ViewFactory } from '../view.js';

interface Bar {
  result: DocsRunResult;
  start: number;
  end: number;
}

const TICK_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

function bars(results: DocsRunResult[]): Bar[] {
  return results.flatMap((result) => {
    if (!result.startedAt || !result.completedAt) return [];
    const start = Date.parse(result.startedAt) / 1000;
    return [{ result, start, end: Math.max(start, Date.parse(result.completedAt) / 1000) }];
  });
}

/**
 * The chain that set the run's length: from the last node to finish, back through the parent that finished last
 * before it started. Its nodes are what serialised the run; shortening anything else would not end it sooner.
 */
function criticalChain(project: Project, all: Bar[]): Bar[] {
  const byId = new Map(all.map((bar) => [bar.result.uniqueId, bar]));
  let current = all.reduce<Bar | undefined>((last, bar) => (!last || bar.end > last.end ? bar : last), undefined);
  const chain: Bar[] = [];
  while (current && !chain.includes(current)) {
    chain.unshift(current);
    const startedAt = current.start;
    current = neighbours(project.parents, current.result.uniqueId)
      .map((id) => byId.get(id))
      .filter((bar): bar is Bar => bar !== undefined && bar.end <= startedAt + 0.001)
      .reduce<Bar | undefined>((last, bar) => (!last || bar.end > last.end ? bar : last), undefined);
  }
  return chain;
}

function axis(span: number): HTMLElement {
  const step = TICK_STEPS.find((candidate) => span / candidate <= 10) ?? span / 10;
  const ticks: HTMLElement[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) {
    const tick = h('span', { class: 'tick' }, t === 0 ? '0' : formatDuration(t));
    place(tick, { left: `${(t / span) * 100}%` });
    ticks.push(tick);
  }
  return h('div', { class: 'timeline-axis' }, ...ticks);
}

function tooltip(project: Project, bar: Bar, origin: number): HTMLElement {
  const { result } = bar;
  return h('div', {},
    h('strong', {}, project.byId.get(result.uniqueId)?.name ?? result.uniqueId), ' ', statusBadge(result.status),
    h('div', {}, `${formatDuration(result.executionTime)}, from +${formatDuration(bar.start - origin)} on ${result.threadId}`),
    result.message && h('div', { class: 'muted' }, result.message.length > 200 ? `${result.message.slice(0, 199)}…` : result.message),
  );
}

function barList(project: Project, list: Bar[]): HTMLElement {
  return h('ol', { class: 'link-list' }, ...list.map((bar) => h('li', {},
    h('a', { href: nodeHref(bar.result.uniqueId) }, project.byId.get(bar.result.uniqueId)?.name ?? bar.result.uniqueId), ' ',
    h('span', { class: 'muted' }, formatDuration(bar.end - bar.start)),
  )));
}

export const timelineView: ViewFactory = (project) => {
  const run = project.data.lastRun;
  const all = bars(run?.results ?? []);
  if (!run || all.length === 0) {
    const element = h('section', { class: 'view page' }, h('h1', {}, 'Last run'), h('p', { class: 'muted' }, 'No run results: run `tsdbt build`, then `tsdbt docs generate`.'));
    return { element, ready: Promise.resolve() };
  }
  const origin = all.reduce((min, bar) => Math.min(min, bar.start), Infinity);
  const span = Math.max(0.001, all.reduce((max, bar) => Math.max(max, bar.end), -Infinity) - origin);
  const chain = new Set(criticalChain(project, all));
  const lanes = new Map<string, Bar[]>();
  for (const bar of all) push(lanes, bar.result.threadId, bar);
  const laneNames = [...lanes.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));

  const tip = h('div', { class: 'timeline-tip', hidden: true });
  const show = (bar: Bar, event: MouseEvent) => {
    tip.replaceChildren(tooltip(project, bar, origin));
    tip.hidden = false;
    place(tip, { left: event.clientX + 12, top: event.clientY + 12 });
  };
  const laneElements = laneNames.map((name) => {
    const track = h('div', { class: 'lane-track' });
    for (const bar of lanes.get(name) ?? []) {
      const element = h('a', {
        class: `bar status-${statusTone(bar.result.status)}${chain.has(bar) ? ' critical' : ''}`,
        href: nodeHref(bar.result.uniqueId), 'data-id': bar.result.uniqueId,
        'aria-label': project.byId.get(bar.result.uniqueId)?.name ?? bar.result.uniqueId,
        onmousemove: (event) => show(bar, event as MouseEvent),
        onmouseleave: () => (tip.hidden = true),
      });
      place(element, { left: `${((bar.start - origin) / span) * 100}%`, width: `${((bar.end - bar.start) / span) * 100}%` });
      track.append(element);
    }
    return h('div', { class: 'lane', 'data-thread': name }, h('div', { class: 'lane-name' }, name), track);
  });

  const busy = all.reduce((sum, bar) => sum + (bar.end - bar.start), 0);
  const notStarted = run.results.length - all.length;
  const slowest = [...all].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 10);
  const counts = new Map<string, number>();
  for (const result of run.results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
  const element = h('section', { class: 'view page timeline-view' },
    h('header', { class: 'page-head' },
      h('div', { class: 'type-pill' }, 'Last run'),
      h('h1', {}, run.command ? `tsdbt ${run.command}` : 'Last run'),
      h('div', { class: 'meta' },
        h('span', {}, `${new Date(run.generatedAt).toLocaleString()} · ${formatDuration(run.elapsedTime)} elapsed`),
        h('span', {}, `${laneNames.length} thread${laneNames.length === 1 ? '' : 's'}, ${Math.round((busy / (span * laneNames.length)) * 100)}% busy`),
        ...[...counts].map(([status, count]) => h('span', {}, statusBadge(status), ` ${count}`)),
        notStarted > 0 && h('span', { class: 'muted' }, `${notStarted} never started`),
      ),
    ),
    h('section', { class: 'card' },
      h('div', { class: 'timeline' }, axis(span), ...laneElements),
      h('p', { class: 'hint' }, 'Outlined bars: the chain that set the run\'s length (each waited for the one before it). Click a bar to open its node.'),
    ),
    h('div', { class: 'page-grid even' },
      h('section', { class: 'card' }, h('h2', {}, 'Critical chain'), barList(project, [...chain])),
      h('section', { class: 'card' }, h('h2', {}, 'Slowest nodes'), barList(project, slowest)),
    ),
    tip,
  );
  return { element, ready: Promise.resolve() };
};
