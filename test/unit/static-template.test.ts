import { describe, expect, it } from 'vitest';
import { TsdbtError } from '../../src/core/errors.js';
import { TemplateEnvironment } from '../../src/templating/environment.js';
import { TemplateScope, type RenderHooks } from '../../src/templating/render-hooks.js';
import { parseStaticTemplate } from '../../src/templating/static-template.js';

function recordingHooks() {
  const calls: string[] = [];
  const hooks: RenderHooks = {
    ref: (name, loc) => {
      calls.push(`ref ${name} @${loc.line}:${loc.column}`);
      return `"s"."${name}"`;
    },
    source: (source, table, loc) => {
      calls.push(`source ${source}.${table} @${loc.line}:${loc.column}`);
      return `"${source}"."${table}"`;
    },
    config: (values, loc) => void calls.push(`config ${JSON.stringify(values, Object.keys(values).sort())} @${loc.line}:${loc.column}`),
    isIncremental: () => false,
    variable: (name, fallback) => (name === 'days' ? 7 : fallback),
    scope: new TemplateScope({ name: 'dev', schema: 'dbt', type: 'pglite', threads: 1, profile_name: 'p' }, { schema: 'dbt', identifier: 'm' }, '"dbt"."m"'),
  };
  return { hooks, calls };
}

/** The fast path must render exactly what Handlebars renders, and report calls at the same places. */
const staticTemplates = [
  'select * from {{ref "orders"}}',
  '{{config materialized="table" tags="a,b" enabled=true}}\nselect 1',
  'select *\nfrom {{ source "raw" "events" }} as e\njoin {{ref \'users\'}} u on u.id = e.user_id',
  "select {{var \"days\"}} as d, {{var 'missing' 'fallback'}} as f, '{{target.name}}' as t, '{{target.schema}}' s from {{this}}",
  'select 1 -- {{env_var "TSDBT_TEST_UNSET_VAR" "x"}}\n',
  'no templates at all; just } and { and }} alone',
  '{{config alias="x" materialized="view"}}{{ref "a"}}{{ref "b"}}',
];

const dynamicTemplates = [
  '{{#if true}}select 1{{/if}}',
  '{{> some_macro}}',
  'select {{{ref "x"}}}',
  '{{ref (var "name")}}',
  '{{!-- comment --}}select 1',
  '\\{{ref "x"}}',
  '{{ref "a" "b"}}',
  '{{unknown_helper "x"}}',
];

describe('static template fast path', () => {
  const env = new TemplateEnvironment({ partials: new Map([['some_macro', { file: 'm.sql', source: 'x' }]]), helpers: new Map() });

  it.each(staticTemplates)('renders %j like Handlebars', (source) => {
    expect(parseStaticTemplate(source)).toBeDefined();
    const fast = recordingHooks();
    const slow = recordingHooks();
    const fastOut = env.compile(source, 'm.sql').render(fast.hooks);
    const slowOut = env.handlebars.compile(source, { noEscape: true })(slow.hooks.scope, { data: { hooks: slow.hooks } });
    expect(fastOut).toBe(slowOut);
    expect(fast.calls).toEqual(slow.calls);
  });

  it.each(dynamicTemplates)('leaves %j to Handlebars', (source) => {
    expect(parseStaticTemplate(source)).toBeUndefined();
  });

  const compileError = (source: string): unknown => {
    try {
      env.compile(source, 'models/m.sql');
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('reports an unknown helper at its file, line and column', () => {
    const error = compileError('select 1,\n  {{cents_to_dolars "amount"}}');
    expect(error).toBeInstanceOf(TsdbtError);
    expect((error as TsdbtError).where).toBe('models/m.sql:2:3');
    expect((error as TsdbtError).message).toContain("unknown helper 'cents_to_dolars'");
  });

  it('reports a syntax error with its line', () => {
    const error = compileError('select 1\nfrom x\n{{#if a}} where');
    expect(error).toBeInstanceOf(TsdbtError);
    expect((error as TsdbtError).kind).toBe('compile');
    expect((error as TsdbtError).location).toMatchObject({ file: 'models/m.sql', line: 3 });
  });

  it('reports an unknown macro with the closest names', () => {
    expect(() => env.compile('{{> some_macr}}', 'models/m.sql')).toThrow(/unknown macro 'some_macr'/);
  });
});
