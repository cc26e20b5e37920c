import type { DocsNode } from '../docs-data.js';
import { h } from './dom.js';
import { kindOf } from './format.js';
import { nodeHref } from './router.js';
import { isTest } from '../../core/node-kinds.js';
import type { Project } from './project.js';

interface Folder {
  folders: Map<string, Folder>;
  nodes: DocsNode[];
}

const GROUPS: [string, (node: DocsNode) => boolean][] = [
  ['Models', (node) => node.resourceType === 'model'],
  ['Sources', (node) => node.resourceType === 'source'],
  ['Seeds', (node) => node.resourceType === 'seed'],
  ['Snapshots', (node) => node.resourceType === 'snapshot'],
  ['Tests', isTest],
];

function folderTree(nodes: DocsNode[]): Folder {
  const root: Folder = { folders: new Map(), nodes: [] };
  for (const node of nodes) {
    let folder = root;
    // The first segment is the resource's own folder (models/, seeds/): every node of the group shares it.
    for (const part of node.path.split('/').slice(1, -1)) {
      let next = folder.folders.get(part);
      if (!next) folder.folders.set(part, (next = { folders: new Map(), nodes: [] }));
      folder = next;
    }
    folder.nodes.push(node);
  }
  return root;
}

function count(folder: Folder): number {
  let total = folder.nodes.length;
  for (const child of folder.folders.values()) total += count(child);
  return total;
}

/** A collapsed folder whose contents are built when first opened: 15,000 tests cost nothing until someone looks. */
function lazyFolder(label: string, folder: Folder, open: boolean): HTMLElement {
  const body = h('div', { class: 'tree-children' });
  const details = h('details', { class: 'tree-folder', open }, h('summary', {}, h('span', {}, label), h('span', { class: 'tree-count' }, count(folder))), body);
  const fill = () => {
    if (body.childElementCount > 0 || !details.open) return;
    body.append(
      ...[...folder.folders].sort(([a], [b]) => a.localeCompare(b)).map(([name, child]) => lazyFolder(name, child, false)),
      ...[...folder.nodes].sort((a, b) => a.name.localeCompare(b.name)).map((node) =>
        h('a', { class: 'tree-node', href: nodeHref(node.uniqueId), 'data-id': node.uniqueId, title: node.name },
          h('i', { class: `swatch kind-${kindOf(node)}` }), node.name)),
    );
  };
  details.addEventListener('toggle', fill);
  fill();
  return details;
}

/** The project's nodes by type and folder, as dbt docs lists them. */
export function sidebar(project: Project): HTMLElement {
  const groups = GROUPS.map(([label, belongs]) => [label, project.data.nodes.filter(belongs)] as const).filter(([, nodes]) => nodes.length > 0);
  return h('nav', { class: 'sidebar', 'aria-label': 'project' },
    ...groups.map(([label, nodes]) => lazyFolder(label, folderTree(nodes), label === 'Models' && nodes.length < 200)),
  );
}
