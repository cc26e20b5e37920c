import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDocBlocks, resolveDocReferences } from '../../src/parser/docs-blocks.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

function folderWith(files: Record<string, string>): string {
  const root = temporaryDir('tsdbt-docs-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('docs blocks', () => {
  it('reads each block of a file, trimmed, with its line', () => {
    const root = folderWith({ 'models/a.md': 'Intro text about docs.\n\n{% docs one %}\n  First.\n{% enddocs %}\n{%- docs two -%}Second{%- enddocs -%}\n' });
    const blocks = readDocBlocks(root, ['models/a.md']);
    expect([...blocks.values()]).toEqual([
      { name: 'one', contents: 'First.', file: 'models/a.md', line: 3 },
      { name: 'two', contents: 'Second', file: 'models/a.md', line: 6 },
    ]);
  });

  it('refuses a name defined twice, a block never closed and a block without a name, at their file and line', () => {
    const twice = folderWith({ 'a.md': '{% docs x %}a{% enddocs %}', 'b.md': '\n{% docs x %}b{% enddocs %}' });
    expect(() => readDocBlocks(twice, ['a.md', 'b.md'])).toThrowError(/docs block 'x' is defined twice: in a\.md:1 and here/);
    const open = folderWith({ 'a.md': 'text\n{% docs x %}never closed' });
    expect(() => readDocBlocks(open, ['a.md'])).toThrowError(expect.objectContaining({ message: "docs block 'x' has no {% enddocs %}", location: { file: 'a.md', line: 2 } }));
    const unnamed = folderWith({ 'a.md': '{% docs %}x{% enddocs %}' });
    expect(() => readDocBlocks(unnamed, ['a.md'])).toThrowError(/a docs block needs a name/);
  });

  it("replaces dbt's and Handlebars' doc references, and leaves other text and templates as written", () => {
    const blocks = new Map([['status', { name: 'status', contents: 'The status.', file: 'a.md', line: 1 }]]);
    const at = () => ({ file: 'models/schema.yml', line: 4 });
    expect(resolveDocReferences(`{{ doc("status") }} / {{doc('status')}} / {{ doc('shop', 'status') }} / {{doc "status"}} / {{ other }}`, blocks, at)).toBe(
      'The status. / The status. / The status. / The status. / {{ other }}',
    );
    expect(() => resolveDocReferences('{{ doc("statuz") }}', blocks, at)).toThrowError(expect.objectContaining({ message: "doc('statuz') names no docs block", location: { file: 'models/schema.yml', line: 4 } }));
  });
});
