import { h } from '../dom.js';
import { typeLabel, formatDuration, statusBadge } from '../format.js';
import { layoutInWorker } from '../layout/layout-client.js';
import type { LayoutResult } from '../layout/layout-types.js';
import { summary } from '../markdown.js';
import { graphHref, href, nodeHref } from '../router.js';
import { reachable } from '../../../graph/selection/traversal.js';
import { nodeSelector, select, type Selection } from '../selector.js';
import { neighbours, push, type Project } from '../project.js';
import type { ViewFactory } from '../view.js';
import { drawnGraph, layoutRequest, type DrawnGraph } from './graph-model.js';
import { nodeCards, renderGraph, type NodeCard, type RenderedGraph } from './graph-render.js';
import { legend } from './legend.js';
import { attachPanZoom } from './pan-zoom.js';

/** Layouts already computed this visit, by selector: coming back to the whole project costs nothing. */
const layouts = new Map<string, LayoutResult>();

function toolbar(selector: string, showTests: boolean): HTMLElement {
  const input = h('input', {
    name: 'select', type: 'search', value: selector, spellcheck: 'false', 'aria-label': 'graph selector',
    placeholder: 'As tsdbt -s: +orders+1 tag:nightly,config.materialized:table; empty: all',
  });
  const tests = h('input', { type: 'checkbox', name: 'tests', checked: showTests });
  const form = h('form', { class: 'graph-select' }, input, h('button', { type: 'submit' }, 'Apply'),
    h('label', { class: 'check' }, tests, 'Tests as nodes'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = href('graph', undefined, { select: input.value.trim(), ...(tests.checked ? { tests: '1' } : {}) });
  });
  tests.addEventListener('change', () => form.requestSubmit());
  return form;
}

/** Nodes and edges upstream and downstream of `id` within the drawn graph: what a click lights up. */
function lineageWithin(rendered: RenderedGraph, id: string): Set<string> {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const { from, to } of rendered.edgeElements) {
    push(up, to, from);
    push(down, from, to);
  }
  return new Set([id, ...reachable([id], (node) => neighbours(up, node)), ...reachable([id], (node) => neighbours(down, node))]);
}

function details(project: Project, id: string): HTMLElement {
  const node = project.byId.get(id);
  if (!node) return h('div');
  const run = project.runOf.get(id);
  return h('div', { class: 'details-body' },
    h('div', { class: 'details-type' }, typeLabel(node)),
    h('h3', {}, node.name),
    run && h('p', {}, statusBadge(run.status), ' ', formatDuration(run.executionTime)),
    node.description && h('p', { class: 'muted' }, summary(node.description)),
    h('div', { class: 'details-actions' },
      h('a', { class: 'button primary', href: nodeHref(id) }, 'Open page'),
      h('a', { class: 'button', href: graphHref(`+${nodeSelector(project, node)}+`) }, 'Focus lineage'),
    ),
  );
}

function draw(project: Project, graph: DrawnGraph, cards: NodeCard[], layout: LayoutResult, canvas: HTMLElement, panel: HTMLElement, matched: Set<string>) {
  const rendered = renderGraph(graph, cards, layout);
  canvas.replaceChildren(rendered.svg);
  const panZoom = attachPanZoom(rendered.svg, rendered.viewport);
  panZoom.fit({ x: 0, y: 0, width: layout.width, height: layout.height });
  for (const id of matched) rendered.nodeElements.get(id)?.classList.add('matched');

  const focus = (id: string | undefined) => {
    rendered.svg.classList.toggle('focusing', id !== undefined);
    const lit = id === undefined ? new Set<string>() : lineageWithin(rendered, id);
    for (const [nodeId, element] of rendered.nodeElements) {
      element.classList.toggle('lit', lit.has(nodeId));
      element.classList.toggle('focused', nodeId === id);
    }
    for (const edge of rendered.edgeElements) edge.element.classList.toggle('lit', lit.has(edge.from) && lit.has(edge.to));
    panel.hidden = id === undefined;
    panel.replaceChildren(...(id === undefined ? [] : [details(project, id)]));
  };
  const nodeOf = (event: Event) => (event.target as Element).closest<SVGGElement>('g.node')?.dataset.id;
  rendered.svg.addEventListener('click', (event) => focus(nodeOf(event)));
  rendered.svg.addEventListener('dblclick', (event) => {
    const id = nodeOf(event);
    if (id) location.hash = nodeHref(id);
  });
  rendered.svg.addEventListener('keydown', (event) => {
    const id = nodeOf(event);
    if (id && event.key === 'Enter') location.hash = nodeHref(id);
  });
  return panZoom;
}

export const graphView: ViewFactory = (project, route, signal) => {
  const selector = route.params.get('select') ?? '';
  const showTests = route.params.get('tests') === '1';
  // No selector draws the whole project, sources included, where the CLI's default leaves sources out.
  const selection: Selection = selector ? select(project, selector) : { ids: new Set(project.byId.keys()), matched: new Set(), unmatched: [] };
  const graph = drawnGraph(project, selection.ids, showTests);
  const canvas = h('div', { class: 'graph-canvas' }, h('div', { class: 'graph-message' }, `Laying out ${graph.nodes.length.toLocaleString()} nodes…`));
  const panel = h('aside', { class: 'graph-details', hidden: true });
  const status = h('div', { class: 'graph-status' });
  const zoomButtons = h('div', { class: 'zoom' });
  const element = h('section', { class: 'view graph-view' },
    h('div', { class: 'graph-toolbar' }, toolbar(selector, showTests), zoomButtons),
    selection.error && h('div', { class: 'notice error selector-error' }, selection.error.message, selection.error.hint && h('div', { class: 'muted' }, selection.error.hint)),
    selection.unmatched.length > 0 && h('div', { class: 'notice warn' }, `Nothing matches: ${selection.unmatched.join(', ')}`),
    h('div', { class: 'graph-stage' }, canvas, panel, status),
    legend(graph.nodes, project.runOf.size > 0),
  );
  const key = `${selector}\u0000${showTests}`;
  const ready = (async () => {
    if (graph.nodes.length === 0) {
      canvas.replaceChildren(h('div', { class: 'graph-message' }, 'No nodes to draw.'));
      return;
    }
    const cards = nodeCards(project, graph);
    const layout = layouts.get(key) ?? (await layoutInWorker(layoutRequest(graph, cards.map((card) => card.width)), signal));
    layouts.set(key, layout);
    if (signal.aborted) return;
    const panZoom = draw(project, graph, cards, layout, canvas, panel, selection.matched);
    const box = { x: 0, y: 0, width: layout.width, height: layout.height };
    zoomButtons.append(
      h('button', { type: 'button', title: 'Zoom in', onclick: () => panZoom.zoomBy(1.25) }, '+'),
      h('button', { type: 'button', title: 'Zoom out', onclick: () => panZoom.zoomBy(0.8) }, '−'),
      h('button', { type: 'button', title: 'Fit to view', onclick: () => panZoom.fit(box) }, 'Fit'),
    );
    status.textContent = `${graph.nodes.length.toLocaleString()} nodes · ${graph.edges.length.toLocaleString()} edges · layout ${Math.round(layout.ms)} ms`;
    canvas.dataset.ready = 'true';
  })();
  return { element, ready };
};
