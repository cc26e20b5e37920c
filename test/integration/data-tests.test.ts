import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';

interface RunResults {
  args: Record<string, unknown>;
  results: Array<{ unique_id: string; status: string; failures: number | null; failure_location: string | null }>;
}

function results(project: TestProject): Record<string, RunResults['results'][number]> {
  const parsed = JSON.parse(project.read('target/run_results.json')) as RunResults;
  return Object.fromEntries(parsed.results.map((result) => [result.unique_id.split('.')[2]!, result]));
}

function statuses(project: TestProject): Record<string, string> {
  return Object.fromEntries(Object.entries(results(project)).map(([name, result]) => [name, result.status]));
}

// Sharded on Citus (inert elsewhere), orders by status (the bad data below has null ids, which a distribution column
// cannot hold), customers by id: the relationships test joins them on columns they are not both sharded by.
const ORDERS = `{{config materialized="table" distribution_column="status"}}
select * from (values
  (1, 'paid', 10, 1, now()),
  (2, 'open', 30, 2, now()),
  (3, 'paid', 20, 2, now() - interval '3 days')
) as t(id, status, amount, customer_id, ordered_at)`;

const CUSTOMERS = "{{config materialized=\"table\" distribution_column=\"id\"}}\nselect * from (values (1, 'ann'), (2, 'bob')) as t(id, name)";

describeBackends('data tests', (backend) => {
  it('every built-in generic test passes on good data and fails on bad data, on models, seeds and sources', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'models/customers.sql': CUSTOMERS,
        'seeds/countries.csv': 'code,name\nDE,Germany\nFR,France\n',
        'models/schema.yml': `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: payments
        columns:
          - name: id
            tests: [unique, not_null]
models:
  - name: orders
    tests:
      - not_empty
      - unique_combination_of_columns: {combination_of_columns: [id, status]}
      - recency: {datepart: day, field: ordered_at, interval: 1}
      - expression_is_true: {expression: "amount > 0"}
    columns:
      - name: id
        tests: [unique, not_null]
      - name: status
        tests:
          - accepted_values: {values: [paid, open]}
      - name: amount
        tests:
          - accepted_range: {min_value: 10, max_value: 30}
          - accepted_range: {min_value: 10, max_value: 30, inclusive: false, name: amount_strictly_inside}
          - expression_is_true: {expression: "% 10 = 0", name: amount_is_round}
      - name: customer_id
        tests:
          - relationships: {to: ref('customers'), field: id}
seeds:
  - name: countries
    columns:
      - name: code
        tests: [unique, {accepted_values: {values: [DE, FR, IT]}}]
`,
      },
      backend,
    );
    await project.query('create schema raw');
    await project.query('create table raw.payments (id int)');
    await project.query('insert into raw.payments values (1), (2), (2), (null)');
    const build = await project.run('build');
    expect(build.code).toBe(1);
    expect(statuses(project)).toMatchObject({
      orders: 'success',
      customers: 'success',
      countries: 'success',
      not_empty_orders_: 'pass',
      unique_combination_of_columns_orders_id__status: 'pass',
      recency_orders_day__ordered_at__1: 'pass',
      expression_is_true_orders_amount_0: 'pass',
      unique_orders_id: 'pass',
      not_null_orders_id: 'pass',
      accepted_values_orders_status__paid__open: 'pass',
      accepted_range_orders_amount__30__10: 'pass',
      amount_strictly_inside: 'fail',
      amount_is_round: 'pass',
      relationships_orders_customer_id__id__ref_customers_: 'pass',
      unique_countries_code: 'pass',
      accepted_values_countries_code__DE__FR__IT: 'pass',
      source_unique_raw_payments_id: 'fail',
      source_not_null_raw_payments_id: 'fail',
    });
    expect(results(project).amount_strictly_inside!.failures).toBe(2);
    expect(results(project).source_unique_raw_payments_id!.failures).toBe(1);
    expect(build.stderr).toContain(
      'Failure in test accepted_range amount_strictly_inside (models/schema.yml)\n  models/schema.yml: Got 2 results, configured to fail if !=0\n  compiled code at target/compiled/test_project/models/amount_strictly_inside.sql',
    );
    expect(project.read('target/compiled/test_project/models/amount_strictly_inside.sql')).toMatch(/or not amount > 10\s+--[^\n]*\n\s+or not amount < 30/);

    // Bad data: each test catches it.
    project.write('models/orders.sql', ORDERS.replace("(3, 'paid', 20, 2, now() - interval '3 days')", "(3, 'lost', 0, 9, now() - interval '3 days'), (3, 'lost', null, null, now() - interval '3 days'), (null, 'paid', 40, 1, now() - interval '2 days')"));
    await project.query('delete from raw.payments');
    await project.query('insert into raw.payments values (1)');
    await project.run('build');
    expect(statuses(project)).toMatchObject({
      unique_combination_of_columns_orders_id__status: 'fail',
      expression_is_true_orders_amount_0: 'fail',
      unique_orders_id: 'fail',
      not_null_orders_id: 'fail',
      accepted_values_orders_status__paid__open: 'fail',
      accepted_range_orders_amount__30__10: 'fail',
      relationships_orders_customer_id__id__ref_customers_: 'fail',
      source_unique_raw_payments_id: 'pass',
      source_not_null_raw_payments_id: 'pass',
    });
    expect(results(project).relationships_orders_customer_id__id__ref_customers_!.failures).toBe(1);
    expect(results(project).accepted_range_orders_amount__30__10!.failures).toBe(2);

    await project.query('delete from analytics.orders where ordered_at > now() - interval \'1 day\'');
    await project.run('test', '-s', 'orders');
    expect(statuses(project)).toMatchObject({ recency_orders_day__ordered_at__1: 'fail' });
    const tested = Object.keys(results(project));
    expect(tested.every((name) => !['orders', 'customers', 'countries'].includes(name))).toBe(true);
  });

  it('severity, warn_if and error_if, where, limit and tags; a singular test and a project generic test', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'tests/generic/is_multiple_of.sql': 'select * from {{model}} where {{column_name}} % {{factor}} <> 0',
        'macros/test_at_most.sql': 'select * from {{model}} where {{column_name}} > {{literal maximum}}',
        'tests/no_big_orders.sql': '{{config severity="warn" tags="nightly"}}\nselect * from {{ref "orders"}} where amount > 25',
        'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: amount
        tests:
          - is_multiple_of: {factor: 20, name: multiple_of_20}
          - is_multiple_of: {factor: 20, name: multiple_of_20_where_paid, config: {where: "status = 'paid'"}}
          - is_multiple_of: {factor: 20, name: multiple_of_20_warn_above_1, config: {warn_if: '>1', error_if: '>5'}}
          - is_multiple_of: {factor: 20, name: multiple_of_20_limited, config: {limit: 1, tags: [nightly]}}
          - at_most: {maximum: 20, severity: warn}
`,
      },
      backend,
    );
    const run = await project.run('build');
    expect(run.code).toBe(1);
    expect(statuses(project)).toMatchObject({
      orders: 'success',
      multiple_of_20: 'fail',
      multiple_of_20_where_paid: 'fail',
      multiple_of_20_warn_above_1: 'warn',
      multiple_of_20_limited: 'fail',
      at_most_orders_amount__20: 'warn',
      no_big_orders: 'warn',
    });
    const all = results(project);
    expect(all.multiple_of_20!.failures).toBe(2);
    expect(all.multiple_of_20_where_paid!.failures).toBe(1);
    expect(all.multiple_of_20_limited!.failures).toBe(1);
    expect(project.read('target/compiled/test_project/models/multiple_of_20_where_paid.sql')).toContain(`(select * from "analytics"."orders" where status = 'paid') as dbt_subquery`);
    expect(project.read('target/compiled/test_project/tests/no_big_orders.sql')).toContain('from "analytics"."orders" where amount > 25');

    const tagged = await project.run('test', '-s', 'tag:nightly');
    expect(Object.keys(results(project)).sort()).toEqual(['multiple_of_20_limited', 'no_big_orders']);
    expect(tagged.code).toBe(1);
    const warnOnly = await project.run('test', '-s', 'no_big_orders');
    expect(warnOnly.code).toBe(0);
  });

  it('store_failures keeps the failing rows in <target>_test_failures, named in the output', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: amount
        tests:
          - accepted_range: {max_value: 15, config: {store_failures: true}}
`,
      },
      backend,
    );
    const build = await project.run('build');
    expect(build.code).toBe(1);
    expect(build.stdout + build.stderr).toMatch(/failing rows in "analytics_test_failures"\."accepted_range_orders_amount__15"/);
    expect(await project.query('select id, amount from analytics_test_failures.accepted_range_orders_amount__15 order by id')).toEqual([
      { id: 2, amount: 30 },
      { id: 3, amount: 20 },
    ]);
    project.write('models/orders.sql', ORDERS.replace('30, 2, now()', '5, 2, now()'));
    await project.run('build');
    expect(await project.query('select id from analytics_test_failures.accepted_range_orders_amount__15')).toEqual([{ id: 3 }]);
  });

  it('store_failures keeps failing rows whose columns share a name, each repeat renamed, every value kept', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'models/customers.sql': CUSTOMERS,
        // select *: both relations have an id, and the unnamed columns are all ?column?.
        'tests/orders_of_bob.sql':
          '{{config store_failures=true}}\nselect o.id, c.*, o.amount * 2, o.amount * 3, 0 as id_2 from {{ref "orders"}} o join {{ref "customers"}} c on c.id = o.customer_id where c.name = \'bob\'',
      },
      backend,
    );
    const build = await project.run('build');
    expect(build.code).toBe(1);
    expect(results(project).orders_of_bob).toMatchObject({ status: 'fail', failures: 2 });
    expect(
      await project.query(
        "select column_name from information_schema.columns where table_schema = 'analytics_test_failures' and table_name = 'orders_of_bob' order by ordinal_position",
      ),
    ).toEqual(['id', 'id_3', 'name', '?column?', '?column?_2', 'id_2'].map((column_name) => ({ column_name })));
    expect(await project.query('select * from analytics_test_failures.orders_of_bob order by id')).toEqual([
      { id: 2, id_3: 2, name: 'bob', '?column?': 60, '?column?_2': 90, id_2: 0 },
      { id: 3, id_3: 2, name: 'bob', '?column?': 40, '?column?_2': 60, id_2: 0 },
    ]);
  });

  it('in build a failing error test skips exactly the descendants of its node, a warning skips nothing; retry runs what failed or was skipped', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'models/customers.sql': CUSTOMERS,
        'models/order_facts.sql': 'select o.*, c.name from {{ref "orders"}} o join {{ref "customers"}} c on c.id = o.customer_id',
        'models/order_report.sql': 'select count(*) as n from {{ref "order_facts"}}',
        'models/customer_report.sql': 'select count(*) as n from {{ref "customers"}}',
        'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: amount
        tests:
          - accepted_range: {max_value: 25}
  - name: customers
    columns:
      - name: name
        tests:
          - accepted_values: {values: [ann], severity: warn}
`,
      },
      backend,
    );
    const build = await project.run('build');
    expect(build.code).toBe(1);
    expect(statuses(project)).toEqual({
      orders: 'success',
      customers: 'success',
      accepted_range_orders_amount__25: 'fail',
      accepted_values_customers_name__ann: 'warn',
      order_facts: 'skipped',
      order_report: 'skipped',
      customer_report: 'success',
    });

    // The data is fixed where it lives; retry reruns only the failed test and what it skipped.
    await project.query('update analytics.orders set amount = 25 where amount = 30');
    const retry = await project.run('retry');
    expect(retry.code).toBe(0);
    expect(statuses(project)).toEqual({
      accepted_range_orders_amount__25: 'pass',
      order_facts: 'success',
      order_report: 'success',
    });
    expect(await project.query('select n::int as n from analytics.order_report')).toEqual([{ n: 3 }]);
  });

  it('a singular test reading a seed and a model built from it runs after both, and nothing is left unrun', async () => {
    const project = makeProject(
      {
        'seeds/countries.csv': 'code,name\nDE,Germany\nFR,France\n',
        'models/country_names.sql': 'select code, upper(name) as name from {{ref "countries"}}',
        'models/country_report.sql': 'select count(*) as n from {{ref "country_names"}}',
        'tests/every_country_named.sql': 'select c.code from {{ref "countries"}} c left join {{ref "country_names"}} n using (code) where n.code is null',
      },
      backend,
    );
    const build = await project.run('build');
    expect(build.code).toBe(0);
    expect(statuses(project)).toEqual({ countries: 'success', country_names: 'success', country_report: 'success', every_country_named: 'pass' });
  });

  it('unknown tests and arguments are config errors naming the property file and line', async () => {
    const project = makeProject(
      {
        'models/orders.sql': ORDERS,
        'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        tests:\n          - uniqe\n',
      },
      backend,
    );
    const unknown = await project.run('test');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/models\/schema\.yml:7.*unknown test 'uniqe'.*did you mean 'unique'/s);
    project.write('models/schema.yml', 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        tests:\n          - accepted_values: {valus: [1]}\n');
    const argument = await project.run('test');
    expect(argument.code).toBe(2);
    expect(argument.stderr).toMatch(/models\/schema\.yml:7.*test 'accepted_values' needs 'values'/s);
  });
});

describe('compile', () => {
  it('compile renders data tests without a database', async () => {
    const project = makeProject({
      'models/orders.sql': ORDERS,
      'tests/no_big_orders.sql': 'select * from {{ref "orders"}} where amount > 25',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        tests: [unique]\n',
    });
    const compiled = await project.run('compile');
    expect(compiled.code).toBe(0);
    expect(compiled.stdout).toContain('Compiled 3 nodes');
    expect(project.read('target/compiled/test_project/models/unique_orders_id.sql')).toMatch(/group by "id"\nhaving count\(\*\) > 1/);
    expect(project.read('target/compiled/test_project/tests/no_big_orders.sql')).toContain('from "public"."orders" where amount > 25');
    const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { compiled_path: string; test_metadata?: { name: string } }> };
    expect(manifest.nodes['test.test_project.unique_orders_id.1360ecc70e']).toMatchObject({ compiled_path: 'target/compiled/test_project/models/unique_orders_id.sql', test_metadata: { name: 'unique' } });
  });
});

describe('build graph edges', () => {
  it('are added per test to the direct children of its node only', async () => {
    const { schedulingGraph } = await import('../../src/runner/build-graph.js');
    const { Graph } = await import('@dagrejs/graphlib');
    const graph = new Graph({ directed: true });
    for (const [from, to] of [['a', 'b'], ['b', 'c'], ['a', 't'], ['a', 'r'], ['r', 't']]) graph.setEdge(from!, to!);
    const node = (uniqueId: string, resourceType: string, extra = {}) => [uniqueId, { uniqueId, resourceType, dependsOn: graph.predecessors(uniqueId) ?? [], ...extra }] as const;
    const nodes = new Map([node('a', 'model'), node('b', 'model'), node('c', 'model'), node('r', 'model'), node('t', 'test', { test: { attachedNode: 'a', kwargs: {} } })]);
    const scheduled = schedulingGraph(graph, nodes as never, new Set(['a', 'b', 'c', 'r', 't']));
    // b waits for the test; c only through b; r is another parent of the test, so no edge (it would be a cycle).
    // A test reading a node and that node's child (here a and r) never makes the child wait for it.
    expect(['a', 'b', 'c', 'r'].filter((id) => scheduled.predecessors(id)!.includes('t'))).toEqual(['b']);
    expect(graph.successors('t')).toEqual([]);
  });
});
