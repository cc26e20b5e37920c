import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { sqlWords } from '../helpers/sql-text.js';

/**
 * dbt_utils' generic tests, declared as a dbt project declares them (`dbt_utils.<name>`) and without the prefix: each
 * passes on good data and fails on bad, and compiles to the SQL dbt_utils 1.x renders on PostgreSQL (written out by
 * hand below from its macros).
 */

const orders = (rows: string) => `{{config materialized="table"}}
select * from (values
${rows}
) as t(id, customer_id, status, amount, valid_from, valid_to, ordered_at, coupon, channel)`;

const GOOD_ORDERS = orders(`  (1, 1, 'paid', 10, date '2020-01-01', date '2020-02-01', now(), 'A', 'web'),
  (2, 1, 'open', 30, date '2020-02-01', date '2020-03-01', now(), null, 'shop'),
  (3, 2, 'paid', 20, date '2020-03-01', date '2020-04-01', now(), null, 'web')`);

// Each row breaks something: a repeated id, a gap in the ids, an overlapping range, an unknown customer, a negative
// and a missing amount, a refused status, no coupon at all, one channel only, nothing recent.
const BAD_ORDERS = orders(`  (1, 1, 'paid', 10, date '2020-01-01', date '2020-02-01', now() - interval '3 days', null, 'web'),
  (1, 1, 'paid', 10, date '2020-04-01', date '2020-05-01', now() - interval '3 days', null, 'web'),
  (2, 99, 'lost', -5, date '2020-01-15', date '2020-03-01', now() - interval '3 days', null::text, 'web'),
  (4, 2, 'paid', null, date '2020-03-01', date '2020-04-01', now() - interval '3 days', null, 'web')`);

const PROPERTIES = `version: 2
models:
  - name: orders
    tests:
      - dbt_utils.expression_is_true: {expression: "amount > 0"}
      - dbt_utils.unique_combination_of_columns: {combination_of_columns: [id, status]}
      - dbt_utils.equal_rowcount: {compare_model: ref('order_lines')}
      - dbt_utils.mutually_exclusive_ranges: {lower_bound_column: valid_from, upper_bound_column: valid_to, gaps: not_allowed}
      - recency: {datepart: day, field: ordered_at, interval: 1}
    columns:
      - name: id
        tests:
          - dbt_utils.sequential_values
          - dbt_utils.cardinality_equality: {to: ref('order_lines'), field: order_id}
      - name: customer_id
        tests:
          - dbt_utils.relationships_where: {to: ref('customers'), field: id, from_condition: "status <> 'void'"}
      - name: amount
        tests:
          - dbt_utils.accepted_range: {min_value: 0, max_value: 100}
          - not_null_proportion: {at_least: 0.9}
      - name: coupon
        tests: [at_least_one]
      - name: channel
        tests: [not_constant]
      - name: status
        tests:
          - dbt_utils.not_accepted_values: {values: [lost]}
`;

const O = '"analytics"."orders"';
const L = '"analytics"."order_lines"';
const C = '"analytics"."customers"';

/** The SQL dbt renders for each test, by the name dbt gives it. */
const DBT_SQL: Record<string, string> = {
  dbt_utils_expression_is_true_orders_amount_0: `select 1 from ${O} where not(amount > 0)`,
  dbt_utils_unique_combination_of_columns_orders_id__status: `with validation_errors as (select id, status from ${O} group by id, status having count(*) > 1) select * from validation_errors`,
  dbt_utils_equal_rowcount_orders_ref_order_lines_: `with a as (select 1 as id_dbtutils_test_equal_rowcount, count(*) as count_a from ${O} group by id_dbtutils_test_equal_rowcount),
    b as (select 1 as id_dbtutils_test_equal_rowcount, count(*) as count_b from ${L} group by id_dbtutils_test_equal_rowcount),
    final as (select a.id_dbtutils_test_equal_rowcount as id_dbtutils_test_equal_rowcount_a, b.id_dbtutils_test_equal_rowcount as id_dbtutils_test_equal_rowcount_b,
      count_a, count_b, abs(count_a - count_b) as diff_count
      from a full join b on a.id_dbtutils_test_equal_rowcount = b.id_dbtutils_test_equal_rowcount)
    select * from final`,
  dbt_utils_mutually_exclusive_ranges_orders_not_allowed__valid_from__valid_to: `with window_functions as (
      select valid_from as lower_bound, valid_to as upper_bound,
        lead(valid_from) over (order by valid_from, valid_to) as next_lower_bound,
        row_number() over (order by valid_from desc, valid_to desc) = 1 as is_last_record
      from ${O}),
    calc as (
      -- We want to return records where one of our assumptions fails, so we'll use
      -- the \`not\` function with \`and\` statements so we can write our assumptions more cleanly
      select *,
        -- For each record: lower_bound should be < upper_bound.
        -- Coalesce it to return an error on the null case (implicit assumption
        -- these columns are not_null)
        coalesce(lower_bound < upper_bound, false) as lower_bound_less_than_upper_bound,
        -- For each record: upper_bound = the next lower_bound.
        -- Coalesce it to handle null cases for the last record.
        coalesce(upper_bound = next_lower_bound, is_last_record, false) as upper_bound_equal_to_next_lower_bound
      from window_functions),
    validation_errors as (select * from calc where not(
        -- THE FOLLOWING SHOULD BE TRUE --
        lower_bound_less_than_upper_bound and upper_bound_equal_to_next_lower_bound))
    select * from validation_errors`,
  recency_orders_day__ordered_at__1: `with recency as (select max(ordered_at) as most_recent from ${O})
    select most_recent, cast(now() + ((interval '1 day') * (-1)) as timestamp) as threshold from recency
    where most_recent < cast(now() + ((interval '1 day') * (-1)) as timestamp) or most_recent is null`,
  dbt_utils_sequential_values_orders_id: `with windowed as (select id, lag(id) over (order by id) as previous_id from ${O}),
    validation_errors as (select * from windowed where not(id = previous_id + 1))
    select * from validation_errors`,
  dbt_utils_cardinality_equality_orders_id__order_id__ref_order_lines_: `with table_a as (select id, count(*) as num_rows from ${O} group by id),
    table_b as (select order_id, count(*) as num_rows from ${L} group by order_id),
    except_a as (select * from table_a except select * from table_b),
    except_b as (select * from table_b except select * from table_a),
    unioned as (select * from except_a union all select * from except_b)
    select * from unioned`,
  dbt_utils_relationships_where_orders_customer_id__id__status_void___ref_customers_: `with left_table as (select customer_id as id from ${O} where customer_id is not null and status <> 'void'),
    right_table as (select id as id from ${C} where id is not null and 1=1),
    exceptions as (select left_table.id, right_table.id as right_id from left_table left join right_table on left_table.id = right_table.id where right_table.id is null)
    select * from exceptions`,
  dbt_utils_accepted_range_orders_amount__100__0: `with meet_condition as(select * from ${O}),
    validation_errors as (select * from meet_condition where
      -- never true, defaults to an empty result set. Exists to ensure any combo of the \`or\` clauses below succeeds
      1 = 2
      -- records with a value >= min_value are permitted. The \`not\` flips this to find records that don't meet the rule.
      or not amount >= 0
      -- records with a value <= max_value are permitted. The \`not\` flips this to find records that don't meet the rule.
      or not amount <= 100)
    select * from validation_errors`,
  not_null_proportion_orders_0_9__amount: `with validation as (select sum(case when amount is null then 0 else 1 end) / cast(count(*) as numeric(28,6)) as not_null_proportion from ${O}),
    validation_errors as (select not_null_proportion from validation where not_null_proportion < 0.9 or not_null_proportion > 1)
    select * from validation_errors`,
  at_least_one_orders_coupon: `select * from (with pruned_rows as (select coupon from ${O} where coupon is not null limit 1)
    select count(coupon) as filler_column from pruned_rows having count(coupon) = 0) validation_errors`,
  not_constant_orders_channel: `select count(distinct channel) as filler_column from ${O} having count(distinct channel) = 1`,
  dbt_utils_not_accepted_values_orders_status__lost: `with all_values as (select distinct status as value_field from ${O}),
    validation_errors as (select value_field from all_values where value_field in ('lost'))
    select * from validation_errors`,
};

function results(project: TestProject): Record<string, { status: string; failures: number | null }> {
  const parsed = JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string; failures: number | null }> };
  return Object.fromEntries(parsed.results.filter((result) => result.unique_id.startsWith('test.')).map((result) => [result.unique_id.split('.')[2]!, result]));
}

const everyTest = (status: string) => Object.fromEntries(Object.keys(DBT_SQL).map((name) => [name, status]));

describeBackends('dbt_utils generic tests', (backend) => {
  it('each passes on good data, fails on bad, and compiles to the SQL dbt renders', async () => {
    const project = makeProject(
      {
        'models/orders.sql': GOOD_ORDERS,
        'models/order_lines.sql': '{{config materialized="table"}}\nselect * from (values (1), (2), (3)) as t(order_id)',
        'models/customers.sql': "{{config materialized=\"table\"}}\nselect * from (values (1, 'ann'), (2, 'bob')) as t(id, name)",
        'models/schema.yml': PROPERTIES,
      },
      backend,
    );
    const good = await project.run('build');
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const passed = results(project);
    expect(Object.fromEntries(Object.entries(passed).map(([name, result]) => [name, result.status]))).toEqual(everyTest('pass'));
    // Each test's compiled file, found by its name in the manifest (a long name's file has dbt's short name).
    const manifest = JSON.parse(project.read('target/manifest.json')) as {
      nodes: Record<string, { name: string; compiled_path?: string; test_metadata?: { name: string; namespace?: string } }>;
    };
    const testNamed = (name: string) => Object.values(manifest.nodes).find((node) => node.name === name)!;
    for (const [name, sql] of Object.entries(DBT_SQL)) {
      expect(sqlWords(project.read(testNamed(name).compiled_path!)), name).toBe(sqlWords(sql));
    }
    // dbt's test_metadata keeps the package as the namespace.
    expect(testNamed('dbt_utils_sequential_values_orders_id').test_metadata).toMatchObject({ name: 'sequential_values', namespace: 'dbt_utils' });

    project.write('models/orders.sql', BAD_ORDERS);
    const bad = await project.run('build');
    expect(bad.code).toBe(1);
    const failed = results(project);
    expect(Object.fromEntries(Object.entries(failed).map(([name, result]) => [name, result.status]))).toEqual(everyTest('fail'));
    // equal_rowcount fails by the difference in rows (dbt_utils' fail_calc), not by its one row of counts.
    expect(failed.dbt_utils_equal_rowcount_orders_ref_order_lines_!.failures).toBe(1);
    expect(failed.dbt_utils_accepted_range_orders_amount__100__0!.failures).toBe(1);
    expect(failed.dbt_utils_sequential_values_orders_id!.failures).toBe(2);
  });

  it('group_by_columns, quote_columns and an unknown dbt_utils test', async () => {
    const project = makeProject(
      {
        'models/orders.sql': GOOD_ORDERS,
        'models/schema.yml': `version: 2
models:
  - name: orders
    tests:
      - dbt_utils.unique_combination_of_columns: {combination_of_columns: [id, status], quote_columns: true}
    columns:
      - name: channel
        tests:
          - dbt_utils.not_constant: {group_by_columns: [customer_id]}
      - name: amount
        tests:
          - dbt_utils.at_least_one: {group_by_columns: [customer_id, status]}
`,
      },
      backend,
    );
    expect((await project.run('build')).code).toBe(1);
    expect(results(project)).toMatchObject({
      dbt_utils_unique_combination_of_columns_orders_id__status__True: { status: 'pass' },
      // Customer 2 has one channel only.
      dbt_utils_not_constant_orders_channel__customer_id: { status: 'fail', failures: 1 },
      dbt_utils_at_least_one_orders_amount__customer_id__status: { status: 'pass' },
    });
    const compiled = (name: string) => sqlWords(project.read(`target/compiled/test_project/models/${name}.sql`));
    expect(compiled('dbt_utils_unique_combination_of_columns_orders_id__status__True')).toBe(
      sqlWords(`with validation_errors as (select "id", "status" from ${O} group by "id", "status" having count(*) > 1) select * from validation_errors`),
    );
    expect(compiled('dbt_utils_not_constant_orders_channel__customer_id')).toBe(
      sqlWords(`select customer_id, count(distinct channel) as filler_column from ${O} group by customer_id having count(distinct channel) = 1`),
    );
    expect(compiled('dbt_utils_at_least_one_orders_amount__customer_id__status')).toBe(
      sqlWords(`select * from (with pruned_rows as (select customer_id ,status ,amount from ${O})
        select customer_id ,status, count(amount) as filler_column from pruned_rows group by customer_id,status having count(amount) = 0) validation_errors`),
    );

    project.write('models/schema.yml', 'version: 2\nmodels:\n  - name: orders\n    tests:\n      - dbt_utils.equality: {compare_model: ref(\'orders\')}\n');
    const unknown = await project.run('build');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown test 'dbt_utils.equality'");
  });
});
