import { describe, expect, it } from 'vitest';
import { scanDependencies } from '../../src/typescript-models/dependency-scan.js';

describe('the static dependency scan of TypeScript models', () => {
  it("finds ref() and source() calls with literal arguments in any quotes, bare or as methods, with their place", () => {
    const code = [
      "export default ({ db, ref, source }) =>",
      "  db.selectFrom(ref('orders'))",
      '    .innerJoin(context.ref("customers"), "a", "b")',
      '    .union(db.selectFrom(ref( `returns` )))',
      "    .union(db.selectFrom(source('raw', \"events\")))",
      '    .union(db.selectFrom(context.source( `raw` , `clicks`, )));',
    ].join('\n');
    const { refs, sources } = scanDependencies(code);
    expect(refs).toEqual([
      { name: 'orders', loc: { line: 2, column: 17 } },
      { name: 'customers', loc: { line: 3, column: 24 } },
      { name: 'returns', loc: { line: 4, column: 26 } },
    ]);
    expect(sources).toEqual([
      { source: 'raw', table: 'events', loc: { line: 5, column: 26 } },
      { source: 'raw', table: 'clicks', loc: { line: 6, column: 34 } },
    ]);
  });

  it('ignores comments, other functions, computed arguments and interpolated templates', () => {
    const code = [
      "// ref('in_a_line_comment')",
      "/* source('raw', 'in_a_block')",
      "   ref('still_in_the_block') */",
      "const url = 'http://example.com'; ref('after_a_string_with_slashes');",
      "myref('not_a_ref'); preference('x'); ref(name); ref(`by_${name}`);",
      "ref('a', 'two_arguments'); source('only_one');",
    ].join('\n');
    const { refs, sources } = scanDependencies(code);
    expect(refs.map((ref) => ref.name)).toEqual(['after_a_string_with_slashes']);
    expect(refs[0]!.loc).toEqual({ line: 4, column: 35 });
    expect(sources).toEqual([]);
  });

  it('keeps lines true across comments and multi-line template literals', () => {
    const code = "const q = sql`\n  select 1 // not a comment\n`;\n/* a\nb */ ref('late')";
    expect(scanDependencies(code).refs).toEqual([{ name: 'late', loc: { line: 5, column: 6 } }]);
  });
});
