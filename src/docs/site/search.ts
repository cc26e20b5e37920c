import { isTest } from '../../core/node-kinds.js';
import type { DocsNode } from '../docs-data.js';

/**
 * Search over names, tags, columns and descriptions. The lower-cased fields are built once, so a query is one pass
 * over plain strings (a few milliseconds on 20,000 nodes) and can run on every keystroke.
 */
export interface SearchHit {
  node: DocsNode;
  score: number;
  /** Where the query matched, for the result line: a column name, or 'description', or 'tag'. */
  where: string;
}

interface Entry {
  node: DocsNode;
  name: string;
  tags: string[];
  columns: string[];
  description: string;
}

export type SearchIndex = Entry[];

export function buildSearchIndex(nodes: DocsNode[]): SearchIndex {
  return nodes.map((node) => ({
    node,
    name: node.name.toLowerCase(),
    tags: node.tags.map((tag) => tag.toLowerCase()),
    columns: node.columns.map((column) => column.name.toLowerCase()),
    description: [node.description, ...node.columns.map((column) => column.description)].join('\n').toLowerCase(),
  }));
}

/** The best place a token matches in an entry, or undefined. */
function scoreToken(entry: Entry, token: string): { score: number; where: string } | undefined {
  if (entry.name === token) return { score: 100, where: 'name' };
  if (entry.name.startsWith(token)) return { score: 60, where: 'name' };
  if (entry.name.includes(token)) return { score: 40, where: 'name' };
  if (entry.tags.some((tag) => tag.includes(token))) return { score: 25, where: 'tag' };
  const column = entry.columns.findIndex((name) => name.includes(token));
  if (column >= 0) return { score: 20, where: `column ${entry.node.columns[column]?.name ?? ''}` };
  if (entry.description.includes(token)) return { score: 5, where: 'description' };
  return undefined;
}

export function search(index: SearchIndex, query: string, limit = 50): SearchHit[] {
  const tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return [];
  const hits: SearchHit[] = [];
  for (const entry of index) {
    let score = 0;
    let where = '';
    for (const token of tokens) {
      const match = scoreToken(entry, token);
      if (!match) {
        score = 0;
        break;
      }
      score += match.score;
      // A match outside the name says more about why the node came up than the name itself.
      if (where === '' && match.where !== 'name') where = match.where;
    }
    if (score === 0) continue;
    // Tests crowd out the models they are named after: rank them below.
    if (isTest(entry.node)) score /= 4;
    hits.push({ node: entry.node, score, where: where || 'name' });
  }
  hits.sort((a, b) => b.score - a.score || a.node.name.length - b.node.name.length || a.node.name.localeCompare(b.node.name));
  return hits.slice(0, limit);
}
