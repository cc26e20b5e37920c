import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject } from '../helpers/project.js';

const relationKinds = `
  select n.nspname as schema, c.relname as name, c.relkind::text as kind
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname like 'analytics%' and c.relkind in ('r', 'v', 'm')
  order by 1, 2`;

describeBackends('tsdbt run', (backend) => {
  describe('materializations', () => {
    it('builds views, tables, ephemeral CTEs and materialized views in dependency order, and again idempotently', async () => {
      const project = makeProject(
        {
          'models/staging/stg_orders.sql': "select * from (values (1, 'paid', 10.5), (2, 'open', 3.0), (3, 'paid', 7.25)) as t(id, status, amount)",
          'models/staging/int_paid.sql': '{{config materialized="ephemeral"}}\nselect id, amount from {{ref "stg_orders"}} where status = \'paid\'',
          'models/marts/paid_orders.sql': '{{config materialized="table"}}\nwith extra as (select 1 as one)\nselect p.id, p.amount, extra.one from {{ref "int_paid"}} p cross join extra',
          'models/marts/paid_summary.sql': '{{config materialized="materialized_view" schema="analysis"}}\nselect count(*) as orders, sum(amount) as revenue from {{ref "paid_orders"}}',
        },
        backend,
      );
      const first = await project.run('run');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/OK .*"analytics"\."paid_orders".*\[SELECT 2 in/);
      expect(await project.query(relationKinds)).toEqual([
        { schema: 'analytics', name: 'paid_orders', kind: 'r' },
        { schema: 'analytics', name: 'stg_orders', kind: 'v' },
        { schema: 'analytics_analysis', name: 'paid_summary', kind: 'm' },
      ]);
      expect(await project.query('select orders::int as orders, revenue::text as revenue from analytics_analysis.paid_summary')).toEqual([
        { orders: 2, revenue: '17.75' },
      ]);

      const results = JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string; rows_affected: number | null }> };
      expect(results.results.map((r) => [r.unique_id, r.status]).sort()).toEqual([
        ['model.test_project.paid_orders', 'success'],
        ['model.test_project.paid_summary', 'success'],
        ['model.test_project.stg_orders', 'success'],
      ]);
      expect(results.results.find((r) => r.unique_id.endsWith('paid_orders'))!.rows_affected).toBe(2);
      const compiled = project.read('target/compiled/test_project/models/marts/paid_orders.sql');
      expect(compiled).toContain('with "__tsdbt__cte__int_paid" as (');
      expect(compiled).toContain('extra as (select 1 as one)');
      expect(project.read('target/run/test_project/models/marts/paid_orders.sql')).toMatch(/create table .*__tsdbt_tmp_/);

      const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { depends_on: { nodes: string[] } }>; child_map: Record<string, string[]> };
      expect(manifest.nodes['model.test_project.paid_orders']!.depends_on.nodes).toEqual(['model.test_project.int_paid']);
      expect(manifest.child_map['model.test_project.stg_orders']).toEqual(['model.test_project.int_paid']);

      const second = await project.run('run');
      expect(second.code).toBe(0);
      expect(await project.query(relationKinds)).toHaveLength(3);
      expect(await project.query('select count(*)::int as n from analytics.paid_orders')).toEqual([{ n: 2 }]);
    });

    it('leaves the old table untouched when its rebuild fails, and leaves no temporary relation behind', async () => {
      const project = makeProject({ 'models/totals.sql': '{{config materialized="table"}}\nselect 1 as id, 100 as total' }, backend);
      expect((await project.run('run')).code).toBe(0);
      project.write('models/totals.sql', '{{config materialized="table"}}\nselect 2 as id, 1 / (select 0) as total');
      const failed = await project.run('run');
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('division by zero');
      expect(await project.query('select id, total from analytics.totals')).toEqual([{ id: 1, total: 100 }]);
      expect(await project.query(relationKinds)).toEqual([{ schema: 'analytics', name: 'totals', kind: 'r' }]);
    });

    it('keeps views that read a rebuilt table, even unselected or made outside tsdbt; reports one that no longer fits', async () => {
      // Sharded by id on Citus: the views are on the distributed table, on the workers too.
      const orders = (query: string) => `{{config materialized="table" distribution_column="id"}}\n${query}`;
      const project = makeProject(
        {
          'models/orders.sql': orders('select 1 as id, 10 as amount'),
          'models/order_totals.sql': 'select sum(amount) as total from {{ref "orders"}}',
        },
        backend,
      );
      expect((await project.run('run')).code).toBe(0);
      await project.query('create view analytics.hand_made as select id, amount from analytics.order_totals, analytics.orders');
      project.write('models/orders.sql', orders('select 1 as id, 10 as amount union all select 2, 5'));
      const rebuilt = await project.run('run', '-s', 'orders');
      expect(rebuilt.stderr).toBe('');
      expect(rebuilt.code).toBe(0);
      expect(await project.query('select total::int as total from analytics.order_totals')).toEqual([{ total: 15 }]);
      expect(await project.query('select count(*)::int as n from analytics.hand_made')).toEqual([{ n: 2 }]);

      project.write('models/orders.sql', orders('select 1 as id, 10 as price'));
      const changed = await project.run('run', '-s', 'orders');
      expect(changed.code).toBe(0);
      expect(changed.stderr).toContain('"analytics"."order_totals", which read "analytics"."orders", could not be recreated');
      expect(await project.query(relationKinds)).toEqual([{ schema: 'analytics', name: 'orders', kind: 'r' }]);
    });

    it('replaces a view whose columns changed, and a view that becomes a table and back', async () => {
      const project = makeProject(
        {
          'models/base.sql': 'select 1 as a, 2 as b',
          'models/reader.sql': 'select a from {{ref "base"}}',
        },
        backend,
      );
      expect((await project.run('run')).code).toBe(0);
      project.write('models/base.sql', "select 'x' as a");
      expect((await project.run('run')).code).toBe(0);
      expect(await project.query('select a from analytics.reader')).toEqual([{ a: 'x' }]);
      project.write('models/base.sql', "{{config materialized=\"table\"}}\nselect 'y' as a");
      expect((await project.run('run')).code).toBe(0);
      project.write('models/base.sql', "select 'z' as a");
      expect((await project.run('run')).code).toBe(0);
      expect(await project.query(relationKinds)).toEqual([
        { schema: 'analytics', name: 'base', kind: 'v' },
        { schema: 'analytics', name: 'reader', kind: 'v' },
      ]);
      expect(await project.query('select a from analytics.reader')).toEqual([{ a: 'z' }]);
    });
  });

  it('skips the descendants of a failed node and finishes the independent branches; --fail-fast stops everything', async () => {
    const project = makeProject(
      {
        'models/broken.sql': 'select * from no_such_table',
        'models/after_broken.sql': 'select * from {{ref "broken"}}',
        'models/fine_a.sql': 'select 1 as x',
        'models/fine_b.sql': 'select x from {{ref "fine_a"}}',
      },
      backend,
    );
    const result = await project.run('run', '--threads', '1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('models/broken.sql:1:15: relation "no_such_table" does not exist');
    expect(result.stderr).toContain('compiled code at target/compiled/test_project/models/broken.sql:1:15');
    const statuses = Object.fromEntries(
      (JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string }> }).results.map((r) => [r.unique_id.split('.')[2], r.status]),
    );
    expect(statuses).toEqual({ broken: 'error', after_broken: 'skipped', fine_a: 'success', fine_b: 'success' });

    const fast = await project.run('run', '--threads', '1', '--fail-fast', '--select', 'broken+', 'fine_b');
    expect(fast.code).toBe(1);
    const fastStatuses = (JSON.parse(project.read('target/run_results.json')) as { results: Array<{ status: string }> }).results.map((r) => r.status);
    expect(fastStatuses.filter((s) => s === 'success')).toHaveLength(0);
    expect(fastStatuses).toContain('error');
  });

  it('quotes identifiers with spaces, capitals, quotes, reserved words and unicode', async () => {
    const project = makeProject(
      {
        'models/odd.sql': '{{config alias="Select \\"Me\\" Ünïcødé" schema="Weird Schema" materialized="table"}}\nselect 1 as "order", 2 as "Group By"',
        'models/reads_odd.sql': 'select "order" + "Group By" as total from {{ref "odd"}}',
      },
      backend,
    );
    const result = await project.run('run');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await project.query('select total from analytics.reads_odd')).toEqual([{ total: 3 }]);
    expect(await project.query(`select count(*)::int as n from "analytics_Weird Schema"."Select ""Me"" Ünïcødé"`)).toEqual([{ n: 1 }]);
  });

  it('uses a generate_schema_name macro, vars and target in templates', async () => {
    const project = makeProject(
      {
        'macros/generate_schema_name.sql': '{{#if custom_schema_name}}{{custom_schema_name}}{{else}}{{target.schema}}{{/if}}',
        'models/m.sql': "{{config schema=\"analysis\"}}\nselect {{var \"days\" 3}} as days, '{{target.name}}' as target, '{{this}}' as me",
      },
      backend,
    );
    const result = await project.run('run', '--vars', '{days: 7}');
    expect(result.code).toBe(0);
    expect(await project.query('select * from analysis.m')).toEqual([{ days: 7, target: 'dev', me: '"analysis"."m"' }]);
  });

  it('shows the first rows of a model or an inline query without building anything', async () => {
    const project = makeProject({ 'models/nums.sql': 'select n, n * n as square from generate_series(1, 10) as n' }, backend);
    const shown = await project.run('show', '--select', 'nums', '--limit', '3');
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n').slice(-6)).toEqual(['| n | square |', '| - | ------ |', '| 1 | 1      |', '| 2 | 4      |', '| 3 | 9      |', '(3 rows)']);
    expect((await project.run('run')).code).toBe(0);
    const inline = await project.run('show', '--inline', 'select sum(square) as total from {{ref "nums"}}');
    expect(inline.stdout).toContain('| 385   |');
  });
});

describe('embedded default', () => {
  it('uses PGlite in .tsdbt/pglite with schema public when there is no profile, and says so', async () => {
    const project = makeProject({ 'models/hello.sql': "select 'hello' as greeting" });
    cpSync(inject('pgliteTemplate'), join(project.dir, '.tsdbt/pglite'), { recursive: true });
    const result = await project.run('run');
    expect(result.stdout).toContain('No profile found');
    expect(result.code).toBe(0);
    expect(existsSync(join(project.dir, '.tsdbt/pglite/PG_VERSION'))).toBe(true);
    expect(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8')).toContain('"success"');
  });

  it('closes the database it opened while parsing when the parse fails: no lock is left, and the next run opens it', async () => {
    const project = makeProject({ 'models/hello.sql': '{{ref "missing"}}' });
    const failed = await project.run('build');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('missing');
    expect(existsSync(join(project.dir, '.tsdbt/pglite/tsdbt.lock'))).toBe(false);
    project.write('models/hello.sql', "select 'hello' as greeting");
    const fixed = await project.run('build', '--lock-timeout', '0');
    expect(fixed.code).toBe(0);
  });
});
