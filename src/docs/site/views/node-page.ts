import type { DocsColumn, DocsNode } from '../../docs-data.js';
import { unresolvedReason } from '../column-lineage.js';
import { h, type Child } from '../dom.js';
import { formatDuration, kindOf, statusBadge, statusTone, typeLabel } from '../format.js';
import { codeBlock } from '../highlight.js';
import { renderMarkdown } from '../markdown.js';
import { graphHref, nodeHref } from '../router.js';
import { neighbours, type Project } from '../project.js';
import { nodeSelector } from '../selector.js';
import type { ViewFactory } from '../view.js';
import { columnLineageView } from './column-lineage-view.js';

function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

function nodeLink(project: Project, id: string): HTMLElement {
  const node = project.byId.get(id);
  const run = project.runOf.get(id);
  return h('a', { class: 'node-link', href: nodeHref(id) },
    h('i', { class: `swatch kind-${node ? kindOf(node) : 'source'}` }),
    h('span', {}, node?.name ?? id),
    h('span', { class: 'muted' }, node ? typeLabel(node) : ''),
    run && h('i', { class: `dot status-${statusTone(run.status)}`, title: run.status }),
  );
}

function linkList(project: Project, ids: string[], empty: string): HTMLElement {
  return ids.length === 0 ? h('p', { class: 'muted' }, empty) : h('ul', { class: 'link-list' }, ...ids.map((id) => h('li', {}, nodeLink(project, id))));
}

function header(project: Project, node: DocsNode): HTMLElement {
  return h('header', { class: 'page-head' },
    h('div', { class: `type-pill kind-${kindOf(node)}` }, typeLabel(node)),
    h('h1', {}, node.name),
    h('div', { class: 'meta' },
      node.relation && h('code', {}, node.relation),
      node.version && h('span', { class: 'tag fingerprint', title: `Version ${node.version.fingerprint}${node.version.table ? `, in ${node.version.table}` : ''}` }, node.version.fingerprint),
      h('span', { class: 'muted' }, node.path),
      node.language === 'typescript' && h('span', { class: 'tag' }, 'TypeScript'),
      ...node.tags.map((tag) => h('a', { class: 'tag', href: graphHref(`tag:${tag}`) }, tag)),
    ),
    h('div', { class: 'page-actions' },
      h('a', { class: 'button', href: graphHref(`2+${nodeSelector(project, node)}+2`) }, 'Lineage graph'),
    ),
  );
}

function lastRun(project: Project, node: DocsNode): HTMLElement | null {
  const run = project.runOf.get(node.uniqueId);
  if (!run) return null;
  return section('Last run',
    h('div', { class: 'run-line' },
      statusBadge(run.status),
      h('span', {}, formatDuration(run.executionTime)),
      run.startedAt && h('span', { class: 'muted' }, new Date(run.startedAt).toLocaleString()),
      h('span', { class: 'muted' }, run.threadId),
    ),
    run.message && h('pre', { class: 'message' }, run.message),
  );
}

/** `not_null_orders_id` on orders shows as `not_null`: generic tests are named test, model, column. */
function testLabel(testName: string, node: DocsNode): string {
  const at = testName.indexOf(`_${node.name}_`);
  return at > 0 ? testName.slice(0, at) : testName;
}

function columnTests(project: Project, node: DocsNode, column: DocsColumn): HTMLElement {
  return h('div', { class: 'column-tests' }, ...column.tests.map((id) => {
    const name = project.byId.get(id)?.name ?? id;
    const run = project.runOf.get(id);
    return h('a', { class: `test-chip ${run ? `status-${statusTone(run.status)}` : ''}`, href: nodeHref(id), title: name }, testLabel(name, node));
  }));
}

function columns(project: Project, node: DocsNode, selected: string | null): HTMLElement {
  if (node.columns.length === 0) return section('Columns', h('p', { class: 'muted' }, 'No columns documented or found in the catalog.'));
  const lineage = project.data.lineage[node.uniqueId];
  const rows = node.columns.map((column) => {
    const reason = lineage ? unresolvedReason(project, { node: node.uniqueId, column: column.name }) : undefined;
    return h('tr', { class: column.name === selected ? 'selected' : '', 'data-column': column.name },
      h('td', {}, h('a', { class: 'column-name', href: nodeHref(node.uniqueId, column.name), title: 'Show this column\'s lineage' }, column.name),
        reason !== undefined && h('span', { class: 'unresolved-mark', title: reason }, '?')),
      h('td', {}, column.type ? h('code', {}, column.type) : h('span', { class: 'muted' }, '—')),
      h('td', {}, column.description ? renderMarkdown(column.description) : null),
      h('td', {}, columnTests(project, node, column)),
    );
  });
  return section('Columns',
    h('p', { class: 'hint' }, 'Click a column to see where it comes from and where it goes.'),
    h('table', { class: 'columns' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Type'), h('th', {}, 'Description'), h('th', {}, 'Tests'))),
      h('tbody', {}, ...rows),
    ),
  );
}

function code(node: DocsNode): HTMLElement | null {
  const versions = [['Source', node.rawCode], ['Compiled', node.compiledCode]].filter((entry): entry is [string, string] => Boolean(entry[1]));
  if (versions.length === 0) return null;
  const language = node.language === 'typescript' ? undefined : 'sql';
  const blocks = versions.map(([label, text], index) => {
    const block = codeBlock(text, label === 'Source' && node.language === 'typescript' ? 'typescript' : language);
    block.hidden = index !== versions.length - 1;
    return block;
  });
  const tabs = versions.map(([label], index) => h('button', {
    type: 'button', class: index === versions.length - 1 ? 'tab active' : 'tab',
    onclick: () => {
      blocks.forEach((block, i) => (block.hidden = i !== index));
      tabs.forEach((tab, i) => tab.classList.toggle('active', i === index));
    },
  }, label));
  return section('Code', h('div', { class: 'tabs' }, ...tabs), ...blocks);
}

function details(node: DocsNode): HTMLElement {
  const rows: [string, string][] = [['Unique id', node.uniqueId]];
  if (node.schema) rows.push(['Schema', node.schema]);
  if (node.version) {
    rows.push(['Fingerprint', node.version.fingerprint]);
    if (node.version.table) rows.push(['Physical table', node.version.table]);
  }
  if (node.stats) {
    rows.push(['Relation type', node.stats.relationType]);
    if (node.stats.rowEstimate !== null) rows.push(['Rows (estimate)', node.stats.rowEstimate.toLocaleString()]);
    if (node.stats.bytes !== null) rows.push(['Size', `${(node.stats.bytes / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 })} kB`]);
  }
  return section('Details',
    h('dl', { class: 'facts' }, ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    Object.keys(node.config).length > 0 && h('h3', {}, 'Config'),
    Object.keys(node.config).length > 0 && h('pre', { class: 'code config' }, JSON.stringify(node.config, null, 2)),
  );
}

export const nodePage: ViewFactory = (project, route) => {
  const node = project.byId.get(route.arg);
  if (!node) {
    const element = h('section', { class: 'view page' }, h('h1', {}, 'Not found'), h('p', {}, 'No node has the id ', h('code', {}, route.arg), '.'));
    return { element, ready: Promise.resolve() };
  }
  const column = route.params.get('column');
  const tests = (project.testsOf.get(node.uniqueId) ?? []).map((test) => test.uniqueId);
  const element = h('article', { class: 'view page', 'data-node': node.uniqueId },
    header(project, node),
    // Full width above the rest: a lineage spans several models.
    column !== null && columnLineageView(project, { node: node.uniqueId, column }),
    h('div', { class: 'page-grid' },
      h('div', { class: 'page-main' },
        section('Description', node.description ? renderMarkdown(node.description) : h('p', { class: 'muted' }, 'No description.')),
        columns(project, node, column),
        code(node),
      ),
      h('div', { class: 'page-side' },
        lastRun(project, node),
        section('Upstream', linkList(project, neighbours(project.parents, node.uniqueId), 'Nothing upstream.')),
        section('Downstream', linkList(project, neighbours(project.children, node.uniqueId).filter((id) => !tests.includes(id)), 'Nothing downstream.')),
        tests.length > 0 && section('Tests', linkList(project, tests, '')),
        details(node),
      ),
    ),
  );
  return { element, ready: Promise.resolve() };
};
