import type { DocsNode, DocsRunResult } from '../../docs-data.js';
import { s } from '../dom.js';
import { formatDuration, kindLabel, kindOf, statusTone, typeLabel } from '../format.js';
import type { LayoutResult, Point } from '../layout/layout-types.js';
import type { Project } from '../project.js';
import { basisPath } from './edge-path.js';
import { NODE_HEIGHT, type DrawnGraph } from './graph-model.js';
import { fitText, textWidth } from './text-fit.js';

export interface RenderedGraph {
  svg: SVGSVGElement;
  /** The group pan and zoom transform. */
  viewport: SVGGElement;
  nodeElements: Map<string, SVGGElement>;
  edgeElements: { from: string; to: string; element: SVGPathElement }[];
}

// Where a node's texts go: the name on the first line; the type on the left of the second, the status dot and the
// facts (duration, tests) on its right. A node is as wide as its texts need, within bounds; past the widest, the
// name and then the type are cut with an ellipsis (the title tooltip has them whole).
const MIN_WIDTH = 180;
const MAX_WIDTH = 440;
const PAD_LEFT = 14;
const PAD_RIGHT = 8;
const GAP = 10;
const DOT_RADIUS = 4.5;
const DOT_GAP = 5;
const NAME_BASELINE = 17;
const SECOND_BASELINE = 33;

/** What a node shows and the width it is drawn at, measured before the layout so dagre spaces the boxes right. */
export interface NodeCard {
  node: DocsNode;
  /** The legend's words (incremental, materialized view, seed): `model · ` would crowd out the materialization. */
  kind: string;
  /** The last run's duration and the tests counted on the node. */
  facts: string;
  run?: DocsRunResult;
  width: number;
}

export function nodeCards(project: Project, graph: DrawnGraph): NodeCard[] {
  return graph.nodes.map((node) => {
    const run = project.runOf.get(node.uniqueId);
    const tests = graph.testCounts.get(node.uniqueId);
    const kind = kindLabel(kindOf(node));
    const facts = [run && formatDuration(run.executionTime), tests && `${tests} test${tests > 1 ? 's' : ''}`].filter(Boolean).join(' · ');
    const needed = Math.max(textWidth(node.name, 'node-name'), textWidth(kind, 'node-type') + GAP + rightPartWidth(facts, run));
    return { node, kind, facts, ...(run && { run }), width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(PAD_LEFT + needed + PAD_RIGHT))) };
  });
}

/** The status dot and the facts, right-aligned on the second line. */
function rightPartWidth(facts: string, run: DocsRunResult | undefined): number {
  return (facts ? textWidth(facts, 'node-facts') : 0) + (run ? 2 * DOT_RADIUS + (facts ? DOT_GAP : 0) : 0);
}

function drawNode({ node, kind, facts, run, width }: NodeCard): SVGGElement {
  const factsRight = width - PAD_RIGHT;
  const rightPartLeft = factsRight - rightPartWidth(facts, run);
  const tip = [node.name, typeLabel(node), run && `last run: ${run.status}, ${formatDuration(run.executionTime)}`].filter(Boolean).join('\n');
  return s('g', { class: `node kind-${kindOf(node)}`, 'data-id': node.uniqueId, tabindex: 0, role: 'button' },
    s('title', {}, tip),
    s('rect', { class: 'node-box', width, height: NODE_HEIGHT, rx: 6 }),
    s('rect', { class: 'node-stripe', width: 6, height: NODE_HEIGHT, rx: 3 }),
    s('text', { class: 'node-name', x: PAD_LEFT, y: NAME_BASELINE }, fitText(node.name, 'node-name', width - PAD_LEFT - PAD_RIGHT)),
    s('text', { class: 'node-type', x: PAD_LEFT, y: SECOND_BASELINE }, fitText(kind, 'node-type', rightPartLeft - GAP - PAD_LEFT)),
    run && s('circle', { class: `node-status status-${statusTone(run.status)}`, cx: rightPartLeft + DOT_RADIUS, cy: SECOND_BASELINE - 4, r: DOT_RADIUS }),
    facts && s('text', { class: 'node-facts', x: factsRight, y: SECOND_BASELINE, 'text-anchor': 'end' }, facts),
  );
}

/** Edges leave a node's right side and enter the next one's left side, at mid-height, as dbt draws them. */
function route(points: Point[], from: Point, fromWidth: number, to: Point, toWidth: number): Point[] {
  return [{ x: from.x + fromWidth / 2, y: from.y }, ...points.slice(1, -1), { x: to.x - toWidth / 2, y: to.y }];
}

/** The graph as SVG: one group per node (name, type, last run status and duration, tests) and a path per edge. */
export function renderGraph(graph: DrawnGraph, cards: NodeCard[], layout: LayoutResult): RenderedGraph {
  const viewport = s('g', { class: 'viewport' });
  const edgeLayer = s('g', { class: 'edges' });
  const nodeLayer = s('g', { class: 'nodes' });
  const nodeElements = new Map<string, SVGGElement>();
  const edgeElements: RenderedGraph['edgeElements'] = [];
  graph.edges.forEach(([from, to], index) => {
    const origin = { x: 0, y: 0 };
    const points = route(layout.edges[index] ?? [], layout.nodes[from] ?? origin, cards[from]?.width ?? 0, layout.nodes[to] ?? origin, cards[to]?.width ?? 0);
    const element = s('path', { class: 'edge', d: basisPath(points), 'marker-end': 'url(#arrow)' });
    edgeLayer.append(element);
    edgeElements.push({ from: graph.nodes[from]?.uniqueId ?? '', to: graph.nodes[to]?.uniqueId ?? '', element });
  });
  cards.forEach((card, index) => {
    const centre = layout.nodes[index] ?? { x: 0, y: 0 };
    const element = drawNode(card);
    element.setAttribute('transform', `translate(${centre.x - card.width / 2},${centre.y - NODE_HEIGHT / 2})`);
    nodeLayer.append(element);
    nodeElements.set(card.node.uniqueId, element);
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
