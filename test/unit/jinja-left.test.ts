import { describe, expect, it } from 'vitest';
import { TsdbtError } from '../../src/core/errors.js';
import { TemplateEnvironment } from '../../src/templating/environment.js';
import { TemplateScope, type RenderHooks } from '../../src/templating/render-hooks.js';

const hooks: RenderHooks = {
  ref: (name) => `"dbt"."${name}"`,
  source: (source, table) => `"${source}"."${table}"`,
  config: () => undefined,
  isIncremental: () => false,
  variable: (name, fallback) => (name === 'payment_methods' ? ['card', 'cash'] : fallback),
  scope: new TemplateScope({ name: 'dev', schema: 'dbt', type: 'pglite', threads: 1, profile_name: 'p' }, { schema: 'dbt', identifier: 'm' }, '"dbt"."m"'),
};

const partials = new Map([['cents', { file: 'macros/cents.sql', source: '{{column}} / {{#if scale}}{{scale}}{{else}}100{{/if}}' }]]);
const env = new TemplateEnvironment({ partials, helpers: new Map() });

function render(source: string): string {
  return env.compile(source, 'models/m.sql').render(hooks);
}

function errorOf(source: string, environment = env): TsdbtError {
  try {
    environment.compile(source, 'models/m.sql').render(hooks);
  } catch (error) {
    if (error instanceof TsdbtError) return error;
    throw error;
  }
  throw new Error(`no error for ${source}`);
}

describe('Jinja left in a template', () => {
  const cases: Array<[string, string, string, number, number, string | undefined]> = [
    ['select 1 as id\n{% for m in ["a"] %}{{m}}{% endfor %}', 'compile', '{% for %}', 2, 1, '{{#each (list "a" "b") as |item|}}…{{/each}}'],
    ['select 1\n  {%- if target.name == "prod" %} x {% endif %}', 'compile', '{% if %}', 2, 3, '{{#if cond}}'],
    ['{% set days = 3 %}\nselect 1', 'compile', '{% set %}', 1, 1, '{{var "name"}}'],
    ['select 1 {# a note #}', 'compile', '{# comment #}', 1, 10, '{{!-- comment --}}'],
    ["select *\nfrom {{ ref('stg_orders') }}", 'compile', 'the call ref(…)', 2, 9, '{{ref "stg_orders"}}'],
    ["{{ ref('shop', 'orders') }}", 'compile', 'the call ref(…)', 1, 4, '{{ref "shop" "orders"}}'],
    ["{{ config(materialized='table', tags=['a', 'b']) }}\nselect 1", 'compile', 'the call config(…)', 1, 4, '{{config materialized="table" tags=(list "a" "b")}}'],
    ["select {{ var('days', 7) }}", 'compile', 'the call var(…)', 1, 11, '{{var "days" 7}}'],
    ["select {{ dbt_utils.star(from=ref('orders'), except=['id']) }}", 'compile', 'the call dbt_utils.star(…)', 1, 11, '{{dbt_utils.star from=(ref "orders") except=(list "id")}}'],
    ["{{- source('raw', 'events') -}}", 'compile', 'the call source(…)', 1, 5, '{{source "raw" "events"}}'],
    ['where {{ is_incremental() }}', 'compile', 'the call is_incremental(…)', 1, 10, '{{#if (is_incremental)}}'],
  ];
  it.each(cases)('%j is an error at its place with the Handlebars form', (source, kind, what, line, column, instead) => {
    const error = errorOf(source);
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(`Jinja is not a tsdbt template: ${what}`);
    expect(error.location).toEqual({ file: 'models/m.sql', line, column });
    expect(error.source).toBe(source);
    if (instead) expect(error.hint).toContain(instead);
    expect(error.hint).toContain('tsdbt import dbt');
  });

  it('is found on the static fast path too, and in a partial when the project is loaded', () => {
    expect(errorOf("select * from {{ref 'a'}} {# x #}").message).toContain('{# comment #}');
    expect(() => new TemplateEnvironment({ partials: new Map([['p', { file: 'macros/p.sql', source: 'x\n{% macro p() %}1{% endmacro %}' }]]), helpers: new Map() })).toThrow(
      expect.objectContaining({ message: 'Jinja is not a tsdbt template: {% macro %}', location: { file: 'macros/p.sql', line: 2, column: 1 } }),
    );
  });

  it('is not SQL that only looks like it, an escaped or raw block, a comment or a quoted string in a call', () => {
    expect(render("select '{%' as a, '{%}' as b, '{#' as c where x like '%{%abc%}'")).toBe("select '{%' as a, '{%}' as b, '{#' as c where x like '%{%abc%}'");
    expect(render("select '\\{{ ref('x') }}' as t")).toBe("select '{{ ref('x') }}' as t");
    expect(render('{{{{raw}}}}{% for x in y %}{{ ref(\'x\') }}{# c #}{{{{/raw}}}}')).toBe("{% for x in y %}{{ ref('x') }}{# c #}");
    expect(render("{{!-- {% for %} ref('x') {# #} --}}{{! f(x) }}select 1")).toBe('select 1');
    expect(render('{{config post_hook="insert into log values (1, \'{{this}}\')"}}select 1')).toBe('select 1');
  });
});

describe('an unknown variable', () => {
  it('is an error at its place, not an empty string, with a hint', () => {
    const unknown = errorOf('select 1 as id,\n  {{payment_method}} as m');
    expect(unknown.message).toBe("unknown variable 'payment_method'");
    expect(unknown.location).toEqual({ file: 'models/m.sql', line: 2, column: 3 });
    expect(unknown.hint).toContain('{{var "payment_method"}}');
    expect(errorOf('{{payment_methods}}').hint).toBe('\'payment_methods\' is a project variable: write {{var "payment_methods"}}');
    expect(errorOf('{{targte.name}}').hint).toBe("did you mean 'target'?");
    expect(errorOf('{{target.nmae}}').message).toBe("unknown variable 'target.nmae'");
    expect(errorOf('{{#if true}}\n {{missing}}{{/if}}').location).toEqual({ file: 'models/m.sql', line: 2, column: 2 });
  });

  it('in a partial names the partial file', () => {
    const error = errorOf('select {{> cents}}');
    expect(error.message).toBe("unknown variable 'column'");
    expect(error.location).toEqual({ file: 'macros/cents.sql', line: 1, column: 1 });
  });

  it('leaves block params, this, @data, @root, partial arguments, the scope, helpers and conditions working', () => {
    expect(render('{{#each (list "a" "b") as |m|}}{{m}}{{@index}}{{#if @last}}.{{/if}}{{/each}}')).toBe('a0b1.');
    expect(render('{{#each (list "a" "b")}}{{this}}{{length}}{{/each}}')).toBe('a1b1');
    expect(render('{{#each (var "payment_methods") as |m|}}{{#each (list 1) as |n|}}{{m}}{{n}}{{/each}}{{/each}}')).toBe('card1cash1');
    expect(render('{{> cents column="amount"}} {{> cents column="x" scale=10}}')).toBe('amount / 100 x / 10');
    expect(render('{{@root.target.name}} {{target.name}} {{this}} {{schema}}.{{identifier}}')).toBe('dev dev "dbt"."m" dbt.m');
    expect(render('{{#with target}}{{name}}{{/with}} {{#if missing}}a{{else}}b{{/if}}{{#unless nothing}}c{{/unless}}')).toBe('dev bc');
    expect(render("'{{batch.start}}'")).toBe("''");
    expect(render('{{is_incremental}}')).toBe('false');
  });
});
