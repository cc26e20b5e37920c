import { expect, it } from 'vitest';
import pg from 'pg';
import { describeBackends, describeServerBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { closePgliteQueries } from '../helpers/pglite-queries.js';
import { main } from '../../src/cli/main.js';
import type { Plan } from '../../src/environments/plan.js';

const PROJECT_FILE = 'name: test_project\nprofile: test\nvirtual_environments: true\nmodels:\n  +materialized: table\n';

/** Seed -> orders -> (by_region reads amount and region; ids reads id only) -> report reads by_region.total, region_count no column. */
const PIPELINE = {
  'tsdbt_project.yml': PROJECT_FILE,
  'seeds/orders_raw.csv': 'id,amount,region\n1,10,eu\n2,20,us\n3,30,eu\n',
  'models/orders.sql': 'select id, amount, region from {{ref "orders_raw"}}',
  'models/by_region.sql': 'select region, sum(amount) as total from {{ref "orders"}} group by region',
  'models/ids.sql': 'select id from {{ref "orders"}} where id > 0',
  'models/report.sql': 'select sum(total) as grand_total from {{ref "by_region"}}',
  'models/region_count.sql': 'select count(*) as regions from {{ref "by_region"}}',
  'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [unique]\n',
};

async function planOf(project: TestProject, env: string): Promise<Plan> {
  const result = await project.run('plan', env, '--output', 'json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Plan;
}

const byAction = (plan: Plan, action: string) => plan.nodes.filter((node) => node.action === action).map((node) => node.name).sort();

async function apply(project: TestProject, env: string, ...args: string[]): Promise<string> {
  const result = await project.run('plan', env, '--auto-apply', ...args);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return result.stdout;
}

/** The physical relations, by name, with their OIDs (a rebuilt table gets a new one). */
async function physical(project: TestProject): Promise<Record<string, number>> {
  const rows = await project.query<{ relname: string; oid: number }>(
    `select c.relname, c.oid::int as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'tsdbt_physical' and c.relkind in ('r', 'v', 'm', 'p') order by 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.relname, row.oid]));
}

describeBackends('virtual environments', (backend) => {
  it('dev starts from prod for free; a non-breaking change rebuilds one model, a breaking one exactly the readers of the column; promotion to prod computes nothing', async () => {
    const project = makeProject(PIPELINE, backend, 've_flow');
    await apply(project, 'prod');
    expect(await project.query('select region, total::int as total from ve_flow.by_region order by 1')).toEqual([
      { region: 'eu', total: 40 },
      { region: 'us', total: 20 },
    ]);

    // A new environment is made of the versions prod built: nothing to compute.
    const fresh = await planOf(project, 'dev');
    expect(byAction(fresh, 'build')).toEqual([]);
    await apply(project, 'dev');
    expect(await project.query('select count(*)::int as n from ve_flow__dev.orders')).toEqual([{ n: 3 }]);

    // Non-breaking: a column added; no downstream model reads it.
    project.write('models/orders.sql', 'select id, amount, region, amount * 2 as doubled from {{ref "orders_raw"}}');
    const added = await planOf(project, 'dev');
    expect(byAction(added, 'build')).toEqual(['orders']);
    const orders = added.nodes.find((node) => node.name === 'orders')!;
    expect(orders).toMatchObject({ change: 'directly modified', breaking: false, addedColumns: ['doubled'], changedColumns: [] });
    expect(orders.diff).toContain('+select id, amount, region, amount * 2 as doubled');
    expect(added.nodes.filter((node) => node.change === 'indirectly modified').map((node) => [node.name, node.action]).sort()).toEqual([
      ['by_region', 'reuse'],
      ['ids', 'reuse'],
      ['region_count', 'reuse'],
      ['report', 'reuse'],
    ]);
    await apply(project, 'dev');
    expect(await project.query('select doubled from ve_flow__dev.orders order by id')).toEqual([{ doubled: 20 }, { doubled: 40 }, { doubled: 60 }]);
    // show and compile read an environment's views with --env.
    const shown = await project.run('show', '--inline', 'select sum(doubled) as total from {{ref "orders"}}', '--env', 'dev');
    expect(shown.stdout, shown.stderr).toContain('120');
    expect((await project.run('compile', '--inline', 'select * from {{ref "orders"}}', '--env', 'dev')).stdout).toContain('"ve_flow__dev"."orders"');

    // Breaking: amount changes. by_region reads it (and report reads by_region.total); ids reads only id.
    project.write('models/orders.sql', 'select id, amount * 10 as amount, region, amount * 2 as doubled from {{ref "orders_raw"}}');
    const breaking = await planOf(project, 'dev');
    expect(breaking.nodes.find((node) => node.name === 'orders')).toMatchObject({ breaking: true, changedColumns: ['amount'] });
    expect(byAction(breaking, 'build')).toEqual(['by_region', 'orders', 'report']);
    expect(byAction(breaking, 'reuse')).toEqual(['ids', 'region_count']);
    await apply(project, 'dev');
    expect(await project.query('select total::int as total from ve_flow__dev.by_region order by region')).toEqual([{ total: 400 }, { total: 200 }]);
    // Prod still sees its own versions.
    expect(await project.query('select total::int as total from ve_flow.by_region order by region')).toEqual([{ total: 40 }, { total: 20 }]);

    // Promotion: every version exists; no relation is created or rebuilt.
    const before = await physical(project);
    const promotion = await planOf(project, 'prod');
    expect(byAction(promotion, 'build')).toEqual([]);
    await apply(project, 'prod');
    expect(await physical(project)).toEqual(before);
    for (const model of ['orders', 'by_region', 'ids', 'report', 'region_count']) {
      expect(await project.query(`select * from ve_flow.${model} except select * from ve_flow__dev.${model}`)).toEqual([]);
      expect(await project.query(`select * from ve_flow__dev.${model} except select * from ve_flow.${model}`)).toEqual([]);
    }
    expect(byAction(await planOf(project, 'prod'), 'keep')).toHaveLength(6);
  });

  it('a failing test of a new version stops the promotion; tests run on an environment views; a removed model loses its view', async () => {
    const project = makeProject(PIPELINE, backend, 've_tests');
    await apply(project, 'prod');
    await apply(project, 'dev');

    // A duplicate id: the unique test fails on the new version, and dev keeps pointing at the old one.
    project.write('models/orders.sql', 'select id, amount, region from {{ref "orders_raw"}} union all select 1, 1, \'eu\'');
    const failed = await project.run('plan', 'dev', '--auto-apply');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("environment 'dev' not promoted");
    expect(await project.query('select count(*)::int as n from ve_tests__dev.orders')).toEqual([{ n: 3 }]);
    // The manifest names the version dev still has, not the one that failed.
    const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { fingerprint?: string }> };
    const [devOrders] = await project.query<{ fingerprint: string }>("select fingerprint from tsdbt_meta.environment_views where environment = 'dev' and unique_id = 'model.test_project.orders'");
    expect(manifest.nodes['model.test_project.orders']?.fingerprint).toBe(devOrders!.fingerprint);

    // The same change in dev only, through run: the test fails on dev's view, not on prod's.
    const built = await project.run('run', '--env', 'dev');
    expect(built.code).toBe(0);
    expect((await project.run('test', '--env', 'dev')).code).toBe(1);
    expect((await project.run('test')).code).toBe(0);

    project.write('models/orders.sql', PIPELINE['models/orders.sql']);
    project.remove('models/ids.sql');
    const removal = await planOf(project, 'dev');
    expect(removal.removed.map((node) => node.uniqueId)).toEqual(['model.test_project.ids']);
    await apply(project, 'dev');
    expect(await project.query(`select table_name from information_schema.views where table_schema = 've_tests__dev' order by 1`)).toEqual([
      { table_name: 'by_region' },
      { table_name: 'orders' },
      { table_name: 'orders_raw' },
      { table_name: 'region_count' },
      { table_name: 'report' },
    ]);
  });

  it('--start/--end limit a dev backfill of a microbatch model; prod computes the complete version, and refuses the limits', async () => {
    const project = makeProject(
      {
        'tsdbt_project.yml': PROJECT_FILE,
        'models/events.sql': '{{config event_time="day"}}\n' + "select g as id, timestamp '2024-01-01' + (g % 4) * interval '1 day' as day from generate_series(1, 40) as g",
        'models/daily.sql':
          '{{config materialized="incremental" incremental_strategy="microbatch" event_time="day" batch_size="day" begin="2024-01-01"}}\nselect id, day from {{ref "events"}}',
      },
      backend,
      've_batches',
    );
    process.env.TSDBT_NOW = '2024-01-04T12:00:00Z';
    try {
      await apply(project, 'prod');
      expect(await project.query('select count(*)::int as n from ve_batches.daily')).toEqual([{ n: 40 }]);
      project.write('models/daily.sql', project.read('models/daily.sql').replace('select id, day', 'select id, day, id * 2 as twice'));

      const limited = JSON.parse((await project.run('plan', 'dev', '--start', '2024-01-03', '--output', 'json')).stdout) as Plan;
      expect(limited.nodes.find((node) => node.name === 'daily')).toMatchObject({ action: 'build', backfill: { kind: 'microbatch', start: '2024-01-03T00:00:00.000Z' } });
      await apply(project, 'dev', '--start', '2024-01-03');
      expect(await project.query('select count(*)::int as n from ve_batches__dev.daily')).toEqual([{ n: 20 }]);

      // Prod needs the whole range: the limited dev version is another version, and prod computes the complete one.
      const promotion = await planOf(project, 'prod');
      expect(byAction(promotion, 'build')).toEqual(['daily']);
      await apply(project, 'prod');
      expect(await project.query('select count(*)::int as n from ve_batches.daily where twice = id * 2')).toEqual([{ n: 40 }]);

      const refused = await project.run('plan', 'prod', '--start', '2024-01-03');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('development backfill');
    } finally {
      delete process.env.TSDBT_NOW;
    }
  });

  it("a snapshot's new version starts with its previous version's history; run refreshes it in place", async () => {
    const project = makeProject(
      {
        'tsdbt_project.yml': PROJECT_FILE,
        'models/sources.yml': 'version: 2\nsources:\n  - name: src\n    schema: ve_src\n    tables:\n      - name: orders\n',
        'snapshots/orders_history.sql': '{{config unique_key="id" strategy="check" check_cols="all"}}\nselect id, status from {{source "src" "orders"}}\n',
      },
      backend,
      've_snap',
    );
    await project.query('create schema ve_src');
    await project.query("create table ve_src.orders as select * from (values (1, 'new'), (2, 'new')) as t(id, status)");
    await apply(project, 'prod');
    await project.query("update ve_src.orders set status = 'shipped' where id = 1");
    expect((await project.run('snapshot')).code).toBe(0);
    const history = "select id, status from ve_snap.orders_history order by id, dbt_valid_from";
    expect(await project.query(history)).toEqual([
      { id: 1, status: 'new' },
      { id: 1, status: 'shipped' },
      { id: 2, status: 'new' },
    ]);

    project.write('snapshots/orders_history.sql', '{{config unique_key="id" strategy="check" check_cols="all"}}\nselect id, status, upper(status) as loud from {{source "src" "orders"}}\n');
    const changed = await project.run('plan', 'prod', '--auto-apply');
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    expect(changed.stdout).toContain("previous version's history: orders_history");
    const carried = await project.query<{ id: number; status: string; loud: string | null }>('select id, status, loud from ve_snap.orders_history order by id, dbt_valid_from');
    expect(carried.filter((row) => row.loud === null)).toEqual([
      { id: 1, status: 'new', loud: null },
      { id: 1, status: 'shipped', loud: null },
      { id: 2, status: 'new', loud: null },
    ]);
    expect(carried.filter((row) => row.loud !== null).map((row) => row.loud).sort()).toEqual(['NEW', 'SHIPPED']);
  });

  it('tsdbt plan asks before applying: no leaves the environment as it was, yes applies', async () => {
    const project = makeProject(PIPELINE, backend, 've_ask');
    await apply(project, 'prod');
    project.write('models/ids.sql', 'select id, 1 as one from {{ref "orders"}}');
    const asked: string[] = [];
    const planAnswering = async (answer: string) => {
      await closePgliteQueries();
      const out: string[] = [];
      const io = { stdout: (line: string) => out.push(line), stderr: (line: string) => out.push(line), colors: false, ask: async (question: string) => (asked.push(question), answer) };
      return { code: await main(['plan', 'prod', '--project-dir', project.dir, '--profiles-dir', project.dir], io), output: out.join('\n') };
    };
    const declined = await planAnswering('n');
    expect(declined.code).toBe(0);
    expect(declined.output).toContain('Not applied');
    expect(await project.query(`select column_name from information_schema.columns where table_schema = 've_ask' and table_name = 'ids' order by 1`)).toEqual([{ column_name: 'id' }]);
    const accepted = await planAnswering('y');
    expect(accepted.code, accepted.output).toBe(0);
    expect(asked).toEqual(["Apply this plan to environment 'prod'? [y/N] ", "Apply this plan to environment 'prod'? [y/N] "]);
    expect(await project.query(`select column_name from information_schema.columns where table_schema = 've_ask' and table_name = 'ids' order by 1`)).toEqual([{ column_name: 'id' }, { column_name: 'one' }]);
  });

  it('--env without virtual_environments is a usage error', async () => {
    const project = makeProject({ 'models/one.sql': 'select 1 as id' }, backend, 've_off');
    const result = await project.run('run', '--env', 'dev');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('virtual_environments');
  });
});

describeServerBackends('virtual environment promotion', (backend) => {
  it('a reader in a concurrent transaction sees every view of the environment old, or every one new', async () => {
    const project = makeProject(PIPELINE, backend, 've_atomic');
    await apply(project, 'prod');
    project.write('models/orders.sql', 'select id, amount * 10 as amount, region from {{ref "orders_raw"}}');
    await apply(project, 'dev');

    const reader = new pg.Client({ connectionString: backend.databaseUrl });
    await reader.connect();
    try {
      await reader.query('begin isolation level repeatable read');
      const first = await reader.query('select sum(amount)::int as total from ve_atomic.orders');
      // Promotion starts while the reader is between its two reads; it must wait for the reader or see it through.
      const promoting = project.run('plan', 'prod', '--auto-apply', '--lock-timeout', '60');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const second = await reader.query('select sum(total)::int as total from ve_atomic.by_region');
      await reader.query('commit');
      expect([first.rows[0].total, second.rows[0].total]).toEqual([60, 60]);
      const promoted = await promoting;
      expect(promoted.code, promoted.stderr).toBe(0);
      await reader.query('begin');
      const after = await reader.query('select (select sum(amount) from ve_atomic.orders)::int as a, (select sum(total) from ve_atomic.by_region)::int as b');
      await reader.query('commit');
      expect(after.rows[0]).toEqual({ a: 600, b: 600 });
    } finally {
      await reader.end();
    }
  });

  it('the janitor with no retention, raced against plans that promote versions it could drop, never drops a table an environment points to', async () => {
    const project = makeProject(PIPELINE, backend, 've_race');
    await apply(project, 'prod');
    const versions = [PIPELINE['models/orders.sql'], 'select id, amount * 10 as amount, region from {{ref "orders_raw"}}'];
    let dropped = 0;
    for (let round = 0; round < 6; round += 1) {
      // Each plan promotes the other version of orders (and what reads it), leaving the one it replaces unused.
      project.write('models/orders.sql', versions[(round + 1) % 2]!);
      const [planned, swept] = await Promise.all([
        project.run('plan', 'prod', '--auto-apply', '--lock-timeout', '120'),
        project.run('janitor', '--retention', '0', '--lock-timeout', '120'),
      ]);
      expect(planned.code, planned.stdout + planned.stderr).toBe(0);
      expect(swept.code, swept.stdout + swept.stderr).toBe(0);
      dropped += Number(/^Dropped (\d+) relation/m.exec(swept.stdout)?.[1] ?? 0);
      for (const model of ['orders', 'by_region', 'ids', 'report', 'region_count', 'orders_raw']) {
        expect((await project.query<{ n: number }>(`select count(*)::int as n from ve_race.${model}`))[0]!.n, `round ${round}: ${model}`).toBeGreaterThan(0);
      }
      const total = round % 2 === 0 ? 600 : 60;
      expect(await project.query('select sum(amount)::int as total from ve_race.orders')).toEqual([{ total }]);
    }
    // The janitor did drop what the plans left unused: it raced them, it did not just stand aside.
    expect(dropped).toBeGreaterThan(0);
  });
});
