import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocsData } from './docs-data.js';

/** The built site's files (scripts/build.mjs bundles src/docs/site/ into dist/docs-site/). */
const SITE_FILES = ['index.html', 'app.js', 'app.css'] as const;

/**
 * dist/docs-site, found by walking up from this module: it runs from src/docs/ under tsx and vitest, and from
 * dist/cli.cjs once bundled.
 */
function siteDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, 'docs-site'), join(dir, 'dist', 'docs-site')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the docs site is not built (dist/docs-site is missing): run `npm run build`');
    dir = parent;
  }
}

/** The static site, everything but data.js: paths relative to the docs folder. */
export function docsSiteFiles(): Array<{ path: string; content: Buffer }> {
  const dir = siteDir();
  return SITE_FILES.map((path) => ({ path, content: readFileSync(join(dir, path)) }));
}

/**
 * The Content-Security-Policy index.html declares in its meta tag: `docs serve` sends the same as a header (plus what
 * only a header can say), so the policy is written once.
 */
export function siteContentSecurityPolicy(): string {
  const html = readFileSync(join(siteDir(), 'index.html'), 'utf8');
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  if (!policy) throw new Error('the docs site\'s index.html declares no Content-Security-Policy');
  return policy;
}

/**
 * data.js: the data as a script assigning `window.__TSDBT_DOCS__`, which a file:// page can load (it may not fetch).
 * JSON is valid JavaScript (U+2028 included, since ES2019), and a .js file is not parsed as HTML, so `</script>`
 * in a description needs no escaping.
 */
export function docsDataScript(data: DocsData): string {
  return `window.__TSDBT_DOCS__ = ${JSON.stringify(data)};\n`;
}
