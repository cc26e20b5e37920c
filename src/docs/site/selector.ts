import type { Project } from './project.js';
import { neighbours } from './project.js';

/**
 * dbt's graph selector, the part that makes sense in a browser: terms separated by spaces (their union), each
 * `name`, `+name`, `name+`, `2+name+1` (ancestors and descendants to a depth) or `@name` (the node, its descendants
 * and their ancestors). A name is a node's name or unique_id, `*` matching any run of characters, or `tag:x`.
 */
export interface Selection {
  /** Every selected node. */
  ids: Set<string>;
  /** The nodes the terms named, before graph operators: what the view centres on. */
  matched: Set<string>;
  /** Terms that matched nothing. */
  unmatched: string[];
}

interface Term {
  pattern: string;
  up: number;
  down: number;
  at: boolean;
}

const TERM = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

function depth(operator: string | undefined): number {
  if (operator === undefined) return 0;
  return operator === '' ? Infinity : Number(operator);
}

export function parseTerm(text: string): Term | undefined {
  const match = TERM.exec(text);
  if (!match) return undefined;
  const [, at, up, pattern = '', down] = match;
  return { pattern, up: depth(up), down: depth(down), at: at !== undefined };
}

function matcher(pattern: string): (id: string, project: Project) => boolean {
  if (pattern.startsWith('tag:')) {
    const tag = pattern.slice(4);
    return (id, project) => project.byId.get(id)?.tags.includes(tag) ?? false;
  }
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const regex = new RegExp(`^${escaped}$`);
  return (id, project) => regex.test(id) || regex.test(project.byId.get(id)?.name ?? '');
}

/** The nodes within `limit` hops of `start` along `edges`, `start` included (breadth first). */
export function reach(start: Iterable<string>, edges: Map<string, string[]>, limit: number): Set<string> {
  const into = new Set(start);
  let frontier = [...into];
  for (let hop = 0; hop < limit && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const neighbour of neighbours(edges, id)) {
        if (!into.has(neighbour)) {
          into.add(neighbour);
          next.push(neighbour);
        }
      }
    }
    frontier = next;
  }
  return into;
}

export function select(project: Project, selector: string): Selection {
  const ids = new Set<string>();
  const matched = new Set<string>();
  const unmatched: string[] = [];
  for (const text of selector.split(/[\s,]+/).filter(Boolean)) {
    const term = parseTerm(text);
    const test = term && matcher(term.pattern);
    const hits = test ? [...project.byId.keys()].filter((id) => test(id, project)) : [];
    if (!term || hits.length === 0) {
      unmatched.push(text);
      continue;
    }
    for (const id of hits) matched.add(id);
    const reached = term.at
      ? [reach(reach(hits, project.children, Infinity), project.parents, Infinity)]
      : [reach(hits, project.parents, term.up), reach(hits, project.children, term.down)];
    for (const set of reached) for (const id of set) ids.add(id);
  }
  return { ids, matched, unmatched };
}
