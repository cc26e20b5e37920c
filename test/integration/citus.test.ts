import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCitusSql } from '../../src/adapters/citus/citus-sql.js';
import { postgresSql } from '../../src/adapters/postgres/postgres-sql.js';
import { mergeStaging } from '../../src/materializations/incremental/strategies.js';
import { DIALECT_FIXTURES } from '../helpers/backends.js';
import { makeProject, type TestProject } from '../helpers/project.js';

const citusSql = createCitusSql({ shardCount: 8 });
const byUser = { kind: 'hash', column: 'user_id' } as const;

// Citus's spelling of a table with a distribution: created empty, distributed, then filled, so no row lands on the coordinator.
describe("Citus's dialect SQL", () => {
  it('creates a hash-distributed table from a query empty, distributes it with the profile shard count, then fills it', () => {
    expect(citusSql.createTableAs('"s"."t"', 'select 1 as user_id', { distribution: byUser })).toEqual([
      'create table "s"."t" as (\nselect 1 as user_id\n) with no data',
      `select create_distributed_table('"s"."t"', 'user_id', shard_count => 8)`,
      'insert into "s"."t"\nselect * from (\nselect 1 as user_id\n) as model',
    ]);
  });

  it("colocates with another table (taking its shard count), or with none, or in the model's own shard count", () => {
    const [, colocated] = citusSql.createTableAs('"s"."t"', 'select 1', { distribution: { ...byUser, colocateWith: '"s"."events"', shardCount: 4 } });
    expect(colocated).toBe(`select create_distributed_table('"s"."t"', 'user_id', colocate_with => '"s"."events"')`);
    const [, alone] = citusSql.createTableAs('"s"."t"', 'select 1', { distribution: { ...byUser, colocateWith: 'none' } });
    expect(alone).toBe(`select create_distributed_table('"s"."t"', 'user_id', colocate_with => 'none', shard_count => 8)`);
    const [, ownCount] = createCitusSql({}).createTableAs('"s"."t"', 'select 1', { distribution: { ...byUser, shardCount: 4 } });
    expect(ownCount).toBe(`select create_distributed_table('"s"."t"', 'user_id', shard_count => 4)`);
    const [, citusDefault] = createCitusSql({}).createTableAs('"s"."t"', 'select 1', { distribution: byUser });
    expect(citusDefault).toBe(`select create_distributed_table('"s"."t"', 'user_id')`);
  });

  it('creates reference tables, and empty distributed tables without the insert', () => {
    expect(citusSql.createTableAs('"s"."t"', 'select 1', { distribution: { kind: 'reference' }, withData: false })).toEqual([
      'create table "s"."t" as (\nselect 1\n) with no data',
      `select create_reference_table('"s"."t"')`,
    ]);
  });

  it('distributes tables of declared columns, one that may exist only if it is not distributed yet', () => {
    expect(citusSql.createTable('"s"."t"', '"user_id" int', { distribution: byUser })).toEqual([
      'create table "s"."t" ("user_id" int)',
      `select create_distributed_table('"s"."t"', 'user_id', shard_count => 8)`,
    ]);
    expect(citusSql.createTable('"s"."t"', '"a" int', { distribution: { kind: 'reference' }, ifNotExists: true })).toEqual([
      'create table if not exists "s"."t" ("a" int)',
      `select create_reference_table('"s"."t"')\nwhere not exists (select from pg_dist_partition where logicalrelid = '"s"."t"'::regclass)`,
    ]);
  });

  it("keeps temporary tables and tables without a distribution local, as PostgreSQL's", () => {
    expect(citusSql.createTableAs('"t"', 'select 1', { temporary: true, distribution: byUser })).toEqual(postgresSql.createTableAs('"t"', 'select 1', { temporary: true }));
    expect(citusSql.createTableAs('"s"."t"', 'select 1', {})).toEqual(postgresSql.createTableAs('"s"."t"', 'select 1', {}));
    expect(citusSql.createTable('"t"', '"a" int', { temporary: true, distribution: byUser })).toEqual(postgresSql.createTable('"t"', '"a" int', { temporary: true }));
  });

  it("ignores a distribution on PostgreSQL's", () => {
    expect(postgresSql.createTableAs('"s"."t"', 'select 1', { distribution: byUser })).toEqual(postgresSql.createTableAs('"s"."t"', 'select 1', {}));
  });
});

// The statements of an incremental run that are Citus's own; the upsert and MERGE themselves are PostgreSQL's.
describe("Citus's SQL for incremental merges", () => {
  const target = { relation: '"s"."t"', schema: 's', identifier: 't__tsdbt_merge_1' };
  const source = '(\nselect 1 as user_id, 2 as n\n) as DBT_INTERNAL_SOURCE';

  it('stages the increment of a hash-distributed target in a table colocated with it, distributed before it is filled', () => {
    expect(mergeStaging(citusSql, { ...target, distribution: byUser }, source, ['user_id', 'n'])).toEqual({
      relation: '"s"."t__tsdbt_merge_1"',
      statements: [
        `create table "s"."t__tsdbt_merge_1" as (\nselect "user_id", "n" from ${source}\n) with no data`,
        `select create_distributed_table('"s"."t__tsdbt_merge_1"', 'user_id', colocate_with => '"s"."t"')`,
        `insert into "s"."t__tsdbt_merge_1"\nselect * from (\nselect "user_id", "n" from ${source}\n) as model`,
      ],
    });
  });

  it('stages the increment of a local target in a session table on the coordinator', () => {
    expect(mergeStaging(citusSql, target, source, ['user_id'])).toEqual({
      relation: '"t__tsdbt_merge_1"',
      statements: [`create temporary table "t__tsdbt_merge_1" on commit drop as (\nselect "user_id" from ${source}\n)`],
    });
  });
});

const citus = DIALECT_FIXTURES.citus;

// What only a Citus target does: the rest of the integration suite runs on it through describeBackends.
// Declared only where a cluster is reachable: without one (CI here) global setup says once that the Citus half did not
// run, and no test is counted as skipped.
if (citus.unavailable === undefined) describe('distributed tables [citus]', () => {
  const backend = citus.backendForFile();

  it('creates tables distributed, colocated and as reference tables as configured, and keeps them so when rebuilt', async () => {
    const project = makeProject(
      {
        'models/events.sql': '{{config materialized="table" distribution_column="user_id" shard_count=4}}\nselect g % 10 as user_id, g as v from generate_series(1, 1000) as g',
        'models/per_user.sql': '{{config materialized="table" distribution_column="user_id" colocate_with="events"}}\nselect user_id, sum(v) as total from {{ref "events"}} group by user_id',
        'models/kinds.sql': '{{config materialized="table" distribution="reference"}}\nselect 1 as id, \'a\' as name',
        'models/upserts.sql':
          '{{config materialized="incremental" distribution_column="user_id" colocate_with="events" unique_key="user_id" incremental_strategy="merge"}}\nselect user_id, count(*) as n from {{ref "events"}} group by user_id',
        'models/local_one.sql': '{{config materialized="table"}}\nselect 1 as one',
      },
      backend,
    );
    for (let run = 0; run < 2; run++) {
      const result = await project.run('run');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(
      await project.query(
        "select table_name::text as name, citus_table_type as type, distribution_column as column, shard_count::int as shards from citus_tables where table_name::text like 'analytics.%' order by 1",
      ),
    ).toEqual([
      { name: 'analytics.events', type: 'distributed', column: 'user_id', shards: 4 },
      { name: 'analytics.kinds', type: 'reference', column: '<none>', shards: 1 },
      { name: 'analytics.per_user', type: 'distributed', column: 'user_id', shards: 4 },
      { name: 'analytics.upserts', type: 'distributed', column: 'user_id', shards: 4 },
    ]);
    const [colocations] = await project.query<{ groups: number }>(
      "select count(distinct colocation_id)::int as groups from citus_tables where table_name::text in ('analytics.events', 'analytics.per_user', 'analytics.upserts')",
    );
    expect(colocations).toEqual({ groups: 1 });
    expect(await project.query('select sum(total)::int as total from analytics.per_user')).toEqual([{ total: 500500 }]);
    expect(await project.query('select sum(n)::int as n from analytics.upserts')).toEqual([{ n: 1000 }]);
  });
  /** A project reading raw.events (a coordinator table the test fills) through `events`, hash-distributed by user_id. */
  async function eventsProject(models: Record<string, string>) {
    const project = makeProject(
      {
        'models/events.sql': '{{config materialized="table" distribution_column="user_id" shard_count=4 event_time="at"}}\nselect * from raw.events',
        ...models,
      },
      backend,
    );
    await project.query('create schema raw');
    await project.query('create table raw.events (id int, user_id int, kind text, amount int, at timestamptz)');
    return project;
  }

  async function addEvents(project: TestProject, from: number, to: number) {
    await project.query(
      "insert into raw.events select g, g % 5, 'k' || (g % 3), g, '2024-01-01'::timestamptz + (g % 4) * interval '1 day' from generate_series($1::int, $2::int) as g",
      [from, to],
    );
  }

  async function expectOk(project: TestProject, ...args: string[]) {
    const result = await project.run(...args);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return result;
  }

  const perUser = 'select user_id, sum(amount)::int as total, count(*)::int as n from {{ref "events"}} group by user_id';

  /** A TypeScript model returning perUser's rows, merged on user_id into a table distributed by it. */
  const rowsModel = (extraConfig: string) => `export const config = { materialized: 'incremental', incremental_strategy: 'merge', unique_key: 'user_id', distribution_column: 'user_id', column_types: { user_id: 'integer', total: 'integer', n: 'integer' }${extraConfig} };
export default async ({ db, ref }: any) => {
  const rows = await db.selectFrom(ref('events')).select(['user_id', (eb: any) => eb.fn.sum('amount').as('total'), (eb: any) => eb.fn.countAll().as('n')]).groupBy('user_id').execute();
  return rows.map((row: any) => ({ user_id: row.user_id, total: Number(row.total), n: Number(row.n) }));
};
`;

  it('folds increments into hash-distributed, reference and local tables with each strategy, and keeps them placed as configured', async () => {
    const project = await eventsProject({
      'models/appended.sql': `{{config materialized="incremental" distribution_column="user_id" colocate_with="events"}}
select id, user_id, amount from {{ref "events"}}{{#if (is_incremental)}} where id > (select max(id) from {{this}}){{/if}}`,
      'models/replaced.sql': `{{config materialized="incremental" incremental_strategy="delete+insert" unique_key=(list "user_id") distribution_column="user_id" colocate_with="events"}}\n${perUser}`,
      'models/upserted.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="user_id" distribution_column="user_id" colocate_with="events"}}\n${perUser}`,
      'models/merged.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="user_id" incremental_predicates=(list "DBT_INTERNAL_DEST.n >= 0") distribution_column="user_id" colocate_with="events"}}\n${perUser}`,
      'models/kinds.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="kind" distribution="reference"}}
select kind, count(*)::int as n from {{ref "events"}} group by kind`,
      'models/kinds_replaced.sql': `{{config materialized="incremental" incremental_strategy="delete+insert" unique_key="kind" distribution="reference"}}
select kind, count(*)::int as n from {{ref "events"}} group by kind`,
      'models/local_merged.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="user_id" incremental_predicates=(list "DBT_INTERNAL_DEST.n >= 0")}}\n${perUser}`,
      // Rows, staged in a session table on the coordinator: upserted from it, or merged through a colocated copy.
      'models/rows_upserted.ts': rowsModel(''),
      'models/rows_merged.ts': rowsModel(`, incremental_predicates: ['DBT_INTERNAL_DEST.n >= 0']`),
    });
    await addEvents(project, 1, 100);
    await expectOk(project, 'run');
    await addEvents(project, 101, 150);
    await expectOk(project, 'run');

    const expectedPerUser = await project.query('select user_id, sum(amount)::int as total, count(*)::int as n from raw.events group by 1 order by 1');
    for (const model of ['replaced', 'upserted', 'merged', 'local_merged', 'rows_upserted', 'rows_merged']) {
      expect(await project.query(`select user_id, total::int as total, n::int as n from analytics.${model} order by 1`), model).toEqual(expectedPerUser);
    }
    expect(await project.query('select count(*)::int as n, count(distinct id)::int as ids from analytics.appended')).toEqual([{ n: 150, ids: 150 }]);
    const expectedKinds = await project.query('select kind, count(*)::int as n from raw.events group by 1 order by 1');
    expect(await project.query('select kind, n from analytics.kinds order by 1')).toEqual(expectedKinds);
    expect(await project.query('select kind, n from analytics.kinds_replaced order by 1')).toEqual(expectedKinds);

    // ON CONFLICT on a unique index tsdbt gave the table (on its key, which holds the distribution column).
    const upserted = project.read('target/run/test_project/models/upserted.sql');
    expect(upserted).toMatch(/create unique index "upserted__idx_\w+" on "analytics"\."upserted" using "btree" \("user_id"\)/);
    expect(upserted).toMatch(/on conflict \("user_id"\) do update set "total" = excluded\."total", "n" = excluded\."n"/);
    expect(project.read('target/run/test_project/models/kinds.sql')).toMatch(/on conflict \("kind"\) do update set "n" = excluded\."n"/);
    // incremental_predicates need MERGE: from a staging table colocated with the target, dropped in the same transaction.
    const merged = project.read('target/run/test_project/models/merged.sql');
    expect(merged).toMatch(/select create_distributed_table\('"analytics"\."merged__tsdbt_merge_\w+"', 'user_id', colocate_with => '"analytics"\."merged"'\)/);
    expect(merged).toMatch(/merge into "analytics"\."merged" as DBT_INTERNAL_DEST\nusing "analytics"\."merged__tsdbt_merge_\w+" as DBT_INTERNAL_SOURCE/);
    // Into a local table, MERGE reads a session table: a query over distributed tables cannot be its source.
    expect(project.read('target/run/test_project/models/local_merged.sql')).toMatch(/create temporary table "local_merged__tsdbt_merge_\w+" on commit drop/);
    expect(await project.query("select relname from pg_class where strpos(relname, '__tsdbt_') > 0")).toEqual([]);

    expect(
      await project.query("select table_name::text as name, citus_table_type as type, distribution_column as column from citus_tables where table_name::text like 'analytics.%' order by 1"),
    ).toEqual([
      { name: 'analytics.appended', type: 'distributed', column: 'user_id' },
      { name: 'analytics.events', type: 'distributed', column: 'user_id' },
      { name: 'analytics.kinds', type: 'reference', column: '<none>' },
      { name: 'analytics.kinds_replaced', type: 'reference', column: '<none>' },
      { name: 'analytics.merged', type: 'distributed', column: 'user_id' },
      { name: 'analytics.replaced', type: 'distributed', column: 'user_id' },
      { name: 'analytics.rows_merged', type: 'distributed', column: 'user_id' },
      { name: 'analytics.rows_upserted', type: 'distributed', column: 'user_id' },
      { name: 'analytics.upserted', type: 'distributed', column: 'user_id' },
    ]);
  });

  it('builds microbatches into a distributed table, each batch replacing its own range', async () => {
    process.env.TSDBT_NOW = '2024-01-04T12:00:00Z';
    try {
      const project = await eventsProject({
        'models/daily.sql': `{{config materialized="incremental" incremental_strategy="microbatch" event_time="at" batch_size="day" begin="2024-01-01" lookback=1 distribution_column="user_id" colocate_with="events"}}
select user_id, at, sum(amount)::int as total from {{ref "events"}} group by user_id, at`,
      });
      await addEvents(project, 1, 40);
      expect((await expectOk(project, 'run')).stdout).toMatch(/4 batches/);
      await addEvents(project, 41, 80);
      expect((await expectOk(project, 'run')).stdout).toMatch(/2 batches/);
      const expected = await project.query("select user_id, at, sum(amount)::int as total from raw.events where at >= '2024-01-03' group by 1, 2 order by 1, 2");
      expect(await project.query("select user_id, at, total from analytics.daily where at >= '2024-01-03' order by 1, 2")).toEqual(expected);
      // The batches outside the lookback kept the first run's rows.
      expect(await project.query("select sum(total)::int as total from analytics.daily where at < '2024-01-03'")).toEqual(
        await project.query("select sum(amount)::int as total from raw.events where at < '2024-01-03' and id <= 40"),
      );
      expect(await project.query("select citus_table_type as type, colocation_id = (select colocation_id from citus_tables where table_name = 'analytics.events'::regclass) as colocated from citus_tables where table_name = 'analytics.daily'::regclass")).toEqual([
        { type: 'distributed', colocated: true },
      ]);
    } finally {
      delete process.env.TSDBT_NOW;
    }
  });

  it('adds and drops columns of a distributed table on schema change, but never drops its distribution column', async () => {
    const project = await eventsProject({
      'models/wide.sql': `{{config materialized="incremental" on_schema_change="sync_all_columns" distribution_column="user_id" colocate_with="events"}}
select id, user_id, amount from {{ref "events"}}{{#if (is_incremental)}} where id > (select max(id) from {{this}}){{/if}}`,
    });
    await addEvents(project, 1, 10);
    await expectOk(project, 'run');
    project.write('models/wide.sql', project.read('models/wide.sql').replace('select id, user_id, amount', 'select id, user_id, kind'));
    await addEvents(project, 11, 20);
    await expectOk(project, 'run');
    const columns = async () => (await project.query("select column_name from information_schema.columns where table_schema = 'analytics' and table_name = 'wide' order by ordinal_position")).map((row) => row.column_name);
    expect(await columns()).toEqual(['id', 'user_id', 'kind']);
    expect(await project.query('select count(kind)::int as kinds from analytics.wide')).toEqual([{ kinds: 10 }]);

    project.write('models/wide.sql', project.read('models/wide.sql').replace('select id, user_id, kind', 'select id, kind'));
    const failed = await project.run('run');
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(/on_schema_change sync_all_columns would drop "analytics"\."wide"'s distribution column 'user_id'/);
    expect(failed.stdout + failed.stderr).toMatch(/--full-refresh/);
    expect(await columns()).toEqual(['id', 'user_id', 'kind']);
  });

  it('refuses to upsert into a distributed table that already holds a unique_key twice, saying how to fix it', async () => {
    const project = await eventsProject({
      'models/doubled.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="user_id" distribution_column="user_id" colocate_with="events"}}
select user_id, amount from {{ref "events"}}`,
    });
    await addEvents(project, 1, 10);
    await expectOk(project, 'run');
    const failed = await project.run('run');
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(/merge on "analytics"\."doubled" upserts on a unique index on \(user_id\), which it cannot have: could not create unique index/);
    expect(failed.stdout + failed.stderr).toMatch(/make the model return each key once, then run with --full-refresh/);
  });

  it('writes increments into a table placed otherwise than its config says as it is, warning that --full-refresh re-creates it', async () => {
    const project = await eventsProject({
      'models/totals.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="user_id" incremental_predicates=(list "DBT_INTERNAL_DEST.n >= 0")}}\n${perUser}`,
    });
    await addEvents(project, 1, 20);
    await expectOk(project, 'run');
    project.write('models/totals.sql', project.read('models/totals.sql').replace('unique_key="user_id"', 'unique_key="user_id" distribution_column="user_id" colocate_with="events"'));
    await addEvents(project, 21, 40);
    const stale = await expectOk(project, 'run');
    expect(stale.stdout + stale.stderr).toMatch(/"analytics"\."totals" is a local table, but its config makes it distributed by user_id: .*--full-refresh/);
    const expected = await project.query('select user_id, sum(amount)::int as total, count(*)::int as n from raw.events group by 1 order by 1');
    expect(await project.query('select user_id, total::int as total, n::int as n from analytics.totals order by 1')).toEqual(expected);
    const placement = () => project.query("select citus_table_type as type from citus_tables where table_name = 'analytics.totals'::regclass");
    expect(await placement()).toEqual([]);

    await expectOk(project, 'run', '--full-refresh');
    expect(await placement()).toEqual([{ type: 'distributed' }]);
    const placed = await expectOk(project, 'run');
    expect(placed.stdout + placed.stderr).not.toMatch(/its config makes it/);
  });

  it('clone --copy places each copy as its config says: distributed, colocated, reference or local', async () => {
    const project = makeProject(
      {
        'models/events.sql': '{{config materialized="table" distribution_column="user_id"}}\nselect g % 10 as user_id, g as v from generate_series(1, 100) as g',
        'models/per_user.sql': '{{config materialized="table" distribution_column="user_id" colocate_with="events"}}\nselect user_id, sum(v) as total from {{ref "events"}} group by user_id',
        'models/kinds.sql': '{{config materialized="table" distribution="reference"}}\nselect 1 as id',
        'models/local_one.sql': '{{config materialized="table"}}\nselect 1 as one',
      },
      backend,
      'prod',
    );
    await expectOk(project, 'run');
    const state = join(project.dir, 'prod-target');
    cpSync(join(project.dir, 'target'), state, { recursive: true });
    project.write('profiles.yml', project.read('profiles.yml').replace('schema: prod', 'schema: dev'));
    await expectOk(project, 'clone', '--state', state, '--copy');
    expect(
      await project.query("select table_name::text as name, citus_table_type as type, distribution_column as column, colocation_id = (select colocation_id from citus_tables where table_name = 'dev.events'::regclass) as with_events from citus_tables where table_name::text like 'dev.%' order by 1"),
    ).toEqual([
      { name: 'dev.events', type: 'distributed', column: 'user_id', with_events: true },
      { name: 'dev.kinds', type: 'reference', column: '<none>', with_events: false },
      { name: 'dev.per_user', type: 'distributed', column: 'user_id', with_events: true },
    ]);
    expect(await project.query('select sum(total)::int as total from dev.per_user')).toEqual([{ total: 5050 }]);
    expect(await project.query('select one from dev.local_one')).toEqual([{ one: 1 }]);
  });

  it('runs a postgres target whose database has the citus extension with the citus dialect, and debug says why', async () => {
    const project = makeProject({ 'models/events.sql': '{{config materialized="table" distribution_column="user_id"}}\nselect 1 as user_id' }, backend);
    // A postgres profile has no shard_count (the Citus test profile's).
    project.write('profiles.yml', project.read('profiles.yml').replace('type: citus', 'type: postgres').replace(/\n *shard_count: \d+/, ''));
    const debug = await expectOk(project, 'debug');
    expect(debug.stdout).toMatch(/type: postgres/);
    expect(debug.stdout).toMatch(/dialect: citus \(the database has the citus extension \([\d.-]+\): running target type postgres with the citus dialect\)/);
    // The banner names the engine the run uses, not the target's type.
    expect((await expectOk(project, 'run')).stdout).toMatch(/Running with Citus [\d.-]+ coordinator at /);
    expect(await project.query("select citus_table_type as type from citus_tables where table_name = 'analytics.events'::regclass")).toEqual([{ type: 'distributed' }]);
  });
});
