import { describe, expect, it } from 'vitest';
import { TemplateEnvironment } from '../../src/templating/environment.js';
import { TemplateScope, type RenderHooks } from '../../src/templating/render-hooks.js';

const hooks: RenderHooks = {
  ref: (name) => `"s"."${name}"`,
  source: (source, table) => `"${source}"."${table}"`,
  config: () => undefined,
  isIncremental: () => false,
  variable: (_name, fallback) => fallback,
  scope: new TemplateScope({ name: 'dev', schema: 's', type: 'pglite', threads: 1, profile_name: 'p' }, { schema: 's', identifier: 'm' }, '"s"."m"'),
};

const env = new TemplateEnvironment({ partials: new Map([['cols', { file: 'macros/cols.sql', source: 'id,\n  amuont' }]]), helpers: new Map() });

/** [template, text to find in the output (its first occurrence), where it was written, whether the template wrote it itself] */
const cases: Array<[string, string, string, boolean]> = [
  ['{{config materialized="table"}}\nselect 1,\n{{#if true}}\n  amout\n{{/if}}\nfrom t', 'amout', '4:3', true],
  ['select\n{{#each (list "a" "b")}}\n  x_{{this}},\n{{/each}}\n  bad_col', 'x_b', '3:3', true],
  ['select\n{{#each (list "a" "b")}}\n  x_{{this}},\n{{/each}}\n  bad_col', 'b,', '3:5', false],
  ['select\n{{#each (list "a" "b")}}\n  x_{{this}},\n{{/each}}\n  bad_col', 'bad_col', '5:3', true],
  ['select\n  {{> cols}}\nfrom t', 'amuont', '2:3', false],
  ['select\n   {{~ref "a"~}}  \n  amout', 'amout', '3:3', true],
  ['select * from {{ref "orders"}} o where', 'orders', '1:15', false],
  ['{{ref "a"}} x', 'a', '1:1', false],
];

describe('template positions of rendered characters', () => {
  it.each(cases)('%j: %j is at %s', (source, token, expected, exact) => {
    const traced = env.renderTraced(source, hooks);
    expect(traced.text).toBe(env.compile(source, 'm.sql').render(hooks));
    const offset = traced.text.indexOf(token);
    expect(offset).toBeGreaterThanOrEqual(0);
    const position = traced.positionAt(offset);
    expect(`${position.line}:${position.column}`).toBe(expected);
    expect(position.exact).toBe(exact);
  });

  it('the end of the output is the end of the template', () => {
    const traced = env.renderTraced('select 1 from\n  t where', hooks);
    expect(traced.positionAt(traced.text.length)).toEqual({ line: 2, column: 10, exact: true });
  });
});
