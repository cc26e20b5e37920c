/**
 * The example project on a Citus cluster (issue 18): built there and on one PostgreSQL server, every relation of its
 * four pipelines is the same; Citus's catalog shows the tables distributed, colocated and copied as the models
 * configure them (only on `type: citus`); and a SIGKILL mid-build leaves every table either as it was or as the next
 * complete build makes it. Those are declared only where a Citus coordinator (TSDBT_TEST_CITUS_URL) and PostgreSQL are
 * reachable; that the distributions are configured for Citus only is checked everywhere.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CITUS_URL, CitusTestDatabase, DIALECT_FIXTURES, postgresBackend, PostgresTestDatabase } from '../helpers/backends.js';
import { copyExampleProject, EXAMPLE_RUN_TIME_COLUMNS, EXAMPLE_SCHEMAS } from '../helpers/example-files.js';
import { makeExampleProject } from '../helpers/example-project.js';
import { expectKilled, expectOk, LEFTOVERS } from '../helpers/killed-run.js';
import { makeProject } from '../helpers/project.js';
import { differingRelations, snapshotRelations, type DatabaseSnapshot } from '../helpers/relation-snapshot.js';

/**
 * Where each model's and seed's table lives on Citus, as a model's `{{#if (eq target.type "citus")}}` config and a
 * seed's templated distribution configs in its property file say.
 */
const CONFIGURED = [
  { name: 'incremental.user_sessions', type: 'distributed', column: 'user_id' },
  { name: 'lookup.brands', type: 'reference', column: '<none>' },
  { name: 'lookup.dim_dates', type: 'reference', column: '<none>' },
  { name: 'lookup.dim_hours', type: 'reference', column: '<none>' },
  { name: 'lookup.timezone_regions', type: 'reference', column: '<none>' },
  { name: 'public.advocacy_programs', type: 'distributed', column: 'ambassador_id' },
  { name: 'public.ambassadors', type: 'distributed', column: 'ambassador_id' },
  { name: 'public.bluesky_posts', type: 'distributed', column: 'author' },
  { name: 'public.dim_users', type: 'distributed', column: 'user_id' },
  { name: 'public.fct_interactions', type: 'distributed', column: 'user_id' },
  { name: 'public.pinterest_geo', type: 'distributed', column: 'ind' },
  { name: 'public.pinterest_pins', type: 'distributed', column: 'ind' },
  { name: 'public.pinterest_users', type: 'distributed', column: 'ind' },
  { name: 'public.tasks_completed', type: 'distributed', column: 'ambassador_id' },
  { name: 'raw.user_metadata', type: 'distributed', column: 'user_id' },
];

/** Tables each pipeline joins on their distribution column: each set must share its shards' placement. */
const COLOCATED = [
  ['public.fct_interactions', 'incremental.user_sessions', 'public.dim_users', 'raw.user_metadata'],
  ['public.ambassadors', 'public.advocacy_programs', 'public.tasks_completed'],
  ['public.pinterest_pins', 'public.pinterest_geo', 'public.pinterest_users'],
];

const CITUS_TABLES = `
  select n.nspname || '.' || c.relname as name, t.citus_table_type as type, t.distribution_column as column,
         t.colocation_id::int as colocation, pg_relation_size(t.table_name)::int as coordinator_bytes
  from citus_tables as t
  join pg_class as c on c.oid = t.table_name
  join pg_namespace as n on n.oid = c.relnamespace
  order by 1`;

/** Shards of hash-distributed tables placed on the coordinator (group 0), which holds only reference copies. */
const SHARDS_ON_COORDINATOR = `
  select distinct s.table_name::text as name
  from citus_shards as s
  join pg_dist_node as node on node.nodename = s.nodename and node.nodeport = s.nodeport
  where s.citus_table_type = 'distributed' and node.groupid = 0`;

interface ListedModel {
  relation_name: string;
  config: { distribution?: string; distribution_column?: string };
}

// Parsing needs no server: declared everywhere, so the single-node builds are checked to get no distribution at all.
describe("the example project's distributions", () => {
  it('are set for a citus target only, where the models and seeds say (tsdbt ls)', async () => {
    const project = makeProject({});
    copyExampleProject(project.dir, 'test');
    const output = (type: string) => `    ${type}: {type: ${type}, host: 127.0.0.1, port: 1, user: postgres, dbname: unused, schema: public}\n`;
    project.write('profiles.yml', `test:\n  target: citus\n  outputs:\n${output('citus')}${output('postgres')}`);
    const distributions = async (target: string) => {
      const listed = await project.run('ls', '--target', target, '--profiles-dir', project.dir, '--resource-type', 'model', 'seed', '--output', 'json');
      expect(listed.code, listed.stderr).toBe(0);
      return listed.stdout
        .split('\n')
        .map((line) => JSON.parse(line) as ListedModel)
        .filter(({ config }) => config.distribution !== undefined || config.distribution_column !== undefined)
        .map(({ relation_name, config }) => ({
          name: relation_name.replace(/"/g, ''),
          type: config.distribution === 'reference' ? 'reference' : 'distributed',
          column: config.distribution_column ?? '<none>',
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    };
    expect(await distributions('citus')).toEqual(CONFIGURED);
    expect(await distributions('postgres')).toEqual([]);
  });
});

const citus = DIALECT_FIXTURES.citus;
const postgres = DIALECT_FIXTURES.postgres;

if (citus.unavailable === undefined && postgres.unavailable === undefined) {
  describe('the example project [citus]', () => {
    const citusDatabase = new CitusTestDatabase(CITUS_URL);
    const postgresDatabase = new PostgresTestDatabase();
    const onCitus = postgresBackend(citusDatabase, 'citus');
    const onPostgres = postgresBackend(postgresDatabase);
    beforeAll(() => Promise.all([citusDatabase.create(), postgresDatabase.create()]));
    beforeEach(() => Promise.all([citusDatabase.reset(), postgresDatabase.reset()]));
    afterAll(() => Promise.all([citusDatabase.drop(), postgresDatabase.drop()]));

    const snapshot = (database: PostgresTestDatabase): Promise<DatabaseSnapshot> => snapshotRelations(database.url().toString(), EXAMPLE_SCHEMAS, EXAMPLE_RUN_TIME_COLUMNS);

    it('builds every relation of the four pipelines as on PostgreSQL, with the configured tables distributed, colocated and copied', async () => {
      for (const backend of [onCitus, onPostgres]) {
        const build = await makeExampleProject(backend).run('build');
        expect(build.code, `${backend.name}: ${build.stdout}${build.stderr}`).toBe(0);
        // The banner names the engine the run uses.
        expect(build.stdout).toMatch(backend === onCitus ? /Running with Citus \S+ coordinator at / : /Running with PostgreSQL at /);
      }
      const [distributed, single] = await Promise.all([snapshot(citusDatabase), snapshot(postgresDatabase)]);
      expect(Object.keys(distributed).length).toBeGreaterThan(40);
      expect(differingRelations(distributed, single)).toEqual([]);

      const tables = await onCitus.query<{ name: string; type: string; column: string; colocation: number; coordinator_bytes: number }>('', CITUS_TABLES);
      expect(tables.map(({ name, type, column }) => ({ name, type, column }))).toEqual(CONFIGURED);
      for (const group of COLOCATED) expect(new Set(tables.filter((t) => group.includes(t.name)).map((t) => t.colocation)).size, group.join(', ')).toBe(1);
      // Created empty, then distributed, then filled: the coordinator's table of each holds no row of its own.
      expect(tables.filter((t) => t.coordinator_bytes > 0).map((t) => t.name)).toEqual([]);
      expect(await onCitus.query('', SHARDS_ON_COORDINATOR)).toEqual([]);
    });

    it('leaves every relation either as it was or as the next complete build makes it when a build is killed mid-fill of a distributed table', async () => {
      const project = makeExampleProject(onCitus);
      // tasks_completed sleeps as long as --vars nap says, while it fills its new distributed table.
      project.write('models/ambassadors/tasks_completed.sql', `${project.read('models/ambassadors/tasks_completed.sql')}\ncross join (select pg_sleep({{var "nap" 0}})) as nap\n`);
      await expectOk(project, 'build');
      const before = await snapshot(citusDatabase);
      // A new ambassador: the raw documents, the three ambassador tables and the analyses all change.
      const document = project.read('seeds/ambassadors/ambassador_000007.json').replace(/"user_id": "[^"]*"/, '"user_id": "u_killed_build"');
      project.write('seeds/ambassadors/ambassador_000200.json', document);

      await expectKilled(project, ['build', '--vars', '{nap: 8}'], /START sql table model "public"\."tasks_completed"/, 1500);
      const killed = await snapshot(citusDatabase);
      await expectOk(project, 'build');
      const after = await snapshot(citusDatabase);

      expect(killed['public.tasks_completed'], 'the table being filled when the build died').toEqual(before['public.tasks_completed']);
      expect(after['public.tasks_completed']).not.toEqual(before['public.tasks_completed']);
      const unchanged = (name: string) => JSON.stringify(killed[name]) === JSON.stringify(before[name]);
      const rebuilt = (name: string) => JSON.stringify(killed[name]) === JSON.stringify(after[name]);
      const neither = Object.keys({ ...before, ...after }).filter((name) => !unchanged(name) && !rebuilt(name));
      expect(neither, 'relations neither old nor new after the kill').toEqual([]);
      expect(await onCitus.query(project.dir, LEFTOVERS)).toEqual([]);
    });
  });

  describe('SIGKILL mid-build of distributed tables, then a re-run [citus]', () => {
    const backend = citus.backendForFile();

    it('a hash-distributed and a reference table being rebuilt keep their previous versions; the re-run swaps in the new ones', async () => {
      const napping = '{{ref "quick"}} cross join (select pg_sleep({{var "nap" 0}})) as nap';
      const project = makeProject(
        {
          'models/quick.sql': 'select 1 as id',
          'models/totals.sql': `{{config materialized="table" distribution_column="id" shard_count=4}}\nselect g as id, g * {{var "factor" 1}} as value from generate_series(1, 1000) as g cross join (select 1 from ${napping}) as slow`,
          'models/kinds.sql': `{{config materialized="table" distribution="reference"}}\nselect g as id, g * {{var "factor" 1}} as value from generate_series(1, 10) as g cross join (select 1 from ${napping}) as slow`,
        },
        backend,
      );
      const state = 'select (select sum(value)::int from analytics.totals) as totals, (select sum(value)::int from analytics.kinds) as kinds';
      await expectOk(project, 'run', '--vars', '{factor: 1}');
      await expectKilled(project, ['run', '--threads', '2', '--vars', '{factor: 2, nap: 6}'], /START .*"analytics"\."totals"/, 1500);
      expect(await project.query(state)).toEqual([{ totals: 500500, kinds: 55 }]);
      await expectOk(project, 'run', '--vars', '{factor: 2}');
      expect(await project.query(state)).toEqual([{ totals: 1001000, kinds: 110 }]);
      expect(await project.query(LEFTOVERS)).toEqual([]);
    });

    it('an incremental run into a colocated distributed table adds its increment exactly once', async () => {
      const project = makeProject(
        {
          'models/quick.sql': 'select 1 as id',
          'models/users.sql': '{{config materialized="table" distribution_column="user_id" shard_count=4}}\nselect g % 10 as user_id, g as seen from generate_series(1, 200) as g',
          'models/events.sql': `{{config materialized="incremental" incremental_strategy="delete+insert" unique_key=(list "user_id" "id") distribution_column="user_id" colocate_with="users"}}
select u.user_id, u.seen as id, u.seen * 10 as amount from {{ref "users"}} as u
cross join (select pg_sleep({{var "nap" 0}}) from {{ref "quick"}}) as nap
where u.seen <= {{var "upto" 100}}
{{#if (is_incremental)}}and u.seen > (select max(id) from {{this}}){{/if}}`,
        },
        backend,
      );
      await expectOk(project, 'run', '--vars', '{upto: 100}');
      await expectKilled(project, ['run', '--threads', '1', '--vars', '{upto: 150, nap: 6}'], /START .*"analytics"\."events"/, 1500);
      expect(await project.query('select count(*)::int as n, max(id)::int as last from analytics.events')).toEqual([{ n: 100, last: 100 }]);
      await expectOk(project, 'run', '--vars', '{upto: 150}');
      await expectOk(project, 'run', '--vars', '{upto: 150}');
      expect(await project.query('select count(*)::int as n, count(distinct id)::int as ids, sum(amount)::int as total from analytics.events')).toEqual([{ n: 150, ids: 150, total: 113250 }]);
      expect(await project.query(LEFTOVERS)).toEqual([]);
    });
  });
}
