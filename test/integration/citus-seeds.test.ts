import { describe, expect, it } from 'vitest';
import { createCitusSql } from '../../src/adapters/citus/citus-sql.js';
import { jsonSeedTableStatements } from '../../src/loaders/json-loader.js';
import { JSON_SEED_COLUMNS, JSON_SEED_REJECTS_COLUMNS } from '../../src/loaders/json-seed-table.js';
import { snapshotTables } from '../../src/runner/snapshot-runner.js';
import { DIALECT_FIXTURES } from '../helpers/backends.js';
import { makeProject, spawnCli, type TestProject } from '../helpers/project.js';

const citusSql = createCitusSql({ shardCount: 8 });
const byFile = { kind: 'hash', column: '_file', shardCount: 4 } as const;

// The SQL each Citus path of seeds and snapshots emits, always checked (the cluster tests below only where one runs).
describe("Citus's SQL for seeds and snapshots", () => {
  it('creates a CSV seed empty and distributed, for COPY to fill', () => {
    expect(citusSql.createTable('"s"."people__tmp"', '"user_id" integer, "name" text', { distribution: { kind: 'hash', column: 'user_id' } })).toEqual([
      'create table "s"."people__tmp" ("user_id" integer, "name" text)',
      `select create_distributed_table('"s"."people__tmp"', 'user_id', shard_count => 8)`,
    ]);
  });

  it("creates a JSON seed's table and its rejects table colocated with it, each distributed only when new", () => {
    const statements = jsonSeedTableStatements(citusSql, { data: '"s"."clicks"', rejects: '"s"."clicks__rejects"' }, byFile);
    expect(statements).toEqual([
      `create table if not exists "s"."clicks" (${JSON_SEED_COLUMNS})`,
      `select create_distributed_table('"s"."clicks"', '_file', shard_count => 4)\nwhere not exists (select from pg_dist_partition where logicalrelid = '"s"."clicks"'::regclass)`,
      `create table if not exists "s"."clicks__rejects" (${JSON_SEED_REJECTS_COLUMNS})`,
      `select create_distributed_table('"s"."clicks__rejects"', '_file', colocate_with => '"s"."clicks"')\nwhere not exists (select from pg_dist_partition where logicalrelid = '"s"."clicks__rejects"'::regclass)`,
    ]);
    expect(jsonSeedTableStatements(citusSql, { data: '"s"."c"', rejects: '"s"."r"' }, { kind: 'reference' }).filter((sql) => sql.startsWith('select'))).toEqual([
      `select create_reference_table('"s"."c"')\nwhere not exists (select from pg_dist_partition where logicalrelid = '"s"."c"'::regclass)`,
      `select create_reference_table('"s"."r"')\nwhere not exists (select from pg_dist_partition where logicalrelid = '"s"."r"'::regclass)`,
    ]);
  });

  it('stages a snapshot beside it: colocated with the snapshot, or, on its first run, the snapshot colocated with the staging', () => {
    const byUser = { kind: 'hash', column: 'user_id', colocateWith: 'none', shardCount: 4 } as const;
    const later = snapshotTables(byUser, '"s"."snap"', '"s"."snap__stage"', true);
    expect(citusSql.createTableAs('"s"."snap__stage"', 'select 1', later.staging)).toEqual([
      'create table "s"."snap__stage" as (\nselect 1\n) with no data',
      `select create_distributed_table('"s"."snap__stage"', 'user_id', colocate_with => '"s"."snap"')`,
      'insert into "s"."snap__stage"\nselect * from (\nselect 1\n) as model',
    ]);
    expect(later.snapshot).toBeUndefined();
    const first = snapshotTables(byUser, '"s"."snap"', '"s"."snap__stage"', false);
    expect(citusSql.createTableAs('"s"."snap__stage"', 'select 1', first.staging)[1]).toBe(`select create_distributed_table('"s"."snap__stage"', 'user_id', colocate_with => 'none', shard_count => 4)`);
    expect(citusSql.createTableAs('"s"."snap"', 'select 1', first.snapshot!)[1]).toBe(`select create_distributed_table('"s"."snap"', 'user_id', colocate_with => '"s"."snap__stage"')`);
    expect(snapshotTables({ kind: 'reference' }, '"s"."snap"', '"s"."snap__stage"', true).staging).toEqual({ distribution: { kind: 'reference' } });
    // Without a distribution, a temporary staging table, as on one node.
    expect(snapshotTables(undefined, '"s"."snap"', '"snap__stage"', false)).toEqual({ staging: { temporary: true }, snapshot: {} });
  });
});

// A seed's distribution configs in its property file may depend on the target and on vars; parsing needs no server.
describe("a seed's distribution configs for one target", () => {
  it('are rendered with target and var: set where the condition holds, unset where the value renders empty', async () => {
    const project = makeProject({
      'seeds/people.csv': 'user_id\n1\n',
      'seeds/kinds.csv': 'kind\na\n',
      'seeds/people.yml': `version: 2
seeds:
  - name: people
    config:
      distribution_column: "{{#if (eq target.type 'citus')}}user_id{{/if}}"
      post_hook: "select '{{this}}'"
  - name: kinds
    config:
      distribution: "{{#if (var 'spread' false)}}reference{{/if}}"
`,
    });
    const output = (type: string) => `    ${type}: {type: ${type}, host: 127.0.0.1, port: 1, user: postgres, dbname: unused, schema: public}\n`;
    project.write('profiles.yml', `test:\n  target: citus\n  outputs:\n${output('citus')}${output('postgres')}`);
    const configs = async (...args: string[]) => {
      const listed = await project.run('ls', '--profiles-dir', project.dir, '--resource-type', 'seed', '--output', 'json', ...args);
      expect(listed.code, listed.stderr).toBe(0);
      return Object.fromEntries(
        listed.stdout.split('\n').map((line) => {
          const { name, config } = JSON.parse(line) as { name: string; config: Record<string, unknown> };
          return [name, { distribution: config.distribution, distribution_column: config.distribution_column, post_hook: config.post_hook }];
        }),
      );
    };
    // Hooks keep their templates for when they run.
    const hook = ["select '{{this}}'"];
    expect(await configs('--target', 'citus', '--vars', '{spread: true}')).toEqual({
      people: { distribution_column: 'user_id', post_hook: hook },
      kinds: { distribution: 'reference' },
    });
    expect(await configs('--target', 'postgres')).toEqual({ people: { post_hook: hook }, kinds: {} });

    project.write('seeds/people.yml', `version: 2\nseeds:\n  - name: people\n    config:\n      distribution: "{{var 'placement'}}"\n`);
    const unset = await project.run('ls', '--profiles-dir', project.dir);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/seeds\.0\.config\.distribution: var 'placement' is not set/);
    expect(unset.stderr).toMatch(/seeds[\\/]people\.yml:5/);
  });
});

const citus = DIALECT_FIXTURES.citus;

/** Each table of the project's schemas Citus knows: how it is distributed, by what, in how many shards. */
const distributed = (project: TestProject) =>
  project.query<{ name: string; type: string; column: string; shards: number }>(
    "select table_name::text as name, citus_table_type as type, distribution_column as column, shard_count::int as shards from citus_tables where table_name::text ~ '^(analytics|tsdbt_meta)' order by 1",
  );

/** How many colocation groups the tables named are in. */
const colocationGroups = async (project: TestProject, tables: string[]) =>
  (await project.query<{ groups: number }>('select count(distinct colocation_id)::int as groups from citus_tables where table_name::text = any($1)', [tables]))[0]!.groups;

/** Placements of hash-distributed shards on the coordinator: none, when every row went to the workers. */
const onCoordinator = async (project: TestProject, table: string) =>
  (
    await project.query<{ n: number }>(
      `select count(*)::int as n from pg_dist_shard as s join pg_dist_placement as p using (shardid) where s.logicalrelid = $1::regclass and p.groupid = 0`,
      [table],
    )
  )[0]!.n;

// Seeds, snapshots, state tables, materialized views and stored failures on a Citus cluster; declared only where one is
// reachable (see citus.test.ts).
if (citus.unavailable === undefined) describe('seeds, snapshots and tsdbt tables on Citus [citus]', () => {
  const backend = citus.backendForFile();

  it('loads CSV and JSON seeds into distributed, colocated and reference tables, and reloads them so', async () => {
    const people = ['user_id,name', ...Array.from({ length: 100 }, (_, i) => `${i},p${i}`)].join('\n');
    // Two null markers: the file goes through a local staging table into the distributed one.
    const visits = ['user_id,day', ...Array.from({ length: 300 }, (_, i) => `${i % 100},${i === 7 ? 'NA' : `2024-01-${String((i % 28) + 1).padStart(2, '0')}`}`)].join('\n');
    const project = makeProject(
      {
        'seeds/people.csv': people,
        'seeds/visits.csv': visits,
        'seeds/countries.csv': 'code,name\nfr,France\nde,Germany\n',
        'seeds/clicks/a.ndjson': '{"u": 1}\n{"u": 2}\n[3]\n',
        'seeds/clicks/b.ndjson': '{"u": 4}\n',
        'seeds/seeds.yml': [
          'version: 2',
          'seeds:',
          '  - name: people',
          '    config: {distribution_column: user_id, shard_count: 4}',
          '  - name: visits',
          "    config: {distribution_column: user_id, colocate_with: people, null_values: ['', NA]}",
          '  - name: countries',
          '    config: {distribution: reference}',
          '  - name: clicks',
          "    config: {glob: 'clicks/*.ndjson', distribution_column: _file, shard_count: 2}",
        ].join('\n'),
        'models/visits_per_person.sql':
          '{{config materialized="table" distribution_column="user_id" colocate_with="people"}}\nselect p.user_id, count(*) as visits from {{ref "people"}} as p join {{ref "visits"}} as v using (user_id) group by p.user_id',
      },
      backend,
    );
    for (let run = 0; run < 2; run++) {
      const built = await project.run('build', '--full-refresh');
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
    }
    expect(await distributed(project)).toEqual([
      { name: 'analytics.clicks', type: 'distributed', column: '_file', shards: 2 },
      { name: 'analytics.clicks__rejects', type: 'distributed', column: '_file', shards: 2 },
      { name: 'analytics.countries', type: 'reference', column: '<none>', shards: 1 },
      { name: 'analytics.people', type: 'distributed', column: 'user_id', shards: 4 },
      { name: 'analytics.visits', type: 'distributed', column: 'user_id', shards: 4 },
      { name: 'analytics.visits_per_person', type: 'distributed', column: 'user_id', shards: 4 },
    ]);
    expect(await colocationGroups(project, ['analytics.people', 'analytics.visits', 'analytics.visits_per_person'])).toBe(1);
    // A seed colocated with another is loaded after it, as its child.
    const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { depends_on: { nodes: string[] } }> };
    expect(manifest.nodes['seed.test_project.visits']!.depends_on.nodes).toEqual(['seed.test_project.people']);
    expect(await colocationGroups(project, ['analytics.clicks', 'analytics.clicks__rejects'])).toBe(1);
    expect(await onCoordinator(project, 'analytics.people')).toBe(0);
    expect(await project.query('select count(*)::int as n, sum(visits)::int as visits from analytics.visits_per_person')).toEqual([{ n: 100, visits: 300 }]);
    expect(await project.query('select count(*)::int as n from analytics.visits where day is null')).toEqual([{ n: 1 }]);
    expect(await project.query("select count(*)::int as n from analytics.clicks where data ? 'u'")).toEqual([{ n: 3 }]);
    expect(await project.query('select _file as file, _record_no as record from analytics.clicks__rejects')).toEqual([{ file: 'seeds/clicks/a.ndjson', record: 3 }]);
    // The seed's table was created empty and distributed before COPY filled it.
    const statements = project.read('target/run/test_project/seeds/people.sql');
    expect(statements.indexOf('create_distributed_table')).toBeGreaterThan(statements.indexOf('create table'));
    expect(statements).toMatch(/create_distributed_table\('"analytics"\."people__tsdbt_tmp_[^']*', 'user_id', shard_count => 4\)/);
  });

  it('keeps the previous distributed seed when a reload fails, and swaps in a changed one distributed', async () => {
    const project = makeProject(
      {
        'seeds/people.csv': 'user_id,age\n1,30\n2,40\n',
        'seeds/people.yml': 'version: 2\nseeds:\n  - name: people\n    config: {distribution_column: user_id, shard_count: 2}\n',
        'models/adults.sql': 'select user_id from {{ref "people"}} where age >= 18',
      },
      backend,
    );
    expect((await project.run('build')).code).toBe(0);
    project.write('seeds/people.yml', 'version: 2\nseeds:\n  - name: people\n    config: {distribution_column: user_id, shard_count: 2, column_types: {age: smallint}}\n');
    project.write('seeds/people.csv', 'user_id,age\n1,30\n2,40\n3,99999\n');
    const failed = await project.run('seed');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/smallint/);
    expect(await project.query('select user_id, age from analytics.people order by 1')).toEqual([
      { user_id: 1, age: 30 },
      { user_id: 2, age: 40 },
    ]);
    project.write('seeds/people.csv', 'user_id,age\n1,30\n2,40\n3,17\n');
    const reloaded = await project.run('seed');
    expect(reloaded.stderr).toBe('');
    expect(reloaded.code).toBe(0);
    expect(await project.query('select count(*)::int as n from analytics.people')).toEqual([{ n: 3 }]);
    expect(await distributed(project)).toEqual([{ name: 'analytics.people', type: 'distributed', column: 'user_id', shards: 2 }]);
    // The view reading the seed followed it through the swap.
    expect(await project.query('select user_id from analytics.adults order by 1')).toEqual([{ user_id: 1 }, { user_id: 2 }]);
    // The same file with another distribution is loaded again, distributed anew.
    project.write('seeds/people.yml', 'version: 2\nseeds:\n  - name: people\n    config: {distribution: reference, column_types: {age: smallint}}\n');
    expect((await project.run('seed')).code).toBe(0);
    expect(await distributed(project)).toEqual([{ name: 'analytics.people', type: 'reference', column: '<none>', shards: 1 }]);
    expect(await project.query('select count(*)::int as n from analytics.adults')).toEqual([{ n: 2 }]);
  });

  it('commits a distributed folder seed batch by batch with its rows in the local state table: a failed batch leaves neither', async () => {
    const files: Record<string, string> = {
      'seeds/sink.yml': "version: 2\nseeds:\n  - name: pins\n    config: {glob: 'pins/*.ndjson', distribution_column: _file, shard_count: 4}\n",
      'seeds/pins/first.ndjson': '{"n": 1}\n',
    };
    const project = makeProject(files, backend);
    expect((await project.run('seed')).code).toBe(0);
    // A check the 551st new file breaks: the first batch of 500 files commits, the second fails whole.
    await project.query('alter table analytics.pins add constraint one_record check (_record_no = 1)');
    for (let i = 0; i < 600; i++) project.write(`seeds/pins/part-${String(i).padStart(4, '0')}.ndjson`, i === 550 ? '{"n": 1}\n{"n": 2}\n' : `{"n": ${i}}\n`);
    const failed = await project.run('seed');
    expect(failed.code).toBe(1);
    const landed = async () => ({
      rows: (await project.query<{ n: number }>('select count(*)::int as n from analytics.pins'))[0]!.n,
      recorded: (await project.query<{ n: number; records: number }>("select count(*)::int as n, sum(records)::int as records from tsdbt_meta.seed_files where relation = '\"analytics\".\"pins\"'"))[0],
    });
    expect(await landed()).toEqual({ rows: 501, recorded: { n: 501, records: 501 } });
    await project.query('alter table analytics.pins drop constraint one_record');
    const rerun = await project.run('seed');
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(await landed()).toEqual({ rows: 602, recorded: { n: 601, records: 602 } });
    // A changed file's rows are replaced: deleted from the shards and copied again, in its batch's transaction.
    project.write('seeds/pins/first.ndjson', '{"n": 1}\n{"n": 2}\n{"n": 3}\n');
    expect((await project.run('seed')).code).toBe(0);
    expect(await landed()).toEqual({ rows: 604, recorded: { n: 601, records: 604 } });
    // The state tables stay on the coordinator, local: only tsdbt reads them, and they commit with the shards' writes.
    expect((await distributed(project)).map((table) => table.name)).toEqual(['analytics.pins', 'analytics.pins__rejects']);
    expect(await project.query("select count(*)::int as n from pg_tables where schemaname = 'tsdbt_meta' and tablename = 'seed_files'")).toEqual([{ n: 1 }]);
  });

  it('a distributed folder seed killed mid-load and run again neither duplicates nor loses a record', async () => {
    const files: Record<string, string> = {
      'seeds/sink.yml': "version: 2\nseeds:\n  - name: clicks\n    config: {glob: 'clicks/*.ndjson', distribution_column: _record_no}\n",
    };
    for (let f = 0; f < 20; f++) {
      const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ f, i, pad: 'x'.repeat(200) }));
      files[`seeds/clicks/part-${String(f).padStart(3, '0')}.ndjson`] = `${lines.join('\n')}\n`;
    }
    const project = makeProject(files, backend);
    let killed = false;
    const interrupted = await spawnCli(['seed', '--project-dir', project.dir, '--profiles-dir', project.dir], { killAfterMs: 2500, onKill: () => (killed = true) });
    expect(killed || interrupted.code === 0, interrupted.stderr).toBe(true);
    const rerun = await project.run('seed');
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(await project.query('select count(*)::int as n, count(distinct (_file, _record_no))::int as distinct_rows from analytics.clicks')).toEqual([{ n: 50_000, distinct_rows: 50_000 }]);
  });

  it('records a distributed microbatch model with its batches in the local state table', async () => {
    const project = makeProject(
      {
        'models/events.sql':
          '{{config materialized="table" event_time="day" distribution_column="user_id" shard_count=2}}\n' +
          "select g % 5 as user_id, timestamp '2024-01-01' + (g % 3) * interval '1 day' as day from generate_series(1, 30) as g",
        'models/daily.sql':
          '{{config materialized="incremental" incremental_strategy="microbatch" event_time="day" batch_size="day" begin="2024-01-01" distribution_column="user_id" colocate_with="events"}}\n' +
          'select user_id, day from {{ref "events"}}',
      },
      backend,
    );
    process.env.TSDBT_NOW = '2024-01-03T12:00:00Z';
    try {
      for (let run = 0; run < 2; run++) {
        const built = await project.run('run');
        expect(built.stderr).toBe('');
        expect(built.code).toBe(0);
      }
    } finally {
      delete process.env.TSDBT_NOW;
    }
    expect(await project.query('select count(*)::int as n from analytics.daily')).toEqual([{ n: 30 }]);
    expect(await project.query("select count(*)::int as failed from tsdbt_meta.microbatches where status <> 'success'")).toEqual([{ failed: 0 }]);
    expect(await project.query('select count(*)::int as n from tsdbt_meta.microbatches')).not.toEqual([{ n: 0 }]);
    expect(await colocationGroups(project, ['analytics.events', 'analytics.daily'])).toBe(1);
  });

  it('snapshots into distributed and reference tables with the timestamp and check strategies and hard deletes', async () => {
    const project = makeProject(
      {
        'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n',
        'snapshots/by_time.sql':
          '{{config unique_key="user_id,id" strategy="timestamp" updated_at="updated_at" hard_deletes="invalidate" distribution_column="user_id" shard_count=4}}\nselect * from {{source "raw" "orders"}}\n',
        'snapshots/by_check.sql': '{{config unique_key="id" strategy="check" check_cols="status" distribution="reference"}}\nselect id, status from {{source "raw" "orders"}}\n',
      },
      backend,
    );
    await project.query('create schema raw');
    await project.query('create table raw.orders (user_id int, id int, status text, updated_at timestamp)');
    await project.query("select create_distributed_table('raw.orders', 'user_id')");
    await project.query("insert into raw.orders values (1, 1, 'open', '2024-01-01'), (2, 2, 'open', '2024-01-01'), (3, 3, 'open', '2024-01-01')");
    const first = await project.run('snapshot');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    await project.query("update raw.orders set status = 'paid', updated_at = '2024-01-02' where id = 1");
    await project.query('delete from raw.orders where id = 2');
    const second = await project.run('snapshot');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('[INSERT 1, UPDATE 2 in');
    expect(second.stdout).toContain('[INSERT 1, UPDATE 1 in');
    const versions = (relation: string) => project.query(`select id, status, dbt_valid_to is null as current from ${relation} order by id, dbt_valid_from`);
    expect(await versions('analytics.by_time')).toEqual([
      { id: 1, status: 'open', current: false },
      { id: 1, status: 'paid', current: true },
      { id: 2, status: 'open', current: false },
      { id: 3, status: 'open', current: true },
    ]);
    expect(await versions('analytics.by_check')).toEqual([
      { id: 1, status: 'open', current: false },
      { id: 1, status: 'paid', current: true },
      { id: 2, status: 'open', current: true },
      { id: 3, status: 'open', current: true },
    ]);
    // The staging tables are gone: only the snapshots are distributed.
    expect(await distributed(project)).toEqual([
      { name: 'analytics.by_check', type: 'reference', column: '<none>', shards: 1 },
      { name: 'analytics.by_time', type: 'distributed', column: 'user_id', shards: 4 },
    ]);
    const statements = project.read('target/run/test_project/snapshots/by_time.sql');
    expect(statements).toMatch(/create_distributed_table\('"analytics"\."by_time__tsdbt_snapshot_[^']*', 'user_id', colocate_with => '"analytics"\."by_time"'\)/);
    expect(statements).toMatch(/drop table "analytics"\."by_time__tsdbt_snapshot_[^"]*";\n$/);
    const third = await project.run('snapshot');
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('[INSERT 0, UPDATE 0 in');
  });

  it('builds a materialized view on the coordinator, stores failing rows in a local table, and runs unit tests', async () => {
    const project = makeProject(
      {
        'models/events.sql': '{{config materialized="table" distribution_column="user_id" shard_count=2}}\nselect g % 4 as user_id, g as v from generate_series(1, 40) as g',
        'models/per_user.sql': '{{config materialized="materialized_view"}}\nselect user_id, count(*) as n from {{ref "events"}} group by user_id',
        'models/schema.yml': [
          'version: 2',
          'models:',
          '  - name: events',
          '    columns:',
          '      - name: v',
          '        data_tests:',
          '          - accepted_range: {max_value: 35, config: {store_failures: true, severity: warn}}',
          'unit_tests:',
          '  - name: counts_per_user',
          '    model: per_user',
          '    given:',
          "      - input: ref('events')",
          '        rows: [{user_id: 1, v: 1}, {user_id: 1, v: 2}]',
          '    expect:',
          '      rows: [{user_id: 1, n: 2}]',
        ].join('\n'),
      },
      backend,
    );
    const built = await project.run('build');
    expect(built.stderr).toMatch(/Got 5 results, configured to warn if != ?0; failing rows in "analytics_test_failures"/);
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/PASS unit test per_user::counts_per_user/);
    expect(await project.query('select sum(n)::int as n from analytics.per_user')).toEqual([{ n: 40 }]);
    expect(await project.query('select count(*)::int as n from analytics_test_failures.accepted_range_events_v__35')).toEqual([{ n: 5 }]);
    expect((await distributed(project)).map((table) => table.name)).toEqual(['analytics.events']);
  });

  it('refuses, before anything runs, a distributed materialized view and a seed colocated with a model', async () => {
    const view = makeProject(
      {
        'models/events.sql': '{{config materialized="table"}}\nselect 1 as user_id',
        'models/per_user.sql': '{{config materialized="materialized_view" distribution_column="user_id"}}\nselect user_id from {{ref "events"}}',
      },
      backend,
    );
    const refused = await view.run('build');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/model 'per_user' is a materialized view with distribution 'hash'/);
    expect(refused.stderr).toMatch(/materialize it as a table/);
    expect(await view.query("select count(*)::int as n from information_schema.tables where table_schema = 'analytics'")).toEqual([{ n: 0 }]);

    const seed = makeProject(
      {
        'seeds/people.csv': 'user_id\n1\n',
        'seeds/people.yml': 'version: 2\nseeds:\n  - name: people\n    config: {distribution_column: user_id, colocate_with: events}\n',
        'models/events.sql': 'select 1 as user_id',
      },
      backend,
    );
    const colocated = await seed.run('seed');
    expect(colocated.code).toBe(2);
    expect(colocated.stderr).toMatch(/seed 'people' is colocated with 'events', which is not another seed/);
  });
});
