import { describe, expect, it } from 'vitest';
import { makeProject, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

const RAW_SOURCES = `version: 2
sources:
  - name: raw
    tables:
      - name: orders
      - name: customers
`;

function results(project: TestProject): Record<string, { status: string; message: string; rows_affected: number | null }> {
  const parsed = JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string; message: string; rows_affected: number | null }> };
  return Object.fromEntries(parsed.results.map((r) => [r.unique_id, r]));
}

/** Every version, oldest first per key, with the dates as text so both backends compare alike. */
const versions = (relation: string, columns: string) =>
  `select ${columns}, dbt_valid_from::text as valid_from, dbt_valid_to::text as valid_to from ${relation} order by id, dbt_valid_from, dbt_valid_to nulls last`;

describeBackends('tsdbt snapshot', (backend) => {
  describe('timestamp strategy', () => {
    it('records new and changed rows, closes the old versions, and a run without change writes nothing', async () => {
      const project = makeProject(
        {
          'models/sources.yml': RAW_SOURCES,
          'snapshots/orders_snapshot.sql': '{{config unique_key="id" strategy="timestamp" updated_at="updated_at"}}\nselect id, status, updated_at from {{source "raw" "orders"}}\n',
        },
        backend,
      );
      await project.query('create schema raw');
      await project.query("create table raw.orders (id int, status text, updated_at timestamp)");
      await project.query("insert into raw.orders values (1, 'open', '2024-01-01'), (2, 'open', '2024-01-01')");

      const first = await project.run('snapshot');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/OK snapshot timestamp "analytics"\."orders_snapshot".*\[SNAPSHOT 2 in/);
      expect(await project.query(versions('analytics.orders_snapshot', 'id, status'))).toEqual([
        { id: 1, status: 'open', valid_from: '2024-01-01 00:00:00', valid_to: null },
        { id: 2, status: 'open', valid_from: '2024-01-01 00:00:00', valid_to: null },
      ]);
      expect(
        await project.query(
          "select count(*)::int as n from analytics.orders_snapshot where dbt_scd_id = md5(id::text || '|' || updated_at::text) and dbt_updated_at = updated_at",
        ),
      ).toEqual([{ n: 2 }]);

      await project.query("update raw.orders set status = 'paid', updated_at = '2024-01-02 10:00' where id = 1");
      await project.query("insert into raw.orders values (3, 'open', '2024-01-03')");
      // An older updated_at is no change: the timestamp strategy only moves forward.
      await project.query("update raw.orders set status = 'lost', updated_at = '2023-12-01' where id = 2");
      const second = await project.run('snapshot');
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('[INSERT 2, UPDATE 1 in');
      expect(results(project)['snapshot.test_project.orders_snapshot']).toMatchObject({ status: 'success', rows_affected: 3 });
      const afterChange = [
        { id: 1, status: 'open', valid_from: '2024-01-01 00:00:00', valid_to: '2024-01-02 10:00:00' },
        { id: 1, status: 'paid', valid_from: '2024-01-02 10:00:00', valid_to: null },
        { id: 2, status: 'open', valid_from: '2024-01-01 00:00:00', valid_to: null },
        { id: 3, status: 'open', valid_from: '2024-01-03 00:00:00', valid_to: null },
      ];
      expect(await project.query(versions('analytics.orders_snapshot', 'id, status'))).toEqual(afterChange);

      const everything = 'select * from analytics.orders_snapshot order by dbt_scd_id';
      const before = await project.query(everything);
      // Hard deletes are ignored by default: a vanished key keeps its current row.
      await project.query('delete from raw.orders where id = 3');
      const third = await project.run('snapshot');
      expect(third.code).toBe(0);
      expect(results(project)['snapshot.test_project.orders_snapshot']).toMatchObject({ message: 'INSERT 0, UPDATE 0', rows_affected: 0 });
      expect(await project.query(everything)).toEqual(before);
      expect(project.read('target/run/test_project/snapshots/orders_snapshot.sql')).toMatch(/create temporary table "orders_snapshot__tsdbt_snapshot_[0-9a-f]+" on commit drop/);
    });

    it('invalidates the current row of a vanished key, and gives a key that comes back a new current row', async () => {
      const project = makeProject(
        {
          'models/sources.yml': RAW_SOURCES,
          'snapshots/orders_snapshot.sql':
            '{{config unique_key="id" strategy="timestamp" updated_at="updated_at" invalidate_hard_deletes=true}}\nselect * from {{source "raw" "orders"}}\n',
        },
        backend,
      );
      await project.query('create schema raw');
      await project.query("create table raw.orders (id int, status text, updated_at timestamp)");
      await project.query("insert into raw.orders values (1, 'open', '2024-01-01'), (2, 'open', '2024-01-01')");
      expect((await project.run('snapshot')).code).toBe(0);

      await project.query('delete from raw.orders where id = 2');
      const deleted = await project.run('snapshot');
      expect(deleted.code).toBe(0);
      expect(results(project)['snapshot.test_project.orders_snapshot']!.message).toBe('INSERT 0, UPDATE 1');
      const [closed] = await project.query<{ id: number; valid_to: string; recent: boolean }>(
        "select id, dbt_valid_to::text as valid_to, dbt_valid_to > now()::timestamp - interval '1 hour' as recent from analytics.orders_snapshot where dbt_valid_to is not null",
      );
      expect(closed).toMatchObject({ id: 2, recent: true });

      await project.query("insert into raw.orders values (2, 'back', '2024-02-01')");
      expect((await project.run('snapshot')).code).toBe(0);
      expect(results(project)['snapshot.test_project.orders_snapshot']!.message).toBe('INSERT 1, UPDATE 0');
      expect(await project.query(versions('analytics.orders_snapshot', 'id, status'))).toEqual([
        { id: 1, status: 'open', valid_from: '2024-01-01 00:00:00', valid_to: null },
        { id: 2, status: 'open', valid_from: '2024-01-01 00:00:00', valid_to: closed!.valid_to },
        { id: 2, status: 'back', valid_from: '2024-02-01 00:00:00', valid_to: null },
      ]);
    });
  });

  describe('check strategy', () => {
    it('versions a row when a checked column changes, at the run time; "all" checks every column, new ones included', async () => {
      const project = makeProject(
        {
          'models/sources.yml': RAW_SOURCES,
          'snapshots/contact_history.sql': '{{config unique_key="id" strategy="check" check_cols="name, email"}}\nselect * from {{source "raw" "customers"}}\n',
          'snapshots/customer_history.sql': '{{config unique_key="id" strategy="check" check_cols="all"}}\nselect * from {{source "raw" "customers"}}\n',
          'tsdbt_project.yml': 'name: test_project\nprofile: test\nsnapshots:\n  +target_schema: history\n',
        },
        backend,
      );
      await project.query('create schema raw');
      await project.query("create table raw.customers (id int, name text, email text, tier text)");
      await project.query("insert into raw.customers values (1, 'Ada', 'ada@x', 'gold'), (2, 'Bob', null, 'free')");
      expect((await project.run('snapshot')).code).toBe(0);
      const [firstRun] = await project.query<{ first: string }>('select min(dbt_valid_from)::text as first from history.customer_history');

      await project.query("update raw.customers set tier = 'silver' where id = 1");
      await project.query("update raw.customers set email = 'bob@x' where id = 2");
      const second = await project.run('snapshot');
      expect(second.code).toBe(0);
      expect(results(project)['snapshot.test_project.contact_history']!.message).toBe('INSERT 1, UPDATE 1');
      expect(results(project)['snapshot.test_project.customer_history']!.message).toBe('INSERT 2, UPDATE 2');
      expect(await project.query('select id, email, tier, dbt_valid_to is null as current from history.contact_history order by id, dbt_valid_from')).toEqual([
        { id: 1, email: 'ada@x', tier: 'gold', current: true },
        { id: 2, email: null, tier: 'free', current: false },
        { id: 2, email: 'bob@x', tier: 'free', current: true },
      ]);
      expect(await project.query('select id, tier, dbt_valid_to is null as current from history.customer_history order by id, dbt_valid_from')).toEqual([
        { id: 1, tier: 'gold', current: false },
        { id: 1, tier: 'silver', current: true },
        { id: 2, tier: 'free', current: false },
        { id: 2, tier: 'free', current: true },
      ]);
      // One instant per run: the closed versions end when the new ones start, which is when they were recorded.
      const times = await project.query<{ closed: string; opened: string; updated: string }>(
        `select old.dbt_valid_to::text as closed, new.dbt_valid_from::text as opened, new.dbt_updated_at::text as updated
         from history.customer_history old join history.customer_history new on new.id = old.id and new.dbt_valid_to is null
         where old.dbt_valid_to is not null`,
      );
      expect(times).toHaveLength(2);
      expect(new Set(times.flatMap((t) => [t.closed, t.opened, t.updated])).size).toBe(1);
      expect(times[0]!.opened > firstRun!.first).toBe(true);

      await project.query("alter table raw.customers add column city text");
      await project.query("update raw.customers set city = 'Paris' where id = 1");
      expect((await project.run('snapshot')).code).toBe(0);
      expect(results(project)['snapshot.test_project.contact_history']!.message).toBe('INSERT 0, UPDATE 0');
      expect(results(project)['snapshot.test_project.customer_history']!.message).toBe('INSERT 1, UPDATE 1');
      expect(await project.query("select id, city from history.contact_history where city is not null or id = 1 order by dbt_valid_from")).toEqual([{ id: 1, city: null }]);
      expect(await project.query('select id, city from history.customer_history where dbt_valid_to is null order by id')).toEqual([
        { id: 1, city: 'Paris' },
        { id: 2, city: null },
      ]);
    });
  });

  it('joins and hashes on every column of a composite unique_key', async () => {
    const project = makeProject(
      {
        'models/stock.sql': 'select * from (values (1, \'eu\', 5), (1, \'us\', 7), (2, \'eu\', 1)) as t(id, region, qty)',
        'snapshots/stock_history.sql': '{{config strategy="check" check_cols="qty"}}\nselect * from {{ref "stock"}}\n',
        'snapshots/stock.yml': 'version: 2\nsnapshots:\n  - name: stock_history\n    description: stock per item and region\n    config:\n      unique_key: [id, region]\n',
      },
      backend,
    );
    expect((await project.run('build')).code).toBe(0);
    project.write('models/stock.sql', 'select * from (values (1, \'eu\', 5), (1, \'us\', 8), (2, \'eu\', 1)) as t(id, region, qty)');
    expect((await project.run('build')).code).toBe(0);
    expect(results(project)['snapshot.test_project.stock_history']!.message).toBe('INSERT 1, UPDATE 1');
    expect(await project.query('select id, region, qty, dbt_valid_to is null as current from analytics.stock_history order by id, region, dbt_valid_from')).toEqual([
      { id: 1, region: 'eu', qty: 5, current: true },
      { id: 1, region: 'us', qty: 7, current: false },
      { id: 1, region: 'us', qty: 8, current: true },
      { id: 2, region: 'eu', qty: 1, current: true },
    ]);
    expect(await project.query('select count(distinct dbt_scd_id)::int as ids, count(*)::int as n from analytics.stock_history')).toEqual([{ ids: 4, n: 4 }]);
    const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { description: string; config: { unique_key: unknown } }> };
    expect(manifest.nodes['snapshot.test_project.stock_history']).toMatchObject({ description: 'stock per item and region', config: { unique_key: ['id', 'region'] } });
  });

  it('declares snapshots in YAML from a source or a ref; ls, selection and the manifest know them', async () => {
    const project = makeProject(
      {
        'models/sources.yml': RAW_SOURCES,
        'models/open_orders.sql': "select id, status, updated_at from {{source \"raw\" \"orders\"}} where status <> 'void'",
        'snapshots/history.yml': [
          'version: 2',
          'snapshots:',
          '  - name: raw_orders_snapshot',
          "    relation: source('raw', 'orders')",
          '    description: every order as it was',
          '    columns: [{name: id, description: the order}]',
          '    config: {unique_key: id, strategy: timestamp, updated_at: updated_at, schema: snapshots}',
          '  - name: open_orders_snapshot',
          '    relation: {{ref "open_orders"}}',
          '    config: {unique_key: id, strategy: check, check_cols: [status]}',
        ].join('\n'),
      },
      backend,
    );
    await project.query('create schema raw');
    await project.query("create table raw.orders (id int, status text, updated_at timestamp)");
    await project.query("insert into raw.orders values (1, 'open', '2024-01-01'), (2, 'void', '2024-01-01')");

    expect((await project.run('ls', '--resource-type', 'snapshot', '--output', 'name')).stdout.split('\n').sort()).toEqual(['open_orders_snapshot', 'raw_orders_snapshot']);
    expect((await project.run('ls', '-s', '+open_orders_snapshot', '--output', 'name')).stdout.split('\n')).toEqual(['orders', 'open_orders', 'open_orders_snapshot']);
    expect((await project.run('ls', '-s', 'resource_type:snapshot', '--output', 'path')).stdout.split('\n')).toEqual(['snapshots/history.yml', 'snapshots/history.yml']);

    const built = await project.run('build');
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(await project.query('select id, status from analytics_snapshots.raw_orders_snapshot order by id')).toEqual([
      { id: 1, status: 'open' },
      { id: 2, status: 'void' },
    ]);
    expect(await project.query('select id, status from analytics.open_orders_snapshot')).toEqual([{ id: 1, status: 'open' }]);
    expect(project.read('target/compiled/test_project/snapshots/open_orders_snapshot.sql')).toBe('select * from "analytics"."open_orders"\n');

    const manifest = JSON.parse(project.read('target/manifest.json')) as {
      nodes: Record<string, { resource_type: string; depends_on: { nodes: string[] }; relation_name: string; description: string; columns: Record<string, unknown> }>;
    };
    expect(manifest.nodes['snapshot.test_project.raw_orders_snapshot']).toMatchObject({
      resource_type: 'snapshot',
      depends_on: { nodes: ['source.test_project.raw.orders'] },
      relation_name: '"analytics_snapshots"."raw_orders_snapshot"',
      description: 'every order as it was',
      columns: { id: { name: 'id', description: 'the order' } },
    });
    expect(manifest.nodes['snapshot.test_project.open_orders_snapshot']!.depends_on.nodes).toEqual(['model.test_project.open_orders']);

    const only = await project.run('snapshot', '-s', 'raw_orders_snapshot');
    expect(only.code).toBe(0);
    expect(Object.keys(results(project))).toEqual(['snapshot.test_project.raw_orders_snapshot']);
  });

  it('runs in build after the seed and model it reads, before the model that reads it; run leaves it alone', async () => {
    const project = makeProject(
      {
        'seeds/plans.csv': 'id,price,changed_at\n1,10,2024-01-01\n2,20,2024-01-01\n',
        'models/stg_plans.sql': 'select id, price, changed_at from {{ref "plans"}}',
        'snapshots/plan_prices.sql': '{{config unique_key="id" strategy="timestamp" updated_at="changed_at"}}\nselect * from {{ref "stg_plans"}}',
        'models/price_changes.sql': '{{config materialized="table"}}\nselect id, count(*)::int as versions from {{ref "plan_prices"}} group by id',
      },
      backend,
    );
    const first = await project.run('build');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.replace(/^.* START .*\n/gm, '')).toMatch(/1 of 4 OK seed[^\n]*\n[^\n]*2 of 4 OK sql view model[^\n]*\n[^\n]*3 of 4 OK snapshot timestamp[^\n]*\n[^\n]*4 of 4 OK sql table model/);
    expect(await project.query('select id, versions from analytics.price_changes order by id')).toEqual([
      { id: 1, versions: 1 },
      { id: 2, versions: 1 },
    ]);

    project.write('seeds/plans.csv', 'id,price,changed_at\n1,10,2024-01-01\n2,25,2024-03-01\n');
    const run = await project.run('run');
    expect(run.code).toBe(0);
    expect(Object.keys(results(project)).sort()).toEqual(['model.test_project.price_changes', 'model.test_project.stg_plans']);
    expect((await project.run('build')).code).toBe(0);
    expect(await project.query('select id, versions from analytics.price_changes order by id')).toEqual([
      { id: 1, versions: 1 },
      { id: 2, versions: 2 },
    ]);
  });

  describe('config errors', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      [
        'no unique_key',
        { 'snapshots/s.sql': '-- history\n{{config strategy="timestamp" updated_at="u"}}\nselect 1 as id, now() as u' },
        /^error: snapshots\/s\.sql:2: snapshot 's' needs a unique_key/,
      ],
      [
        'timestamp without updated_at',
        { 'snapshots/s.sql': '{{config unique_key="id" strategy="timestamp"}}\nselect 1 as id' },
        /^error: snapshots\/s\.sql:1: snapshot 's' uses the timestamp strategy and needs updated_at/,
      ],
      [
        'check without check_cols, config in a property file',
        { 'snapshots/s.sql': 'select 1 as id', 'snapshots/s.yml': 'version: 2\nsnapshots:\n  - name: s\n    config: {unique_key: id, strategy: check}\n' },
        /^error: snapshots\/s\.yml:3: snapshot 's' uses the check strategy and needs check_cols/,
      ],
      ['an unknown strategy', { 'snapshots/s.sql': '{{config unique_key="id" strategy="latest"}}\nselect 1 as id' }, /^error: snapshots\/s\.sql:1: invalid value at strategy/],
      ['no strategy', { 'snapshots/s.sql': '{{config unique_key="id"}}\nselect 1 as id' }, /^error: snapshots\/s\.sql:1: snapshot 's' needs a strategy/],
      [
        'a relation that is not ref or source',
        { 'snapshots/s.yml': "version: 2\nsnapshots:\n  - name: s\n    relation: raw.orders\n    config: {unique_key: id, strategy: check, check_cols: all}\n" },
        /^error: snapshots\/s\.yml:4:15: snapshot 's': relation 'raw\.orders' is neither/,
      ],
      [
        'a ref to nothing',
        { 'snapshots/s.yml': "version: 2\nsnapshots:\n  - name: s\n    relation: ref('orderz')\n    config: {unique_key: id, strategy: check, check_cols: all}\n", 'models/orders.sql': 'select 1 as id' },
        /^error: snapshots\/s\.yml:4:15: snapshot 's' refs 'orderz', which does not exist[\s\S]*did you mean 'orders'/,
      ],
      [
        'the name of a model',
        { 'models/orders.sql': 'select 1 as id', 'snapshots/orders.sql': '{{config unique_key="id" strategy="check" check_cols="all"}}\nselect 1 as id' },
        /^error: snapshots\/orders\.sql: snapshot 'orders' \(snapshots\/orders\.sql\) has the same name as model models\/orders\.sql/,
      ],
    ];
    for (const [what, files, message] of cases) {
      it(`exits 2 naming the file and line: ${what}`, async () => {
        const project = makeProject(files, backend);
        const result = await project.run('snapshot');
        expect(result.stderr).toMatch(message);
        expect(result.code).toBe(2);
      });
    }

    it('fails the node, naming the config key, when the query lacks a column the config names', async () => {
      const project = makeProject({ 'snapshots/s.sql': '{{config unique_key="id" strategy="timestamp" updated_at="updated"}}\nselect 1 as id, now() as updated_at' }, backend);
      const result = await project.run('snapshot');
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain("updated_at names column 'updated', which the snapshot's query does not have (it has id, updated_at)");
      expect(await project.query("select count(*)::int as n from pg_class where relname = 's'")).toEqual([{ n: 0 }]);
    });
  });
});
