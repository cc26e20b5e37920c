import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { didYouMean, TsdbtError, type ErrorLocation } from '../core/errors.js';
import { LineIndex } from '../util/line-index.js';

/**
 * dbt's docs blocks: `{% docs name %}markdown{% enddocs %}` in the `.md` files under docs-paths, which a description
 * takes with `{{ doc("name") }}`; `__overview__` is the docs site's home page.
 */
export interface DocBlock {
  name: string;
  /** The markdown between the tags, trimmed as dbt trims it. */
  contents: string;
  file: string;
  line: number;
}

export type DocBlocks = Map<string, DocBlock>;

/** The docs block shown on the docs site's home page. */
export const OVERVIEW_DOC = '__overview__';

const BLOCK = /\{%-?\s*docs\b\s*(.*?)\s*-?%\}([\s\S]*?)(\{%-?\s*enddocs\s*-?%\}|$)/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The docs blocks of `files` (project-relative `.md` paths); a name defined twice is an error naming both files. */
export function readDocBlocks(root: string, files: string[]): DocBlocks {
  const blocks: DocBlocks = new Map();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    if (!text.includes('docs')) continue;
    const lines = new LineIndex(text);
    for (const match of text.matchAll(BLOCK)) {
      const [, name = '', contents = '', end] = match;
      const line = lines.positionOf(match.index).line;
      const at = { file, line };
      if (!NAME.test(name)) throw new TsdbtError('config', `a docs block needs a name of letters, digits and underscores, got '${name}'`, { location: at, hint: '{% docs orders_status %}...{% enddocs %}' });
      if (!end) throw new TsdbtError('config', `docs block '${name}' has no {% enddocs %}`, { location: at });
      const previous = blocks.get(name);
      if (previous) throw new TsdbtError('config', `docs block '${name}' is defined twice: in ${previous.file}:${previous.line} and here`, { location: at });
      blocks.set(name, { name, contents: contents.trim(), file, line });
    }
  }
  return blocks;
}

/** `{{ doc("name") }}`, `{{ doc('package', 'name') }}` (dbt's) or `{{doc "name"}}` (Handlebars' form). */
const REFERENCE = /\{\{-?\s*doc(?:\(\s*(?:(['"])[^'"]*\1\s*,\s*)?(['"])([^'"]*)\2\s*\)|\s+(['"])([^'"]*)\4)\s*-?\}\}/g;

/** `text` with each doc reference replaced by its block's markdown; an unknown name is an error at `locate()`. */
export function resolveDocReferences(text: string, blocks: DocBlocks, locate: () => ErrorLocation): string {
  if (!text.includes('doc')) return text;
  return text.replace(REFERENCE, (...groups: string[]) => {
    const name = groups[3] ?? groups[5] ?? '';
    const block = blocks.get(name);
    if (block) return block.contents;
    throw new TsdbtError('config', `doc('${name}') names no docs block`, {
      location: locate(),
      hint: didYouMean(name, blocks.keys()) ?? `write it in a .md file under docs-paths: {% docs ${name} %}...{% enddocs %}`,
    });
  });
}
