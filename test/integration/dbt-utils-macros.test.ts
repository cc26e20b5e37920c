import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { sqlWords } from '../helpers/sql-text.js';

/**
 * Each dbt_utils macro in a model: its compiled SQL against what dbt renders with dbt_utils 1.x on PostgreSQL
 * (written out by hand below from dbt_utils' macros, relations as tsdbt names them), and its rows on real data.
 */

const ORDERS = `{{config materialized="table"}}
select * from (values
  (1, 1, 'paid', 10.0, true, cast('a' as varchar(20))),
  (2, 1, 'open', 30.0, false, cast('b' as varchar(20))),
  (3, null, 'paid', 20.0, null, cast(null as varchar(20)))
) as t(id, customer_id, status, amount, rush, note)`;

const RETURNS = `{{config materialized="table"}}
select * from (values (7, 'late', cast('xx' as varchar(40)))) as t(id, reason, note)`;

const O = '"analytics"."orders"';
const R = '"analytics"."returns"';
const NULL_KEY = "'_dbt_utils_surrogate_key_null_'";

function compiled(project: TestProject, model: string): string {
  return sqlWords(project.read(`target/compiled/test_project/models/${model}.sql`));
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describeBackends('dbt_utils macros', (backend) => {
  it('render the SQL dbt renders and build the rows dbt builds, in blocks and partials too', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'models/returns.sql': RETURNS,
        'macros/key_of.sql': '{{dbt_utils.generate_surrogate_key (list column)}}',
        'models/keys.sql': `{{config materialized="table"}}
select id, {{dbt_utils.generate_surrogate_key (list "id" "customer_id")}} as order_key,
  {{> key_of column="status"}} as status_key
  {{#each (list "id" "amount")}}, {{dbt_utils.safe_add (list this "1")}} as plus_{{this}}{{/each}}
from {{ref "orders"}}`,
        'models/starred.sql': `select {{dbt_utils.star from=(ref "orders") except=(list "NOTE" "rush") relation_alias="o" prefix="o_"}} from {{ref "orders"}} as o`,
        'models/star_plain.sql': `select {{dbt_utils.star (ref "returns") quote_identifiers=false}} from {{ref "returns"}}`,
        'models/spine.sql': `{{dbt_utils.date_spine datepart="day" start_date="cast('2020-01-01' as date)" end_date="cast('2020-01-05' as date)"}}`,
        'models/month_spine.sql': `{{dbt_utils.date_spine "month" "cast('2020-01-01' as date)" "cast('2020-04-01' as date)"}}`,
        'models/pivoted.sql': `select customer_id,
  {{dbt_utils.pivot "status" (dbt_utils.get_column_values (ref "orders") "status" order_by="status") agg="count"}}
from {{ref "orders"}}
group by customer_id`,
        'models/statuses.sql': `select {{#each (dbt_utils.get_column_values (ref "orders") "status" order_by="status")}}'{{this}}' as s{{@index}}{{#unless @last}}, {{/unless}}{{/each}}`,
        'models/unpivoted.sql': `{{dbt_utils.unpivot relation=(ref "orders") cast_to="text" exclude=(list "id") remove=(list "customer_id" "amount" "note")}}`,
        'models/unioned.sql': `{{dbt_utils.union_relations relations=(list (ref "orders") (ref "returns")) exclude=(list "customer_id" "amount" "rush")}}`,
        'models/arithmetic.sql': `select status, {{dbt_utils.safe_divide "sum(amount)" "count(customer_id)"}} as per_customer,
  {{#if (eq 1 1)}}{{#with target}}{{dbt_utils.safe_divide "1.0" "4"}}{{/with}}{{/if}} as quarter
from {{ref "orders"}}
{{dbt_utils.group_by 1}}`,
        'models/deduped.sql': `{{dbt_utils.deduplicate (ref "orders") "status" "amount desc"}}`,
        // A TypeScript model calls them from its context, keyword arguments in an object given last.
        'models/ts_keys.ts': `import { sql } from 'kysely';
export const config = { materialized: 'table' };
export default async ({ ref, dbt_utils }) => {
  const statuses = await dbt_utils.get_column_values(ref('orders'), 'status', { order_by: 'status' });
  const columns = await dbt_utils.star({ from: ref('orders'), except: ['customer_id', 'amount', 'rush', 'note'] });
  const key = await dbt_utils.generate_surrogate_key(['id', 'customer_id']);
  return sql.raw(\`select \${columns}, \${key} as order_key, '\${statuses.join(',')}' as statuses from \${ref('orders')}\`);
};
`,
      },
      backend,
    );
    const run = await project.run('run');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const key = (...fields: string[]) => `md5(cast(${fields.map((field) => `coalesce(cast(${field} as TEXT),${NULL_KEY})`).join("||'-'||")} as TEXT))`;
    expect(compiled(project, 'keys')).toBe(
      sqlWords(`select id, ${key('id', 'customer_id')} as order_key, ${key('status')} as status_key
        , coalesce(id, 0) + coalesce(1, 0) as plus_id, coalesce(amount, 0) + coalesce(1, 0) as plus_amount
        from ${O}`),
    );
    // The keys dbt makes: md5 of the values joined by '-', a null written as dbt_utils writes it.
    expect(await project.query('select id, order_key, status_key from analytics.keys order by id')).toEqual([
      { id: 1, order_key: md5('1-1'), status_key: md5('paid') },
      { id: 2, order_key: md5('2-1'), status_key: md5('open') },
      { id: 3, order_key: md5('3-_dbt_utils_surrogate_key_null_'), status_key: md5('paid') },
    ]);

    expect(await project.query('select * from analytics.ts_keys order by id')).toEqual([
      { id: 1, status: 'paid', order_key: md5('1-1'), statuses: 'open,paid' },
      { id: 2, status: 'open', order_key: md5('2-1'), statuses: 'open,paid' },
      { id: 3, status: 'paid', order_key: md5('3-_dbt_utils_surrogate_key_null_'), statuses: 'open,paid' },
    ]);

    expect(compiled(project, 'starred')).toBe(sqlWords(`select o."id" as "o_id",\n  o."customer_id" as "o_customer_id",\n  o."status" as "o_status",\n  o."amount" as "o_amount" from ${O} as o`));
    expect(compiled(project, 'star_plain')).toBe(sqlWords(`select id,\n  reason,\n  note from ${R}`));
    expect(await project.query('select * from analytics.starred order by o_id limit 1')).toEqual([{ o_id: 1, o_customer_id: 1, o_status: 'paid', o_amount: '10.0' }]);

    const series = (bound: string, powers: number) => `with p as (select 0 as generated_number union all select 1), unioned as (
      select ${Array.from({ length: powers }, (_, i) => `p${i}.generated_number * power(2, ${i})`).join(' + ')} + 1 as generated_number
      from ${Array.from({ length: powers }, (_, i) => `p as p${i}`).join(' cross join ')})
      select * from unioned where generated_number <= ${bound} order by generated_number`;
    expect(compiled(project, 'spine')).toBe(
      sqlWords(`with rawdata as (${series('4', 2)}),
      all_periods as (select (cast('2020-01-01' as date) + ((interval '1 day') * (row_number() over (order by generated_number) - 1))) as date_day from rawdata),
      filtered as (select * from all_periods where date_day <= cast('2020-01-05' as date))
      select * from filtered`),
    );
    // dbt writes the month count PostgreSQL's date_part returns as a Python float.
    expect(compiled(project, 'month_spine')).toContain(sqlWords('where generated_number <= 3.0'));
    expect((await project.query<{ d: string }>("select to_char(date_day, 'YYYY-MM-DD') as d from analytics.spine order by 1")).map((row) => row.d)).toEqual(['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04']);
    expect((await project.query<{ d: string }>("select to_char(date_month, 'YYYY-MM-DD') as d from analytics.month_spine order by 1")).map((row) => row.d)).toEqual(['2020-01-01', '2020-02-01', '2020-03-01']);

    expect(compiled(project, 'statuses')).toBe(sqlWords("select 'open' as s0, 'paid' as s1"));
    const pivotColumn = (value: string) => `count(case when status = '${value}' then 1 else 0 end) as "${value}"`;
    expect(compiled(project, 'pivoted')).toBe(sqlWords(`select customer_id, ${pivotColumn('open')}, ${pivotColumn('paid')} from ${O} group by customer_id`));

    expect(compiled(project, 'unpivoted')).toBe(
      sqlWords(`select id, cast('status' as TEXT) as field_name, cast(status as text) as value from ${O}
      union all
      select id, cast('rush' as TEXT) as field_name, cast(cast(rush as TEXT) as text) as value from ${O}`),
    );
    expect(await project.query('select id, field_name, value from analytics.unpivoted order by id, field_name')).toEqual([
      { id: 1, field_name: 'rush', value: 'true' },
      { id: 1, field_name: 'status', value: 'paid' },
      { id: 2, field_name: 'rush', value: 'false' },
      { id: 2, field_name: 'status', value: 'open' },
      { id: 3, field_name: 'rush', value: null },
      { id: 3, field_name: 'status', value: 'paid' },
    ]);

    const noColumns = '/* No columns from any of the relations. This star is only output during dbt compile, and exists to keep SQLFluff happy. */';
    expect(compiled(project, 'unioned')).toBe(
      sqlWords(`(select cast('${O}' as TEXT) as _dbt_source_relation, ${noColumns}
          cast("id" as integer) as "id" , cast("status" as text) as "status" , cast("note" as character varying(40)) as "note" , cast(null as text) as "reason"
        from ${O})
      union all
      (select cast('${R}' as TEXT) as _dbt_source_relation, ${noColumns}
          cast("id" as integer) as "id" , cast(null as text) as "status" , cast("note" as character varying(40)) as "note" , cast("reason" as text) as "reason"
        from ${R})`),
    );
    expect(await project.query('select _dbt_source_relation as source, id, status, reason from analytics.unioned order by id')).toEqual([
      { source: O, id: 1, status: 'paid', reason: null },
      { source: O, id: 2, status: 'open', reason: null },
      { source: O, id: 3, status: 'paid', reason: null },
      { source: R, id: 7, status: null, reason: 'late' },
    ]);

    expect(compiled(project, 'arithmetic')).toBe(
      sqlWords(`select status, ( sum(amount) ) / nullif( ( count(customer_id) ), 0) as per_customer, ( 1.0 ) / nullif( ( 4 ), 0) as quarter from ${O} group by 1`),
    );
    expect(await project.query('select status, per_customer::text as per_customer, quarter::float8 as quarter from analytics.arithmetic order by status')).toEqual([
      { status: 'open', per_customer: '30.0000000000000000', quarter: 0.25 },
      { status: 'paid', per_customer: '30.0000000000000000', quarter: 0.25 },
    ]);

    expect(compiled(project, 'deduped')).toBe(sqlWords(`select distinct on (status) * from ${O} order by status,amount desc`));
    expect(await project.query('select id from analytics.deduped order by id')).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('compile reads the columns of what exists; a wrong call is reported at its place; surrogate_key_treat_nulls_as_empty_strings', async () => {
    const project = makeProject(
      {
        'tsdbt_project.yml': 'name: test_project\nprofile: test\nvars:\n  surrogate_key_treat_nulls_as_empty_strings: true\n',
        'models/keyed.sql': `{{config materialized="table"}}\nselect {{dbt_utils.generate_surrogate_key (list "a" "b")}} as k from (select 1 as a, null::int as b) as t`,
        'models/starred.sql': `select {{dbt_utils.star (ref "keyed")}} from {{ref "keyed"}}`,
        'models/broken.sql': 'select 1 as a\n  {{dbt_utils.group_by 1 n=2}}',
        'models/passing.sql': '{{config materialized="ephemeral"}}\nselect 1 as a',
        'models/of_ephemeral.sql': 'select\n  {{dbt_utils.star (ref "passing")}} from {{ref "passing"}}',
      },
      backend,
    );
    const broken = await project.run('compile', '-s', 'broken');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('models/broken.sql:2:3');
    expect(broken.stderr).toContain("dbt_utils.group_by got argument 'n' twice");
    project.remove('models/broken.sql');
    // dbt_utils refuses an ephemeral model, which has no relation to read the columns of.
    const ephemeral = await project.run('compile', '-s', 'of_ephemeral');
    expect(ephemeral.code).toBe(2);
    expect(ephemeral.stderr).toContain('models/of_ephemeral.sql:2:3');
    expect(ephemeral.stderr).toContain('passing is an ephemeral model: its columns cannot be read while compiling');
    project.remove('models/of_ephemeral.sql');
    // Before the run there is no relation to read, and dbt_utils says so.
    expect((await project.run('compile')).code).toBe(0);
    expect(compiled(project, 'starred')).toBe(sqlWords('select /* no columns returned from star() macro */ from "analytics"."keyed"'));
    const run = await project.run('run');
    expect(run.code).toBe(0);
    expect(await project.query('select k from analytics.keyed')).toEqual([{ k: md5('1-') }]);
    expect(compiled(project, 'starred')).toBe(sqlWords('select "k" from "analytics"."keyed"'));
    project.remove('target');
    expect((await project.run('compile', '-s', 'starred')).code).toBe(0);
    expect(compiled(project, 'starred')).toBe(sqlWords('select "k" from "analytics"."keyed"'));
    const inline = await project.run('compile', '--inline', 'select {{dbt_utils.star (ref "keyed") relation_alias="t"}} from {{ref "keyed"}} as t');
    expect(inline.stdout).toBe('select t."k" from "analytics"."keyed" as t');
  });
});
