import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';

const SOURCES = `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: payments
        columns:
          - {name: customer_id, data_type: integer}
          - {name: amount, data_type: 'numeric(10,2)'}
          - {name: method, data_type: text}
      - name: events
`;

const MODELS = {
  'models/sources.yml': SOURCES,
  'models/customers.sql': "select * from (values (1, 'ann'), (2, 'bob')) as t(id, name)",
  'models/order_totals.sql': `select c.name as customer, sum(p.amount) as total, count(*)::int as payments
from {{source "raw" "payments"}} as p
join {{ref "customers"}} as c on c.id = p.customer_id
where p.amount >= {{var "min_amount" 0}} and p.method is null
group by c.name`,
};

const CUSTOMERS_GIVEN = `      - input: ref('customers')
        rows:
          - {id: 1, name: ann}
          - {id: 2, name: bob}`;

const PAYMENTS_GIVEN = `      - input: source('raw', 'payments')
        rows:
          - {customer_id: 1, amount: 10.5}
          - {customer_id: 1, amount: 4.5}
          - {customer_id: 2, amount: 7}`;

/** A unit test of order_totals with these rows expected (YAML flow mappings) and these extra keys. */
function totalsTest(name: string, expected: string[], extra = ''): string {
  return `  - name: ${name}
    model: order_totals
    given:
${CUSTOMERS_GIVEN}
${PAYMENTS_GIVEN}
    expect:
      rows:
${expected.map((row) => `        - ${row}`).join('\n')}
${extra}`;
}

function unitTests(...tests: string[]): string {
  return `version: 2\nunit_tests:\n${tests.join('\n')}\n`;
}

interface RunResult {
  unique_id: string;
  status: string;
}

function statuses(project: TestProject): Record<string, string> {
  const { results } = JSON.parse(project.read('target/run_results.json')) as { results: RunResult[] };
  return Object.fromEntries(results.map((result) => [result.unique_id, result.status]));
}

// An extension's own relations (Citus's views in public) are not the project's.
const USER_RELATIONS = `select table_schema, table_name from information_schema.tables
  where table_schema not in ('pg_catalog', 'information_schema')
    and not exists (select from pg_depend where objid = format('%I.%I', table_schema, table_name)::regclass and deptype = 'e')`;

describeBackends('unit tests', (backend) => {
  it('pass before anything is built, with a ref and a source replaced by typed rows, and create nothing', async () => {
    const project = makeProject({ ...MODELS, 'models/unit_tests.yml': unitTests(totalsTest('totals_per_customer', ['{customer: bob, total: 7, payments: 1}', '{customer: ann, total: 15, payments: 2}'])) }, backend);
    const result = await project.run('test');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASS unit test order_totals::totals_per_customer .*\[PASS in/);
    expect(statuses(project)).toEqual({ 'unit_test.test_project.order_totals.totals_per_customer': 'pass' });
    // Inputs are CTEs of typed literals: the source's declared types, its omitted column a typed null, the ref's inferred.
    const compiled = project.read('target/compiled/test_project/models/order_totals/totals_per_customer.sql');
    expect(compiled).toMatch(/"__tsdbt__source__raw__payments" as \(\nselect '1'::integer as "customer_id", '10.5'::numeric\(10,2\) as "amount", null::text as "method"/);
    expect(compiled).toMatch(/"__tsdbt__ref__customers" as \(\nselect '1'::integer as "id", 'ann'::text as "name"/);
    expect(compiled).toMatch(/from "__tsdbt__source__raw__payments" as p\njoin "__tsdbt__ref__customers" as c/);
    expect(await project.query(USER_RELATIONS)).toEqual([]);
    expect(await project.query("select nspname from pg_namespace where nspname in ('analytics', 'raw')")).toEqual([]);
  });

  it('fail with a diff of the rows that differ, and exit code 1', async () => {
    const project = makeProject(
      {
        ...MODELS,
        'models/unit_tests.yml': unitTests(
          totalsTest('wrong_total', ['{customer: bob, total: 7, payments: 1}', '{customer: ann, total: 16, payments: 2}']),
          totalsTest('right_total', ['{customer: bob, total: 7.00, payments: 1}', '{customer: ann, total: 15, payments: 2}']),
        ),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL unit test order_totals::wrong_total .*\[actual rows differ from expected: 1 missing, 1 unexpected in/);
    expect(result.stdout).toMatch(/PASS unit test order_totals::right_total/);
    expect(result.stderr).toContain(
      [
        '| diff | customer | total | payments |',
        '| ---- | -------- | ----- | -------- |',
        '| +    | ann      | 15.00 | 2        |',
        '| -    | ann      | 16    | 2        |',
        '(2 rows)',
      ].join('\n'),
    );
    expect(result.stderr).toMatch(/target\/compiled\/test_project\/models\/order_totals\/wrong_total\.sql/);
    expect(statuses(project)).toMatchObject({ 'unit_test.test_project.order_totals.wrong_total': 'fail', 'unit_test.test_project.order_totals.right_total': 'pass' });
  });

  it('compare by the model column types: a text column compares text, duplicates count', async () => {
    const project = makeProject(
      {
        'models/codes.sql': 'select code::text as code from {{ref "numbers"}}',
        'models/numbers.sql': 'select 1 as code',
        'models/unit_tests.yml': unitTests(`  - name: codes_are_text
    model: codes
    given:
      - input: ref('numbers')
        rows: [{code: 1}, {code: 1}, {code: 2}]
    expect:
      rows: [{code: '1'}, {code: 2}]`),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/0 missing, 1 unexpected/);
    expect(result.stderr).toContain('| +    | 1    |');
  });

  it("print a model column named like the diff marker with its own values, beside the marker", async () => {
    const project = makeProject(
      {
        'models/labelled.sql': "select code, 'x' as diff, null::text as note from {{ref \"numbers\"}}",
        'models/numbers.sql': 'select 1 as code',
        'models/unit_tests.yml': unitTests(`  - name: labels
    model: labelled
    given:
      - input: ref('numbers')
        rows: [{code: 1}]
    expect:
      rows: [{code: 1, diff: y, note: ''}]`),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      ['| diff | code | diff | note |', '| ---- | ---- | ---- | ---- |', '| +    | 1    | x    | NULL |', '| -    | 1    | y    |      |', '(2 rows)'].join('\n'),
    );
  });

  it('compare json columns by value, key order aside', async () => {
    const project = makeProject(
      {
        'models/docs.sql': `select id, json_build_object('b', 2, 'a', id) as doc from {{ref "ids"}}`,
        'models/ids.sql': 'select 1 as id',
        'models/unit_tests.yml': unitTests(`  - name: docs_hold_their_id
    model: docs
    given:
      - input: ref('ids')
        rows: [{id: 1}, {id: 2}]
    expect:
      rows: [{id: 1, doc: '{"a": 1, "b": 2}'}, {id: 2, doc: '{"a": 2, "b": 2}'}]`),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.stdout + result.stderr).toMatch(/PASS/);
    expect(result.code).toBe(0);
  });

  it('take given and expected rows as CSV, inline or from a fixture file', async () => {
    const project = makeProject(
      {
        ...MODELS,
        'tests/fixtures/payments.csv': 'customer_id,amount,method\n1,10.5,\n1,4.5,\n2,7,"card"\n',
        'models/unit_tests.yml': unitTests(`  - name: from_csv
    model: order_totals
    given:
      - input: ref('customers')
        format: csv
        rows: |
          id,name
          1,"ann"
          2,bob
      - input: source('raw', 'payments')
        format: csv
        fixture: payments
    expect:
      format: csv
      rows: |
        customer,total,payments
        ann,15,2`),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('override vars', async () => {
    const project = makeProject(
      {
        ...MODELS,
        'models/unit_tests.yml': unitTests(
          totalsTest('min_amount_5', ['{customer: bob, total: 7, payments: 1}', '{customer: ann, total: 10.5, payments: 1}'], '    overrides:\n      vars: {min_amount: 5}'),
          totalsTest('min_amount_default', ['{customer: bob, total: 7, payments: 1}', '{customer: ann, total: 15, payments: 2}']),
        ),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASS=2/);
  });

  it('render an incremental model with is_incremental overridden and its own rows given as this', async () => {
    const project = makeProject(
      {
        'models/sources.yml': SOURCES,
        'models/new_events.sql': `{{config materialized="incremental"}}
select id, amount from {{source "raw" "events"}}
{{#if (is_incremental)}}where id > (select max(id) from {{this}}){{/if}}`,
        'models/unit_tests.yml': unitTests(
          `  - name: adds_only_new_events
    model: new_events
    overrides:
      macros: {is_incremental: true}
    given:
      - input: source('raw', 'events')
        rows: [{id: 1, amount: 5}, {id: 2, amount: 6}, {id: 3, amount: 7}]
      - input: this
        rows: [{id: 1, amount: 5}, {id: 2, amount: 6}]
    expect:
      rows: [{id: 3, amount: 7}]`,
          `  - name: full_build_reads_everything
    model: new_events
    given:
      - input: source('raw', 'events')
        rows: [{id: 1, amount: 5}, {id: 2, amount: 6}]
    expect:
      rows: [{id: 1}, {id: 2}]`,
        ),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASS=2/);
    expect(project.read('target/compiled/test_project/models/new_events/adds_only_new_events.sql')).toMatch(/where id > \(select max\(id\) from "__tsdbt__this"\)/);
  });

  it('test a TypeScript model returning a Kysely query; one returning rows is an error', async () => {
    const project = makeProject(
      {
        ...MODELS,
        'models/big_payments.ts': [
          'export default ({ db, source, ref, var: v }: any) =>',
          "  db.selectFrom(`${source('raw', 'payments')} as p`).innerJoin(`${ref('customers')} as c`, 'c.id', 'p.customer_id')",
          "    .where('p.amount', '>', v('min_amount', 5)).select(['c.name', 'p.amount']);",
        ].join('\n'),
        'models/listed.ts': "export const config = { column_types: { id: 'int' } };\nexport default () => [{ id: 1 }];",
        'models/unit_tests.yml': unitTests(
          `  - name: big_ones
    model: big_payments
    given:
${CUSTOMERS_GIVEN}
${PAYMENTS_GIVEN}
    expect:
      rows: [{name: ann, amount: 10.5}, {name: bob, amount: 7}]`,
          `  - name: bigger_ones
    model: big_payments
    overrides:
      vars: {min_amount: 8}
    given:
${CUSTOMERS_GIVEN}
${PAYMENTS_GIVEN}
    expect:
      rows: [{name: ann, amount: 10.5}]`,
          `  - name: rows_model
    model: listed
    given: []
    expect:
      rows: [{id: 1}]`,
        ),
      },
      backend,
    );
    const result = await project.run('test');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PASS unit test big_payments::big_ones/);
    expect(result.stdout).toMatch(/PASS unit test big_payments::bigger_ones/);
    expect(result.stdout).toMatch(/ERROR unit test listed::rows_model/);
    expect(result.stderr).toMatch(/model 'listed' returns rows, and a unit test can only replace the inputs of a query/);
  });

  it('are selected by test_type:unit, data tests by test_type:data', async () => {
    const project = makeProject(
      {
        'models/customers.sql': "select * from (values (1, 'ann'), (2, 'bob')) as t(id, name)",
        'models/names.sql': 'select name from {{ref "customers"}}',
        'models/schema.yml': `version: 2
models:
  - name: customers
    columns:
      - name: id
        tests: [unique]
unit_tests:
  - name: lists_names
    model: names
    given:
      - input: ref('customers')
        rows: [{id: 1, name: ann}]
    expect:
      rows: [{name: ann}]
`,
      },
      backend,
    );
    expect((await project.run('run')).code).toBe(0);
    expect((await project.run('test', '-s', 'test_type:unit')).code).toBe(0);
    expect(statuses(project)).toEqual({ 'unit_test.test_project.names.lists_names': 'pass' });
    expect((await project.run('test', '-s', 'test_type:data')).code).toBe(0);
    expect(Object.keys(statuses(project))).toEqual(['test.test_project.unique_customers_id.70f3d3fd20']);
    // Selecting a model selects its unit tests.
    expect((await project.run('test', '-s', 'names')).code).toBe(0);
    expect(Object.keys(statuses(project))).toEqual(['unit_test.test_project.names.lists_names']);
  });

  it('run before their model in build, and a failing one skips it', async () => {
    const project = makeProject(
      {
        'models/customers.sql': "select * from (values (1, 'ann'), (2, 'bob')) as t(id, name)",
        'models/names.sql': 'select upper(name) as name from {{ref "customers"}}',
        'models/unit_tests.yml': unitTests(`  - name: keeps_names
    model: names
    given:
      - input: ref('customers')
        rows: [{id: 1, name: ann}]
    expect:
      rows: [{name: ann}]`),
      },
      backend,
    );
    const result = await project.run('build');
    expect(result.code).toBe(1);
    expect(statuses(project)).toEqual({
      'model.test_project.customers': 'success',
      'unit_test.test_project.names.keeps_names': 'fail',
      'model.test_project.names': 'skipped',
    });
    expect(result.stderr).toContain('| -    | ann  |\n| +    | ANN  |');
    expect(await project.query(USER_RELATIONS)).toEqual([{ table_schema: 'analytics', table_name: 'customers' }]);
  });

  describe('config errors, at file:line, exit code 2', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['a missing model', totalsTest('t', ['{customer: ann}']).replace('model: order_totals', 'model: order_total'), /unit_tests\.yml:4:12: unit test 't' tests model 'order_total', which does not exist[\s\S]*did you mean 'order_totals'/],
      [
        'an input the model does not read',
        totalsTest('t', ['{customer: ann}']).replace('    expect:', "      - input: ref('names')\n        rows: []\n    expect:"),
        /unit_tests\.yml:15:16: unit test 't' gives ref\('names'\), which model 'order_totals' does not read/,
      ],
      ['a missing input', totalsTest('t', ['{customer: ann}']).replace(PAYMENTS_GIVEN, ''), /unit_tests\.yml:5:5: unit test 't' gives no rows for source\('raw', 'payments'\), which model 'order_totals' reads/],
      ['an override of another macro', totalsTest('t', ['{customer: ann}'], '    overrides:\n      macros: {cents_to_dollars: 1}'), /unit_tests\.yml:\d+:\d+: unknown key 'cents_to_dollars' at unit_tests\.0\.overrides\.macros/],
      [
        'CSV rows of the wrong width',
        totalsTest('t', []).replace('    expect:\n      rows:\n', '    expect:\n      format: csv\n      rows: |\n        customer,total\n        ann\n'),
        /unit_tests\.yml:19: this CSV row has 1 field, and the header 2/,
      ],
    ];
    for (const [what, yaml, error] of cases) {
      it(what, async () => {
        const project = makeProject({ ...MODELS, 'models/unit_tests.yml': unitTests(yaml) }, backend);
        const result = await project.run('test');
        expect(result.stderr).toMatch(error);
        expect(result.code).toBe(2);
      });
    }
  });
});
