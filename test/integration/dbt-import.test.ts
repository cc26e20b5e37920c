import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDbtProject } from '../helpers/dbt-project.js';
import { runCli } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

/** A small dbt project in the style of dbt's jaffle_shop, written for this test: Jinja throughout. */
const DBT_PROJECT: Record<string, string> = {
  'dbt_project.yml': `name: 'shop'
version: '1.0'
config-version: 2
profile: 'test'
require-dbt-version: [">=1.0.0", "<2.0.0"]
model-paths: ["models"]
seed-paths: ["seeds"]
vars:
  payment_methods: ['credit_card', 'coupon', 'bank_transfer']
models:
  shop:
    materialized: table
    staging:
      +materialized: view
      +tags: ['staging']
`,
  'seeds/raw_customers.csv': 'id,first_name\n1,Ann\n2,Bob\n3,Cy\n',
  'seeds/raw_orders.csv': 'id,user_id,order_date,status\n1,1,2024-01-01,completed\n2,1,2024-01-02,placed\n3,2,2024-01-03,returned\n',
  'seeds/raw_payments.csv': 'id,order_id,payment_method,amount\n1,1,credit_card,1000\n2,1,coupon,250\n3,2,bank_transfer,1500\n4,3,credit_card,700\n',
  'macros/cents.sql': `{% macro cents_to_dollars(column_name, scale=2) -%}
    {{ return(adapter.dispatch('cents_to_dollars')(column_name, scale)) }}
{%- endmacro %}

{% macro default__cents_to_dollars(column_name, scale) -%}
    ({{ column_name }} / 100)::numeric(16, {{ scale }})
{%- endmacro %}

{% macro postgres__cents_to_dollars(column_name, scale) -%}
    round({{ column_name }}::numeric / 100, {{ scale }})
{%- endmacro %}
`,
  'macros/get_custom_schema.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | lower }}{%- endif -%}
{%- endmacro %}
`,
  // Handlebars cannot say these two (a return value, arithmetic): they become TypeScript helpers.
  'macros/helpers.sql': `{% macro payment_method_list() %}{{ return(['credit_card', 'coupon', 'bank_transfer']) }}{% endmacro %}

{% macro money(col, places=2) -%}
  {%- set factor = 10 ** places -%}
  round({{ col }} * {{ factor }}) / {{ factor }}
{%- endmacro %}
`,
  'models/payment_totals.sql': `select
  {% for m in payment_method_list() -%}
  sum(case when payment_method = '{{ m }}' then {{ money('amount', 1) }} else 0 end) as {{ m }}_total{% if not loop.last %},{% endif %}
  {% endfor %}
from {{ ref('stg_payments') }}
`,
  'macros/tests.sql': `{% test non_negative(model, column_name) %}
    select * from {{ model }} where {{ column_name }} < 0
{% endtest %}
`,
  'models/staging/stg_customers.sql': "select id as customer_id, first_name from {{ ref('raw_customers') }}\n",
  'models/staging/stg_orders.sql': `with source as (
    {#-
    seeds stand in for the raw tables
    #}
    select * from {{ ref('raw_orders') }}
)
select id as order_id, user_id as customer_id, order_date, status from source
`,
  'models/staging/stg_payments.sql': "select order_id, payment_method, {{ cents_to_dollars('amount') }} as amount from {{ ref('raw_payments') }}\n",
  'models/orders.sql': `{{ config(schema='Reporting') }}
{% set payment_methods = var('payment_methods') %}
with order_payments as (
    select
        order_id,
        {% for payment_method in payment_methods -%}
        sum(case when payment_method = '{{ payment_method }}' then amount else 0 end) as {{ payment_method }}_amount,
        {% endfor -%}
        sum(amount) as total_amount
    from {{ ref('stg_payments') }}
    group by order_id
)
select
    o.order_id, o.customer_id, o.status,
    {% for method in ['credit_card', 'coupon', 'bank_transfer'] -%}
    coalesce(p.{{ method }}_amount, 0) as {{ method }}_amount{% if not loop.last %},{% endif %}
    {% endfor %},
    coalesce(p.total_amount, 0) as amount
from {{ ref('stg_orders') }} o
left join order_payments p using (order_id)
{% if target.name == 'never' %}where false{% endif %}
`,
  'models/customer_orders.sql': `{{ config(materialized='incremental', unique_key='customer_id') }}
select customer_id, count(*) as order_count, max(order_date) as last_order
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where exists (select 1 from {{ this }})
{% endif %}
group by customer_id
`,
  'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: order_id
        tests: [unique, not_null]
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped', 'completed', 'returned']
      - name: customer_id
        tests:
          - relationships: {to: ref('stg_customers'), field: customer_id}
      - name: amount
        tests: [non_negative]
`,
  'snapshots/customers.sql': `{% snapshot customers_snapshot %}
{{ config(target_schema='history', unique_key='customer_id', strategy='check', check_cols=['first_name']) }}
select * from {{ ref('stg_customers') }}
{% endsnapshot %}
`,
};

describeBackends('tsdbt import dbt', (backend) => {
  it('imports a jaffle_shop-like dbt project that then builds: seeds, models, snapshot and data tests', async () => {
    const source = writeDbtProject(DBT_PROJECT);
    const destination = join(temporaryDir('tsdbt-imported-'), 'shop');
    const imported = await runCli(['import', 'dbt', source, destination]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Every construct was translated.');
    expect(imported.code).toBe(0);
    expect(readFileSync(join(destination, 'snapshots/customers_snapshot.sql'), 'utf8')).toContain('{{config target_schema="history"');
    expect(readFileSync(join(destination, 'macros/postgres__cents_to_dollars.sql'), 'utf8')).toBe('round({{column_name}}::numeric / 100, {{scale}})');
    // A filter of a value known only when rendering is a TypeScript helper of the project.
    expect(readFileSync(join(destination, 'macros/generate_schema_name.sql'), 'utf8')).toBe('{{#if (eq custom_schema_name null)}}{{@root.target.schema}}{{else}}{{jinja_lower custom_schema_name}}{{/if}}');
    expect(readFileSync(join(destination, 'macros/jinja_filters.ts'), 'utf8')).toContain('export function jinja_lower(');

    writeFileSync(join(destination, 'profiles.yml'), backend.profile(destination, 'analytics'));
    const build = await runCli(['build', '--project-dir', destination, '--profiles-dir', destination]);
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/Done\. SUCCESS=10 PASS=5 TOTAL=15/);
    const orders = await backend.query(
      destination,
      'select order_id, credit_card_amount::text as card, coupon_amount::text as coupon, bank_transfer_amount::text as bank, amount::text from reporting.orders order by order_id',
    );
    expect(orders).toEqual([
      { order_id: 1, card: '10.00', coupon: '2.50', bank: '0', amount: '12.50' },
      { order_id: 2, card: '0', coupon: '0', bank: '15.00', amount: '15.00' },
      { order_id: 3, card: '7.00', coupon: '0', bank: '0', amount: '7.00' },
    ]);
    expect(await backend.query(destination, 'select count(*)::int as n from history.customers_snapshot')).toEqual([{ n: 3 }]);
    expect(readFileSync(join(destination, 'models/payment_totals.sql'), 'utf8')).toContain('{{#each (payment_method_list) as |m|}}');
    expect(
      await backend.query(destination, 'select credit_card_total::float8 as card, coupon_total::float8 as coupon, bank_transfer_total::float8 as bank from analytics.payment_totals'),
    ).toEqual([{ card: 17, coupon: 2.5, bank: 15 }]);

    // The incremental branch renders on the second build.
    const again = await runCli(['run', '-s', 'customer_orders', '--project-dir', destination, '--profiles-dir', destination]);
    expect(again.code).toBe(0);
    expect(await backend.query(destination, 'select customer_id, order_count::int as order_count from analytics.customer_orders order by 1')).toEqual([
      { customer_id: 1, order_count: 2 },
      { customer_id: 2, order_count: 1 },
    ]);
  });
});

describe('tsdbt import dbt: what is left', () => {
  const WITH_RUNTIME_JINJA: Record<string, string> = {
    'dbt_project.yml': "name: 'left'\nprofile: 'test'\nmodels:\n  left:\n    +materialized: table\n    +bind: false\n",
    'models/a.sql': "{% set n = 2 %}\nselect {{ n }} as n,\n  {{ run_query('select 1') }} as q\n",
    'models/b.sql': 'select 1 as one\n',
    'models/b.yml': 'version: 2\nmodels:\n  - name: b\n',
  };

  it('lists each construct with file, line and reason, writes the report as JSON and the files marked, and exits 1', async () => {
    const source = writeDbtProject(WITH_RUNTIME_JINJA);
    const destination = join(temporaryDir('tsdbt-imported-'), 'left');
    const result = await runCli(['import', 'dbt', source, destination]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2 constructs could not be translated');
    expect(result.stdout).toContain("models/a.sql:3:6: {{ run_query('select 1') }}\n    runs a query while compiling; tsdbt templates do not read the database");
    expect(result.stdout).toContain("dbt_project.yml:6:5: +bind: ...\n    config key 'bind' at models.left.+bind is not known to tsdbt: left out");
    const report = JSON.parse(readFileSync(join(destination, 'dbt_import_report.json'), 'utf8')) as { left: unknown[] };
    expect(report.left).toEqual([
      { file: 'models/a.sql', line: 3, column: 6, construct: "{{ run_query('select 1') }}", reason: 'runs a query while compiling; tsdbt templates do not read the database' },
      { file: 'dbt_project.yml', line: 6, column: 5, construct: '+bind: ...', reason: "config key 'bind' at models.left.+bind is not known to tsdbt: left out" },
    ]);
    expect(readFileSync(join(destination, 'models/a.sql'), 'utf8')).toBe(
      // The line break after {% set %} stays, as Jinja keeps it.
      "\nselect 2 as n,\n  {{!-- TSDBT-IMPORT: not translated: runs a query while compiling; tsdbt templates do not read the database --}}\\{{ run_query('select 1') }} as q\n",
    );
    // Property files are copied unchanged.
    expect(readFileSync(join(destination, 'models/b.yml'), 'utf8')).toBe(WITH_RUNTIME_JINJA['models/b.yml']);

    const json = await runCli(['import', 'dbt', source, destination, '--log-format', 'json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { left: unknown[] }).left).toEqual(report.left);
  });

  it('--check reports the same without writing anything, and a complete project exits 0', async () => {
    const source = writeDbtProject(WITH_RUNTIME_JINJA);
    const destination = join(temporaryDir('tsdbt-imported-'), 'checked');
    const checked = await runCli(['import', 'dbt', source, destination, '--check']);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('(nothing written)');
    expect(checked.stdout).toContain('models/a.sql:3:6');
    expect(existsSync(destination)).toBe(false);

    const complete = writeDbtProject({ 'dbt_project.yml': "name: 'ok'\n", 'models/m.sql': "select {{ var('x', 1) }} as x\n" });
    const ok = await runCli(['import', 'dbt', complete, join(temporaryDir('tsdbt-imported-'), 'ok'), '--check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Every construct can be translated.');
  });

  it('refuses a source without dbt_project.yml, and a destination holding other files, as usage errors', async () => {
    const notDbt = writeDbtProject({ 'README.md': 'hello\n' });
    const missing = await runCli(['import', 'dbt', notDbt, join(notDbt, 'out')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no dbt_project.yml in ${notDbt}`);
    const occupied = await runCli(['import', 'dbt', writeDbtProject(WITH_RUNTIME_JINJA), notDbt]);
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toContain('already exists and is not an earlier import');
  });
});
