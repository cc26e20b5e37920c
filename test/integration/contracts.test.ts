import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type CliResult, type TestProject } from '../helpers/project.js';

function modelsFile(models: Array<Record<string, unknown>>): string {
  return `version: 2\nmodels: ${JSON.stringify(models)}\n`;
}

/** Reference tables on Citus (a copy on every node; keys need no distribution column), local tables elsewhere. */
const enforced = { contract: { enforced: true }, distribution: 'reference' };

/** customers (a primary key, not null, check) and orders (a named primary key, a foreign key to customers, unique). */
const PROPERTIES = modelsFile([
  {
    name: 'customers',
    config: enforced,
    columns: [
      { name: 'id', data_type: 'int', constraints: [{ type: 'primary_key' }] },
      { name: 'name', data_type: 'text', constraints: [{ type: 'not_null' }] },
      { name: 'tier', data_type: 'varchar', constraints: [{ type: 'check', expression: "tier in ('gold', 'silver')" }] },
    ],
  },
  {
    name: 'orders',
    config: enforced,
    constraints: [
      { type: 'primary_key', name: 'orders_pk', columns: ['id'] },
      { type: 'foreign_key', columns: ['customer_id'], to: "ref('customers')", to_columns: ['id'] },
    ],
    columns: [
      { name: 'id', data_type: 'integer' },
      { name: 'customer_id', data_type: 'int4' },
      { name: 'amount', data_type: 'numeric(10,2)' },
      { name: 'reference', data_type: 'varchar(12)', constraints: [{ type: 'unique' }, { type: 'not_null' }] },
      { name: 'placed_at', data_type: 'timestamptz' },
    ],
  },
]);

const CUSTOMERS = `{{config materialized="table"}}
select * from (values (1, 'Ada', 'gold'::varchar), (2, 'Bob', 'silver'::varchar)) as c(id, name, tier)`;

// Columns in another order than the contract's: the table takes the contract's.
const ORDERS = `{{config materialized="table"}}
select ('R-' || id::text)::varchar(12) as reference, id, customer_id, amount::numeric(10,2) as amount, timestamptz '2024-01-01' as placed_at
from (values (10, 1, 5.5), (11, 2, 7)) as o(id, customer_id, amount)`;

async function expectRun(project: TestProject, code: number, ...args: string[]): Promise<CliResult> {
  const result = await project.run(...args);
  expect(result.code, result.stdout + result.stderr).toBe(code);
  return result;
}

async function columnTypes(project: TestProject, relation: string) {
  return project.query<{ name: string; type: string; not_null: boolean }>(
    `select attname as name, format_type(atttypid, atttypmod) as type, attnotnull as not_null from pg_attribute
     where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [relation],
  );
}

async function constraintKinds(project: TestProject, relation: string) {
  return project.query<{ kind: string; definition: string }>(
    // PostgreSQL 18 (PGlite) lists NOT NULL here too (contype n); attnotnull says it on every version.
    `select contype::text as kind, pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = $1::regclass and contype <> 'n' order by 1, 2`,
    [relation],
  );
}

describeBackends('model contracts', (backend) => {
  describe('tables', () => {
    it('creates the table with exactly the declared types, in the contract order, with its constraints; twice', async () => {
      const project = makeProject({ 'models/schema.yml': PROPERTIES, 'models/customers.sql': CUSTOMERS, 'models/orders.sql': ORDERS }, backend);
      await expectRun(project, 0, 'run');
      expect(await columnTypes(project, 'analytics.orders')).toEqual([
        { name: 'id', type: 'integer', not_null: true },
        { name: 'customer_id', type: 'integer', not_null: false },
        { name: 'amount', type: 'numeric(10,2)', not_null: false },
        { name: 'reference', type: 'character varying(12)', not_null: true },
        { name: 'placed_at', type: 'timestamp with time zone', not_null: false },
      ]);
      expect(await constraintKinds(project, 'analytics.orders')).toEqual([
        { kind: 'f', definition: 'FOREIGN KEY (customer_id) REFERENCES analytics.customers(id)' },
        { kind: 'p', definition: 'PRIMARY KEY (id)' },
        { kind: 'u', definition: 'UNIQUE (reference)' },
      ]);
      expect(await constraintKinds(project, 'analytics.customers')).toEqual([
        { kind: 'c', definition: "CHECK (((tier)::text = ANY ((ARRAY['gold'::character varying, 'silver'::character varying])::text[])))" },
        { kind: 'p', definition: 'PRIMARY KEY (id)' },
      ]);
      // A rebuild takes the constraint's name while the old table still holds it (until the swap).
      await expectRun(project, 0, 'run', '-s', 'orders');
      expect(await project.query("select conname from pg_constraint where conrelid = 'analytics.orders'::regclass and contype = 'p'")).toEqual([{ conname: 'orders_pk' }]);
      expect(await project.query('select id, reference, amount::text as amount from analytics.orders order by id')).toEqual([
        { id: 10, reference: 'R-10', amount: '5.50' },
        { id: 11, reference: 'R-11', amount: '7.00' },
      ]);
    });

    it("makes a foreign key's model a dependency, built first", async () => {
      const project = makeProject({ 'models/schema.yml': PROPERTIES, 'models/customers.sql': CUSTOMERS, 'models/orders.sql': ORDERS }, backend);
      const listed = await expectRun(project, 0, 'ls', '-s', '+orders', '--output', 'name');
      expect(listed.stdout.split('\n').filter((line) => /^(customers|orders)$/.test(line.trim()))).toHaveLength(2);
      await expectRun(project, 0, 'compile');
      const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { depends_on: { nodes: string[] } }> };
      expect(manifest.nodes['model.test_project.orders']!.depends_on.nodes).toEqual(['model.test_project.customers']);
    });

    it('a row breaking a constraint (not null, check, foreign key) fails the node and leaves the previous table', async () => {
      const project = makeProject({ 'models/schema.yml': PROPERTIES, 'models/customers.sql': CUSTOMERS, 'models/orders.sql': ORDERS }, backend);
      await expectRun(project, 0, 'run');
      const breaking = {
        'not-null': CUSTOMERS.replace("'Bob'", 'null'),
        check: CUSTOMERS.replace("'silver'", "'bronze'"),
      };
      for (const [constraint, model] of Object.entries(breaking)) {
        project.write('models/customers.sql', model);
        const failed = await expectRun(project, 1, 'run', '-s', 'customers');
        expect(failed.stdout, constraint).toMatch(new RegExp(`violates ${constraint} constraint`));
        expect(await project.query('select id, name, tier from analytics.customers order by id')).toEqual([
          { id: 1, name: 'Ada', tier: 'gold' },
          { id: 2, name: 'Bob', tier: 'silver' },
        ]);
      }
      project.write('models/customers.sql', CUSTOMERS);
      project.write('models/orders.sql', ORDERS.replace('(11, 2, 7)', '(11, 99, 7)'));
      expect((await expectRun(project, 1, 'run', '-s', 'orders')).stdout).toMatch(/violates foreign key constraint/);
      expect(await project.query('select customer_id from analytics.orders order by id')).toEqual([{ customer_id: 1 }, { customer_id: 2 }]);
    });

    it('a query that does not match fails before any data moves, naming the missing, extra and retyped columns', async () => {
      const project = makeProject({ 'models/schema.yml': PROPERTIES, 'models/customers.sql': CUSTOMERS }, backend);
      await expectRun(project, 0, 'run');
      await project.query('create table public.raw_customers (id text, name text, tier text)');
      await project.query("insert into public.raw_customers values ('x', 'Cy', 'gold')");
      // Running this query would fail on 'x'::int: the error must be the contract's, so it never ran.
      project.write('models/customers.sql', `{{config materialized="table"}}\nselect id::int as id, tier, 1 as extra from public.raw_customers`);
      const failed = await expectRun(project, 1, 'run');
      const output = failed.stdout + failed.stderr;
      expect(output).toMatch(/does not match the model's enforced contract: name \(missing in the query\), tier \(data type mismatch\), extra \(missing in the contract\)/);
      expect(output).toMatch(/\| tier\s+\| character varying\s+\| text\s+\| data type mismatch\s+\|/);
      expect(output).not.toMatch(/invalid input syntax/);
      expect(await project.query('select count(*)::int as n from analytics.customers')).toEqual([{ n: 2 }]);
    });

    it('compares types as PostgreSQL names them, ignoring a length or precision the contract does not give', async () => {
      const contract = (columns: Array<[string, string]>) =>
        modelsFile([{ name: 'typed', config: enforced, columns: columns.map(([name, type]) => ({ name, data_type: type })) }]);
      const model = `{{config materialized="table"}}\nselect 1 as a, 'x'::varchar(20) as b, 1.5::numeric(6,1) as c, now() as d, true as e, 2.5::float8 as f`;
      const project = makeProject(
        {
          'models/typed.sql': model,
          'models/typed.yml': contract([['a', 'int'], ['b', 'varchar'], ['c', 'decimal'], ['d', 'timestamptz'], ['e', 'bool'], ['f', 'double precision']]),
        },
        backend,
      );
      await expectRun(project, 0, 'run');
      expect((await columnTypes(project, 'analytics.typed')).map((column) => column.type)).toEqual([
        'integer',
        'character varying',
        'numeric',
        'timestamp with time zone',
        'boolean',
        'double precision',
      ]);
      // varchar and text are different types, as in dbt; a precision the contract gives must be the query's.
      project.write('models/typed.yml', contract([['a', 'bigint'], ['b', 'text'], ['c', 'numeric(10,2)'], ['d', 'timestamptz'], ['e', 'bool'], ['f', 'float8']]));
      const failed = await expectRun(project, 1, 'run');
      expect(failed.stdout).toMatch(/a \(data type mismatch\), b \(data type mismatch\), c \(data type mismatch\)/);
      expect(failed.stdout + failed.stderr).toMatch(/\| c\s+\| numeric\(10,2\)\s+\| numeric\(6,1\)\s+\|/);
    });
  });

  describe('TypeScript models', () => {
    it('rows a model returns are copied into the table made from its contract, constraints included', async () => {
      const project = makeProject(
        {
          'models/scores.yml': modelsFile([
            {
              name: 'scores',
              config: { ...enforced, materialized: 'table' },
              columns: [
                { name: 'id', data_type: 'int', constraints: [{ type: 'primary_key' }] },
                { name: 'score', data_type: 'float8', constraints: [{ type: 'not_null' }] },
              ],
            },
          ]),
          'models/scores.ts': 'export default () => [{ score: 2.5, id: 1 }, { score: 4, id: 2 }];\n',
        },
        backend,
      );
      await expectRun(project, 0, 'run');
      expect(await project.query('select id, score from analytics.scores order by id')).toEqual([
        { id: 1, score: 2.5 },
        { id: 2, score: 4 },
      ]);
      project.write('models/scores.ts', 'export default () => [{ score: 2.5, id: 1 }, { score: null, id: 3 }];\n');
      expect((await expectRun(project, 1, 'run')).stdout).toMatch(/violates not-null constraint/);
      expect(await project.query('select count(*)::int as n from analytics.scores')).toEqual([{ n: 2 }]);
    });
  });

  describe('incremental models and views', () => {
    const events = modelsFile([
      {
        name: 'events',
        config: { ...enforced, materialized: 'incremental', unique_key: 'id', incremental_strategy: 'merge' },
        columns: [
          { name: 'id', data_type: 'bigint', constraints: [{ type: 'primary_key' }] },
          { name: 'kind', data_type: 'text', constraints: [{ type: 'check', expression: "kind <> ''" }] },
        ],
      },
    ]);
    const model = (rows: string) => `select id::bigint as id, kind from (values ${rows}) as e(id, kind)`;

    it('an incremental model is created from its contract, and each increment is checked against it', async () => {
      const project = makeProject({ 'models/events.yml': events, 'models/events.sql': model("(1, 'a'), (2, 'b')") }, backend);
      await expectRun(project, 0, 'run');
      expect((await constraintKinds(project, 'analytics.events')).map((row) => row.kind)).toEqual(['c', 'p']);
      project.write('models/events.sql', model("(2, 'B'), (3, 'c')"));
      await expectRun(project, 0, 'run');
      expect(await project.query('select id::int as id, kind from analytics.events order by id')).toEqual([
        { id: 1, kind: 'a' },
        { id: 2, kind: 'B' },
        { id: 3, kind: 'c' },
      ]);
      project.write('models/events.sql', model("(4, '')"));
      expect((await expectRun(project, 1, 'run')).stdout).toMatch(/violates check constraint/);
      project.write('models/events.sql', `select 5 as id, 'e' as kind`);
      expect((await expectRun(project, 1, 'run')).stdout).toMatch(/id \(data type mismatch\)/);
      await expectRun(project, 1, 'run', '--full-refresh');
      expect(await project.query('select count(*)::int as n from analytics.events')).toEqual([{ n: 3 }]);
    });

    it('a microbatch model creates its table from the contract', async () => {
      const project = makeProject(
        {
          'models/daily.yml': modelsFile([
            {
              name: 'daily',
              config: { ...enforced, materialized: 'incremental', incremental_strategy: 'microbatch', event_time: 'day', batch_size: 'day', begin: '2024-01-01' },
              columns: [
                { name: 'day', data_type: 'timestamptz', constraints: [{ type: 'not_null' }] },
                { name: 'n', data_type: 'int', constraints: [{ type: 'check', expression: 'n > 0' }] },
              ],
            },
          ]),
          'models/daily.sql': `select timestamptz '{{batch.start}}' as day, 1 as n`,
        },
        backend,
      );
      const result = await project.run('run', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-03');
      expect(result.code, result.stdout).toBe(0);
      expect(await columnTypes(project, 'analytics.daily')).toEqual([
        { name: 'day', type: 'timestamp with time zone', not_null: true },
        { name: 'n', type: 'integer', not_null: false },
      ]);
      expect((await constraintKinds(project, 'analytics.daily')).map((row) => row.kind)).toEqual(['c']);
    });

    it('a view is checked for names and types; its constraints are reported, not applied', async () => {
      const project = makeProject(
        {
          'models/v.yml': modelsFile([{ name: 'v', config: enforced, columns: [{ name: 'id', data_type: 'int', constraints: [{ type: 'not_null' }] }] }]),
          'models/v.sql': 'select 1 as id',
        },
        backend,
      );
      const built = await expectRun(project, 0, 'run');
      expect(built.stdout + built.stderr).toMatch(/a view cannot hold constraints; the not_null constraint on id is not applied/);
      project.write('models/v.sql', "select 'one' as id");
      expect((await expectRun(project, 1, 'run')).stdout).toMatch(/id \(data type mismatch\)/);
      expect(await project.query('select id from analytics.v')).toEqual([{ id: 1 }]);
    });
  });

  describe('config errors at parse time', () => {
    const cases: Array<[string, Array<Record<string, unknown>>, RegExp]> = [
      ['a column without data_type', [{ name: 'm', config: enforced, columns: [{ name: 'id' }] }], /models\/m\.yml:2: model 'm' has an enforced contract, but column 'id' has no data_type/],
      ['an unknown constraint type', [{ name: 'm', config: enforced, columns: [{ name: 'id', data_type: 'int', constraints: [{ type: 'nonnull' }] }] }], /models\/m\.yml:2/],
      [
        'a constraint naming an unknown column',
        [{ name: 'm', config: enforced, constraints: [{ type: 'unique', columns: ['idd'] }], columns: [{ name: 'id', data_type: 'int' }] }],
        /names column 'idd', which the contract does not declare[\s\S]*did you mean 'id'/,
      ],
      ['a check without expression', [{ name: 'm', config: enforced, columns: [{ name: 'id', data_type: 'int', constraints: [{ type: 'check' }] }] }], /check constraint on 'id' has no expression/],
      [
        'a foreign key to an unknown model',
        [{ name: 'm', config: enforced, columns: [{ name: 'id', data_type: 'int', constraints: [{ type: 'foreign_key', to: "ref('nope')", to_columns: ['id'] }] }] }],
        /refs 'nope', which does not exist/,
      ],
    ];
    for (const [title, models, message] of cases) {
      it(title, async () => {
        const project = makeProject({ 'models/m.yml': modelsFile(models), 'models/m.sql': '{{config materialized="table"}}\nselect 1 as id' }, backend);
        const result = await expectRun(project, 2, 'run');
        expect(result.stdout + result.stderr).toMatch(message);
      });
    }
  });
});
