/**
 * Hash routes, so deep links work from file:// and survive a reload: `#/`, `#/graph?select=2+orders+1`,
 * `#/node/<unique_id>?column=<name>`, `#/timeline`.
 */
export interface Route {
  view: string;
  /** The path after the view, e.g. a unique_id. */
  arg: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = splitOnce(text, '?');
  const [view = '', arg = ''] = splitOnce(path, '/');
    // A '+' typed in a link stays a '+' (selectors are made of them), not the space of form encoding.
  return { view: view || 'overview', arg: decodeURIComponent(arg), params: new URLSearchParams(query.replace(/\+/g, '%2B')) };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

export function href(view: string, arg?: string, params?: Record<string, string>): string {
  const path = arg === undefined ? view : `${view}/${encodeURIComponent(arg)}`;
  // URLSearchParams writes a space as '+', which a selector needs literally: encode it the long way.
  const query = params
    ? Object.entries(params)
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
        .join('&')
    : '';
  return `#/${path}${query ? `?${query}` : ''}`;
}

export function nodeHref(uniqueId: string, column?: string): string {
  return href('node', uniqueId, column === undefined ? undefined : { column });
}

export function graphHref(select: string): string {
  return href('graph', undefined, { select });
}
