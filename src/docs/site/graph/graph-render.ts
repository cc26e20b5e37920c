import type { DocsNode } from '../../docs-data.js';
import { s } from '../dom.js';
import { formatDuration, kindLabel, kindOf, statusTone, typeLabel } from '../format.js';
import type { LayoutResult, Point } from '../layout/layout-types.js';
import type { Project } from '../project.js';
import { basisPath } from './edge-path.js';
import { NODE_HEIGHT, NODE_WIDTH, type DrawnGraph } from './graph-model.js';
import { fitText, textWidth } from './text-fit.js';

export interface RenderedGraph {
  svg: SVGSVGElement;
  /** The group pan and zoom transform. */
  viewport: SVGGElement;
  nodeElements: Map<string, SVGGElement>;
  edgeElements: { from: string; to: string; element: SVGPathElement }[];
}

// Where a node's texts go: the name on the first line; the type on the left of the second, the status dot and the
// facts (duration, tests) on its right. The type gives way to the facts, and each text is cut to its room.
const PAD_LEFT = 14;
const PAD_RIGHT = 8;
const GAP = 8;
const DOT_RADIUS = 4.5;
const NAME_BASELINE = 17;
const SECOND_BASELINE = 33;

function drawNode(project: Project, node: DocsNode, tests: number | undefined): SVGGElement {
  const run = project.runOf.get(node.uniqueId);
  // The legend's words (incremental, materialized view, seed): `model · ` would crowd out the materialization.
  const kind = kindLabel(kindOf(node));
  const facts = [run && formatDuration(run.executionTime), tests && `${tests} test${tests > 1 ? 's' : ''}`].filter(Boolean).join(' · ');
  const factsWidth = facts ? textWidth(facts, 'node-facts') : 0;
  const factsLeft = NODE_WIDTH - PAD_RIGHT - factsWidth;
  const dotX = factsLeft - (facts ? 5 : 0) - DOT_RADIUS;
  const typeRight = (run ? dotX - DOT_RADIUS : factsLeft) - GAP;
  const tip = [node.name, typeLabel(node), run && `last run: ${run.status}, ${formatDuration(run.executionTime)}`].filter(Boolean).join('\n');
  return s('g', { class: `node kind-${kindOf(node)}`, 'data-id': node.uniqueId, tabindex: 0, role: 'button' },
    s('title', {}, tip),
    s('rect', { class: 'node-box', width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
    s('rect', { class: 'node-stripe', width: 6, height: NODE_HEIGHT, rx: 3 }),
    s('text', { class: 'node-name', x: PAD_LEFT, y: NAME_BASELINE }, fitText(node.name, 'node-name', NODE_WIDTH - PAD_LEFT - PAD_RIGHT)),
    s('text', { class: 'node-type', x: PAD_LEFT, y: SECOND_BASELINE }, fitText(kind, 'node-type', typeRight - PAD_LEFT)),
    run && s('circle', { class: `node-status status-${statusTone(run.status)}`, cx: dotX, cy: SECOND_BASELINE - 4, r: DOT_RADIUS }),
    facts && s('text', { class: 'node-facts', x: NODE_WIDTH - PAD_RIGHT, y: SECOND_BASELINE, 'text-anchor': 'end' }, facts),
  );
}

/** Edges leave a node's right side and enter the next one's left side, at mid-height, as dbt draws them. */
function route(points: Point[], from: Point, to: Point): Point[] {
  return [{ x: from.x + NODE_WIDTH / 2, y: from.y }, ...points.slice(1, -1), { x: to.x - NODE_WIDTH / 2, y: to.y }];
}

/** The graph as SVG: one group per node (name, type, last run status and duration, tests) and a path per edge. */
export function renderGraph(project: Project, graph: DrawnGraph, layout: LayoutResult): RenderedGraph {
  const viewport = s('g', { class: 'viewport' });
  const edgeLayer = s('g', { class: 'edges' });
  const nodeLayer = s('g', { class: 'nodes' });
  const nodeElements = new Map<string, SVGGElement>();
  const edgeElements: RenderedGraph['edgeElements'] = [];
  graph.edges.forEach(([from, to], index) => {
    const points = route(layout.edges[index] ?? [], layout.nodes[from] ?? { x: 0, y: 0 }, layout.nodes[to] ?? { x: 0, y: 0 });
    const element = s('path', { class: 'edge', d: basisPath(points), 'marker-end': 'url(#arrow)' });
    edgeLayer.append(element);
    edgeElements.push({ from: graph.nodes[from]?.uniqueId ?? '', to: graph.nodes[to]?.uniqueId ?? '', element });
  });
  graph.nodes.forEach((node, index) => {
    const centre = layout.nodes[index] ?? { x: 0, y: 0 };
    const element = drawNode(project, node, graph.testCounts.get(node.uniqueId));
    element.setAttribute('transform', `translate(${centre.x - NODE_WIDTH / 2},${centre.y - NODE_HEIGHT / 2})`);
    nodeLayer.append(element);
    nodeElements.set(node.uniqueId, element);
  });
  viewport.append(edgeLayer, nodeLayer);
  const defs = s('defs', {},
    s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0L10,5L0,10z', class: 'arrow' }),
    ),
  );
  const svg = s('svg', { class: 'graph-svg', role: 'img', 'aria-label': 'lineage graph' }, defs, viewport);
  return { svg, viewport, nodeElements, edgeElements };
}
