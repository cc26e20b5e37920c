import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { convertProjectFile } from '../../src/importers/dbt/project-file.js';
import { TemplateTranslator, type ImportContext, type MacroSignature } from '../../src/importers/dbt/translator.js';
import { transformSync } from 'esbuild';
import { parseTemplate } from '../../src/importers/dbt/jinja-parser.js';
import { typescriptMacro } from '../../src/importers/dbt/typescript-macro.js';

function contextWith(macros: Array<Omit<MacroSignature, 'kind'> & Partial<MacroSignature>> = []): ImportContext {
  return { projectName: 'shop', macros: new Map(macros.map((macro) => [macro.name, { kind: 'partial', ...macro }])), runtimeFilters: new Set() };
}

/** Jinja in, Handlebars out (with nothing left untranslated). */
function translated(jinja: string, context = contextWith()): string {
  const result = TemplateTranslator.translateTemplate(context, 'models/m.sql', jinja);
  expect(result.left).toEqual([]);
  return result.text;
}

function leftOf(jinja: string, context = contextWith()) {
  return TemplateTranslator.translateTemplate(context, 'models/m.sql', jinja);
}

describe('tsdbt import dbt: Jinja to Handlebars, construct by construct', () => {
  it('ref, two-argument ref to the project itself, and source', () => {
    expect(translated("select * from {{ ref('orders') }} join {{ ref(\"shop\", 'customers') }} using (id)")).toBe(
      'select * from {{ref "orders"}} join {{ref "customers"}} using (id)',
    );
    expect(translated("from {{ source('raw', 'payments') }}")).toBe('from {{source "raw" "payments"}}');
  });

  it('config with strings, lists, booleans, numbers and Jinja hooks', () => {
    expect(
      translated(
        "{{ config(materialized='incremental', unique_key=['id', 'day'], tags=['daily'], full_refresh=false, lookback=2, post_hook=\"grant select on {{ this }} to reporter\") }}\nselect 1",
      ),
    ).toBe('{{config materialized="incremental" unique_key=(list "id" "day") tags=(list "daily") full_refresh=false lookback=2 post_hook="grant select on {{this}} to reporter"}}\nselect 1');
  });

  it('config: a mapping moves to the project file, an unknown key is left out and reported', () => {
    const result = leftOf("{{ config(materialized='table', indexes=[{'columns': ['id'], 'unique': True}], sort='id') }}select 1");
    expect(result.text).toBe('{{config materialized="table"}}select 1');
    expect(result.movedConfig).toEqual({ indexes: [{ columns: ['id'], unique: true }] });
    expect(result.left).toEqual([{ file: 'models/m.sql', line: 1, column: 80, construct: 'sort=...', reason: "config key 'sort' is not known to tsdbt: left out" }]);
  });

  it('var with and without a default, env_var, this, target', () => {
    expect(translated("{{ var('start', '2024-01-01') }} {{ var('days') }} {{ var('list', [1, 2]) }} {{ env_var('USER', 'me') }}")).toBe(
      '{{var "start" "2024-01-01"}} {{var "days"}} {{var "list" (list 1 2)}} {{env_var "USER" "me"}}',
    );
    expect(translated('{{ this }} {{ this.schema }} {{ target.name }} {{ target.schema }}')).toBe('{{this}} {{this.schema}} {{target.name}} {{target.schema}}');
  });

  it('is_incremental, if / elif / else, comparisons and boolean operators', () => {
    expect(translated('{% if is_incremental() %}where t > (select max(t) from {{ this }}){% endif %}')).toBe(
      '{{#if (is_incremental)}}where t > (select max(t) from {{this}}){{/if}}',
    );
    expect(translated("{% if target.name == 'prod' and not var('dry', false) %}a{% elif target.name != 'ci' or is_incremental() %}b{% else %}c{% endif %}")).toBe(
      '{{#if (and (eq target.name "prod") (not (var "dry" false)))}}a{{else if (or (ne target.name "ci") (is_incremental))}}b{{else}}c{{/if}}',
    );
  });

  it('conditions known when importing choose their branch then', () => {
    expect(translated("{% set mode = 'full' %}{% if mode == 'delta' %}a{% elif mode == 'full' %}b{% else %}c{% endif %}")).toBe('b');
  });

  it('for over a set list with loop.first and loop.last, and over a var', () => {
    expect(translated("{% set methods = ['card', 'coupon'] %}{% for m in methods %}{% if not loop.first %}+{% endif %}{{ m }}_amount{% if not loop.last %},{% endif %}{% endfor %}")).toBe(
      '{{#each (list "card" "coupon") as |m|}}{{#if (not @first)}}+{{/if}}{{m}}_amount{{#if (not @last)}},{{/if}}{{/each}}',
    );
    expect(translated("{% for c in var('columns') %}{{ c }} from {{ this }} in {{ target.schema }}{% endfor %}")).toBe(
      '{{#each (var "columns") as |c|}}{{c}} from {{@root}} in {{@root.target.schema}}{{/each}}',
    );
  });

  it('nested loops, and a loop unrolled when its body needs the item as a value', () => {
    expect(translated("{% for a in ['x', 'y'] %}{% for b in var('bs') %}{{ a }}{{ b }}{% if loop.last %};{% endif %}{% endfor %}{% endfor %}")).toBe(
      '{{#each (list "x" "y") as |a|}}{{#each (var "bs") as |b|}}{{a}}{{b}}{{#if @last}};{{/if}}{{/each}}{{/each}}',
    );
    const cents = contextWith([{ name: 'cents', params: [{ name: 'column' }] }]);
    expect(translated("{% set names = {'card': 'card_amount', 'gift': 'gift_amount'} %}{% for m in ['card', 'gift'] %}{{ cents(names[m]) }}{% if not loop.last %}, {% endif %}{% endfor %}", cents)).toBe(
      '{{> cents column="card_amount"}}, {{> cents column="gift_amount"}}',
    );
  });

  it('set of literals and lists, comments and whitespace control', () => {
    expect(translated("{% set n = 3 %}{% set cols = ['a', 'b'] %}select {{ n }}, {{ cols | join(', ') }} {# a comment #}from t")).toBe('select 3, a, b from t');
    expect(translated('select\n    {%- if is_incremental() -%}\n    1\n    {%- endif %}\n')).toBe('select{{#if (is_incremental)}}1{{/if}}\n');
  });

  it('a set that reads its own name reads the value before it', () => {
    expect(translated("{% set cols = var('a') %}{% set cols = cols ~ ', b' %}{% set n = 1 %}{% set n = n + 1 %}select {{ cols }}, {{ n }}")).toBe('select {{jinja_concat (var "a") ", b"}}, 2');
  });

  it("operators Handlebars has no helper for, and loop.index, as the project's helpers", () => {
    const context = contextWith();
    expect(translated("{% for c in var('cols') %}{% if loop.index > 1 and c not in ['id'] %}{{ c }}{% endif %}{% endfor %}{{ var('n') * 2 }}", context)).toBe(
      '{{#each (var "cols") as |c|}}{{#if (and (jinja_gt (jinja_add @index 1) 1) (not (jinja_in c (list "id"))))}}{{c}}{{/if}}{{/each}}{{jinja_multiply (var "n") 2}}',
    );
    expect([...context.runtimeFilters].sort()).toEqual(['add', 'gt', 'in', 'multiply']);
  });

  it('filters: applied now on known values, as helpers of the project on the others', () => {
    const context = contextWith();
    expect(translated("{{ 'abc' | upper }} {{ ' x ' | trim }} {{ ['a','b'] | length }}", context)).toBe('ABC x 2');
    expect(translated("{{ var('s') | trim | upper }} {{ var('x') | default('y') }}", context)).toBe('{{jinja_upper (jinja_trim (var "s"))}} {{jinja_default (var "x") "y"}}');
    expect([...context.runtimeFilters].sort()).toEqual(['default', 'trim', 'upper']);
  });

  it('macro calls become partials with their parameters by name, defaults filled in, null where none is given', () => {
    const context = contextWith([{ name: 'cents_to_dollars', params: [{ name: 'column_name' }, { name: 'scale', fallback: { kind: 'literal', value: 2, offset: 0 } }] }]);
    expect(translated("{{ cents_to_dollars('amount') }} {{ cents_to_dollars(column_name='tax', scale=4) }}", context)).toBe(
      '{{> cents_to_dollars column_name="amount" scale=2}} {{> cents_to_dollars column_name="tax" scale=4}}',
    );
    // Jinja leaves a parameter no call gives undefined; the partial would see the caller's name of it otherwise.
    expect(translated('{{ cents_to_dollars() }}', context)).toBe('{{> cents_to_dollars column_name=null scale=2}}');
  });

  it('a macro body: parameters are its context, this and target the model\'s, nested macros are partials', () => {
    const context = contextWith([{ name: 'inner', params: [{ name: 'x' }] }]);
    const [macro] = parseTemplate("{% macro outer(col, items) %}{{ inner(col) }} {{ target.name }} {% for i in items %}{{ col }}.{{ i }}{% endfor %}{% endmacro %}");
    if (macro?.kind !== 'macro') throw new Error('expected a macro');
    const translator = new TemplateTranslator(context, 'macros/outer.sql', '', true);
    expect(translator.macroBody(macro.body, macro.params)).toBe('{{> inner x=col}} {{@root.target.name}} {{#each items as |i|}}{{../col}}.{{i}}{{/each}}');
  });

  it("a generic test's parameter defaults apply where the parameter is read", () => {
    const context = contextWith();
    const [test] = parseTemplate('{% test at_least(model, column_name, minimum=0) %}select * from {{ model }} where {{ column_name }} < {{ minimum }}{% endtest %}');
    if (test?.kind !== 'macro') throw new Error('expected a test');
    const translator = new TemplateTranslator(context, 'macros/tests.sql', '', true);
    expect(translator.macroBody(test.body, test.params, { defaultsInBody: true })).toBe('select * from {{model}} where {{column_name}} < {{jinja_default minimum 0}}');
    expect([...context.runtimeFilters]).toEqual(['default']);
  });

  it('strings keep their line breaks and quotes in Handlebars', () => {
    expect(translated('{{ config(post_hook="analyze\n{{ this }}", alias=\'say "hi"\') }}')).toBe('{{config post_hook="analyze\n{{this}}" alias="say \\"hi\\""}}');
  });

  it('adapter.dispatch calls the project\'s postgres__ implementation, else its default__', () => {
    const context = contextWith([
      { name: 'default__cents', params: [{ name: 'c' }] },
      { name: 'postgres__cents', params: [{ name: 'c' }] },
      { name: 'default__other', params: [] },
    ]);
    expect(translated("{{ adapter.dispatch('cents', 'shop')('amount') }} {{ adapter.dispatch('other')() }}", context)).toBe('{{> postgres__cents c="amount"}} {{> default__other}}');
  });

  it("dbt_utils calls in tsdbt's spelling, dbt's cross-database macros as PostgreSQL SQL", () => {
    expect(translated("{{ dbt_utils.generate_surrogate_key(['order_id', 'customer_id']) }} {{ dbt_utils.star(from=ref('orders'), except=['id'], relation_alias=none) }}")).toBe(
      '{{dbt_utils.generate_surrogate_key (list "order_id" "customer_id")}} {{dbt_utils.star from=(ref "orders") except=(list "id")}}',
    );
    expect(translated("cast(x as {{ dbt.type_string() }}), {{ dbt.date_trunc('day', 'ordered_at') }}, {{ current_timestamp() }}, {{ safe_cast('y', type_int()) }}")).toBe(
      "cast(x as TEXT), date_trunc('day', ordered_at), now(), cast(y as INT)",
    );
  });

  it('config given a mapping, string methods as filters, macros called by project name, loops over mappings', () => {
    const context = contextWith([{ name: 'cents', params: [{ name: 'c' }] }]);
    expect(translated("{{ config({'materialized': 'table', 'tags': ['a']}) }}{{ var('s').upper() }} {{ 'AbC'.lower() }} {{ shop.cents('x') }}", context)).toBe(
      '{{config materialized="table" tags=(list "a")}}{{jinja_upper (var "s")}} abc {{> cents c="x"}}',
    );
    expect(translated("{% for e in [{'name': 'a', 'table': 't'}, {'name': 'b'}] %}{{ e.name }}:{% if e.table is defined %}{{ ref(e.table) }}{% else %}-{% endif %};{% endfor %}")).toBe(
      'a:{{ref "t"}};b:-;',
    );
  });

  it('{% raw %} stays text, and text holding {{ is escaped for Handlebars', () => {
    expect(translated("{% raw %}{{ not jinja }}{% endraw %}")).toBe('\\{{ not jinja }}');
    // Text that would read as Jinja in a tsdbt template (an error there) goes in a Handlebars raw block.
    expect(translated("{% raw %}{% if %}{{ x }}{# c #}{% endraw %}")).toBe('{{{{raw}}}}{% if %}{{ x }}{# c #}{{{{/raw}}}}');
  });

  it('what cannot be translated is reported with its line and column and left marked, never dropped', () => {
    const result = leftOf("select\n  {{ run_query('select 1') }},\n  {% if x in y %}a{% endif %}\n");
    expect(result.left).toEqual([
      { file: 'models/m.sql', line: 2, column: 6, construct: "{{ run_query('select 1') }}", reason: 'runs a query while compiling; tsdbt templates do not read the database' },
      { file: 'models/m.sql', line: 3, column: 9, construct: '{% if x in y %}', reason: "'x' is not a variable tsdbt templates know" },
    ]);
    expect(result.text).toBe(
      "select\n  {{!-- TSDBT-IMPORT: not translated: runs a query while compiling; tsdbt templates do not read the database --}}\\{{ run_query('select 1') }},\n" +
        "  {{!-- TSDBT-IMPORT: not translated: 'x' is not a variable tsdbt templates know --}}{% if x in y %}a{% endif %}\n",
    );
  });

  it('a namespace changed in a loop is left and reported once, not as a syntax error', () => {
    const result = leftOf("{% set ns = namespace(n=0) %}{% for i in [1, 2] %}{% set ns.n = ns.n + i %}{% endfor %}");
    expect(result.left.map(({ line, column, reason }) => `${line}:${column} ${reason}`)).toEqual([
      '1:51 setting an attribute of a namespace has no Handlebars form',
    ]);
  });

  it('a Jinja syntax error is reported at its place and the file kept as written', () => {
    const result = leftOf('select 1\n{{ ref("a" }}');
    expect(result.left).toMatchObject([{ line: 2, reason: "Jinja syntax error: expected ','" }]);
    expect(result.text).toContain('\\{{ ref("a" }}');
  });
});

describe('tsdbt import dbt: macros as TypeScript helpers', () => {
  /** The helper a macro becomes, compiled and loaded as tsdbt's macro loader would. */
  async function helperOf(jinja: string): Promise<((...args: unknown[]) => unknown) | undefined> {
    const [macro] = parseTemplate(jinja);
    if (macro?.kind !== 'macro') throw new Error('expected a macro');
    const source = typescriptMacro(macro);
    if (source === undefined) return undefined;
    const { code } = transformSync(source, { loader: 'ts', format: 'esm' });
    const module = (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as Record<string, (...args: unknown[]) => unknown>;
    return module[macro.name];
  }
  const options = { hash: {}, data: {} };

  it('computes what the macro renders, with its defaults, Handlebars options last', async () => {
    const money = await helperOf('{% macro money(col, places=2) -%}{%- set factor = 10 ** places -%}round({{ col }} * {{ factor }}) / {{ factor }}{%- endmacro %}');
    expect(money!('amount', 1, options)).toBe('round(amount * 10) / 10');
    expect(money!('amount', options)).toBe('round(amount * 100) / 100');
  });

  it("returns a macro's return() value, and loops, filters and conditions work on its arguments", async () => {
    const columns = await helperOf("{% macro columns(names, prefix='') %}{% set out = [] %}{% for n in names %}{% if n != 'id' %}{% set out = out + [prefix ~ n | upper] %}{% endif %}{% endfor %}{{ return(out) }}{% endmacro %}");
    expect(columns!(['id', 'a', 'b'], 'x_', options)).toEqual(['x_A', 'x_B']);
  });

  it('is not made for a macro that reads anything but its arguments', async () => {
    expect(await helperOf('{% macro r(x) %}{{ ref(x) }}{% endmacro %}')).toBeUndefined();
    expect(await helperOf('{% macro t() %}{{ target.name }}{% endmacro %}')).toBeUndefined();
    // JavaScript's reserved words cannot name a function or a variable.
    expect(await helperOf('{% macro delete(x) %}{{ return(x) }}{% endmacro %}')).toBeUndefined();
  });
});

describe('tsdbt import dbt: dbt_project.yml to tsdbt_project.yml', () => {
  const DBT_PROJECT = `name: shop
version: '1.0'
config-version: 2
profile: shop
require-dbt-version: [">=1.0.0"]
model-paths: ["models"]
on-run-end: ["grant usage on schema {{ target.schema }} to reporter"]
vars:
  start: '2024-01-01'
models:
  shop:
    materialized: table   # the default
    staging:
      +materialized: view
      +schema: staging
      +tags: ['nightly']
      +post-hook: "analyze {{ this }}"
      +bind: false
data_tests:
  shop:
    +severity: warn
`;

  it('keeps the keys and config trees, translates Jinja in hooks, drops dbt-only keys with a note, reports unknown config', () => {
    const moved = [{ resource: 'models' as const, path: ['marts', 'orders'], config: { indexes: [{ columns: ['id'], unique: true }] } }];
    const conversion = convertProjectFile(DBT_PROJECT, contextWith(), moved);
    expect(parseYaml(conversion.text)).toEqual({
      name: 'shop',
      version: '1.0',
      'config-version': 2,
      profile: 'shop',
      'model-paths': ['models'],
      'on-run-end': ['grant usage on schema {{target.schema}} to reporter'],
      vars: { start: '2024-01-01' },
      models: {
        shop: {
          materialized: 'table',
          staging: { '+materialized': 'view', '+schema': 'staging', '+tags': ['nightly'], '+post-hook': 'analyze {{this}}' },
          marts: { orders: { '+indexes': [{ columns: ['id'], unique: true }] } },
        },
      },
      tests: { shop: { '+severity': 'warn' } },
    });
    expect(conversion.text).toContain('# the default');
    expect(conversion.notes.map(({ line, construct }) => `${line} ${construct}`)).toEqual(['5 require-dbt-version', '19 data_tests']);
    expect(conversion.left).toEqual([
      { file: 'dbt_project.yml', line: 18, column: 7, construct: '+bind: ...', reason: "config key 'bind' at models.shop.staging.+bind is not known to tsdbt: left out" },
    ]);
  });
});
