import './styles/base.css';
import './styles/layout.css';
import './styles/graph.css';
import './styles/page.css';
import { h } from './dom.js';
import { graphView } from './graph/graph-view.js';
import { indexProject } from './project.js';
import { href, parseRoute } from './router.js';
import { searchBox } from './search-box.js';
import { sidebar } from './sidebar.js';
import type { ViewFactory } from './view.js';
import { nodePage } from './views/node-page.js';
import { overview } from './views/overview.js';
import { timelineView } from './views/timeline.js';

const VIEWS: Record<string, ViewFactory> = { overview, graph: graphView, node: nodePage, timeline: timelineView };

/** Settles the bench's promise: load and first view, in milliseconds since navigation start. */
let firstDrawn: (timings: DocsTimings) => void = () => undefined;
window.__tsdbtDocsReady = new Promise((resolve) => (firstDrawn = resolve));

function start(): void {
  const data = window.__TSDBT_DOCS__;
  const root = document.getElementById('app');
  if (!root) return;
  if (!data) {
    root.replaceChildren(h('div', { class: 'fatal' }, 'data.js is missing or did not load: run `tsdbt docs generate` again.'));
    return;
  }
  const project = indexProject(data);
  const loadMs = performance.now();
  performance.mark('tsdbt-docs:loaded');
  document.title = `${data.projectName} · tsdbt docs`;

  const main = h('main', { class: 'content' });
  const nav = (view: string, label: string) => h('a', { class: 'nav-link', href: href(view), 'data-view': view }, label);
  const navLinks = [nav('overview', 'Overview'), nav('graph', 'Lineage'), nav('timeline', 'Last run')];
  root.replaceChildren(
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: href('overview') }, h('span', { class: 'brand-mark' }, 'ts'), h('span', {}, data.projectName)),
      data.environment !== undefined && h('span', { class: 'environment-badge', title: 'The virtual environment documented: its views and the version each shows' }, `env: ${data.environment}`),
      h('nav', { class: 'nav' }, ...navLinks),
      searchBox(project),
    ),
    h('div', { class: 'body' }, sidebar(project), main),
  );

  let current: AbortController | undefined;
  let first = true;
  const render = () => {
    current?.abort();
    const controller = (current = new AbortController());
    const route = parseRoute(location.hash);
    const factory = VIEWS[route.view] ?? overview;
    for (const link of navLinks) link.classList.toggle('active', link.dataset.view === route.view);
    const view = factory(project, route, controller.signal);
    main.replaceChildren(view.element);
    main.dataset.view = route.view;
    main.scrollTop = 0;
    const wasFirst = first;
    first = false;
    view.ready.then(
      () => {
        if (controller.signal.aborted) return;
        main.dataset.ready = 'true';
        document.querySelector('.column-lineage')?.scrollIntoView({ block: 'start' });
        if (wasFirst) {
          performance.mark('tsdbt-docs:drawn');
          firstDrawn({ loadMs, drawnMs: performance.now() });
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        main.append(h('div', { class: 'notice error' }, String(error)));
      },
    );
    delete main.dataset.ready;
  };
  window.addEventListener('hashchange', render);
  render();
}

start();
