/**
 * `tsdbt janitor` and `tsdbt env ls|diff|drop` on state set up by hand: physical tables, VERSIONS rows and environment
 * views as a plan's apply would leave them (the plan's own end-to-end tests are in environments-plan tests).
 */
import { expect, it } from 'vitest';
import { openAdapter } from '../../src/adapters/registry.js';
import { postgresSqlDialect } from '../../src/adapters/postgres/postgres-sql-dialect.js';
import { createStateTableQueries, writeStateQueries } from '../../src/adapters/state-table.js';
import { ENVIRONMENT_VIEWS, VERSIONS } from '../../src/environments/state.js';
import { loadAndParse } from '../../src/parser/load-project.js';
import { lockTarget } from '../../src/runner/target-lock.js';
import { makeProject, spawnCli, type TestProject } from '../helpers/project.js';
import type { TestBackend } from '../helpers/backends.js';
import { describeBackends, describeServerBackends } from '../helpers/suite.js';

const PROJECT_FILE = 'name: test_project\nprofile: test\nvirtual_environments: true\n';
const MODELS = { 'models/orders.sql': 'select 1 as id', 'models/customers.sql': 'select 1 as id' };
const PHYSICAL = 'tsdbt_physical';

interface Version {
  fingerprint: string;
  /** The physical table's identifier (the fingerprint's own by default), or a view's with `reads`. */
  table?: string;
  /** A view version: the physical tables it reads. */
  reads?: string[];
  /** How long ago it was last used. */
  daysAgo: number;
  /** Recorded only: no relation is made. */
  missing?: true;
}

interface EnvironmentView {
  env: string;
  schema: string;
  name: string;
  fingerprint: string;
}

const physical = (identifier: string) => `"${PHYSICAL}"."${identifier}"`;
const tableOf = (version: Version) => version.table ?? `analytics__node__${version.fingerprint}`;

/** The relations, state rows and views a plan would have left. */
async function setUpState(project: TestProject, versions: Version[], views: EnvironmentView[]): Promise<void> {
  const run = async (queries: Array<{ sql: string; parameters: readonly unknown[] }>) => {
    for (const query of queries) await project.query(query.sql, [...query.parameters]);
  };
  await run([...createStateTableQueries(postgresSqlDialect, VERSIONS), ...createStateTableQueries(postgresSqlDialect, ENVIRONMENT_VIEWS)]);
  await project.query(`create schema if not exists ${PHYSICAL}`);
  const made = new Set<string>();
  for (const version of versions) {
    const table = tableOf(version);
    if (version.missing || made.has(table)) continue;
    made.add(table);
    await project.query(version.reads ? `create view ${physical(table)} as select * from ${physical(version.reads[0]!)}` : `create table ${physical(table)} as select 1 as id`);
  }
  await run(
    writeStateQueries(
      postgresSqlDialect,
      VERSIONS,
      versions.map((version) => ({
        relation: physical(tableOf(version)),
        fingerprint: version.fingerprint,
        unique_id: 'model.test_project.node',
        table_fingerprint: version.fingerprint,
        materialization: version.reads ? 'view' : 'table',
        logic: 'select 1 as id',
        compiled_sql: 'select 1 as id',
        columns: '["id"]',
        parents: '{}',
        depends_on: JSON.stringify((version.reads ?? []).map(physical)),
        event_time_start: null,
        event_time_end: null,
      })),
    ),
  );
  for (const version of versions) {
    await project.query(`update tsdbt_meta.versions set used_at = now() - make_interval(days => $1) where fingerprint = $2`, [version.daysAgo, version.fingerprint]);
  }
  for (const view of views) await pointView(project, view, tableOf(versions.find((version) => version.fingerprint === view.fingerprint)!));
}

async function pointView(project: TestProject, view: EnvironmentView, table: string): Promise<void> {
  await project.query(`create schema if not exists "${view.schema}"`);
  await project.query(`create or replace view "${view.schema}"."${view.name}" as select * from ${physical(table)}`);
  const [query] = writeStateQueries(postgresSqlDialect, ENVIRONMENT_VIEWS, [
    { relation: `"${view.schema}"."${view.name}"`, environment: view.env, unique_id: `model.test_project.${view.name}`, fingerprint: view.fingerprint },
  ]);
  await project.query(query!.sql, [...query!.parameters]);
}

const physicalRelations = async (project: TestProject) =>
  (await project.query<{ name: string }>(`select relname as name from pg_class where relnamespace = '${PHYSICAL}'::regnamespace and relkind in ('r', 'v', 'm') order by 1`)).map((row) => row.name);
const fingerprints = async (project: TestProject) =>
  (await project.query<{ fingerprint: string }>('select fingerprint from tsdbt_meta.versions order by 1')).map((row) => row.fingerprint);
const schemaExists = async (project: TestProject, schema: string) => (await project.query('select 1 from pg_namespace where nspname = $1', [schema])).length === 1;

function virtualProject(backend: TestBackend): TestProject {
  return makeProject({ 'tsdbt_project.yml': PROJECT_FILE, ...MODELS }, backend);
}

describeBackends('tsdbt janitor', (backend) => {
  it('drops expired unused tables and orphans, keeps used ones, what used views read and recent ones; --dry-run and --retention', async () => {
    const project = virtualProject(backend);
    await setUpState(
      project,
      [
        { fingerprint: 'used', daysAgo: 30 },
        { fingerprint: 'expired', daysAgo: 30 },
        { fingerprint: 'recent', daysAgo: 1 },
        { fingerprint: 'read', daysAgo: 30 },
        { fingerprint: 'viewver', daysAgo: 30, reads: ['analytics__node__read'] },
        { fingerprint: 'shared_old', table: 'analytics__node__shared', daysAgo: 30 },
        { fingerprint: 'shared_new', table: 'analytics__node__shared', daysAgo: 30 },
        { fingerprint: 'gone', daysAgo: 30, missing: true },
      ],
      [
        { env: 'prod', schema: 'analytics', name: 'orders', fingerprint: 'used' },
        { env: 'dev', schema: 'analytics__dev', name: 'orders', fingerprint: 'viewver' },
        { env: 'dev', schema: 'analytics__dev', name: 'customers', fingerprint: 'shared_new' },
      ],
    );
    await project.query(`create table ${physical('orphan')} as select 1 as id`);
    await project.query('create schema analytics__old');
    await project.query('create schema analytics__kept');
    await project.query('create table analytics__kept.notes (id int)');
    const before = await physicalRelations(project);

    const dry = await project.run('janitor', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Would drop ${physical('analytics__node__expired')}: last used`);
    expect(dry.stdout).toContain(`Would drop ${physical('orphan')}: no version records it, so no plan can reuse it`);
    expect(dry.stdout).toContain('Would drop schema analytics__old');
    expect(dry.stdout).toContain('Kept schema analytics__kept');
    expect(dry.stdout).toContain('Would drop 2 relations and 1 schema; kept 5 physical relations');
    expect(await physicalRelations(project)).toEqual(before);
    expect(await schemaExists(project, 'analytics__old')).toBe(true);
    expect(await fingerprints(project)).toContain('gone');

    const swept = await project.run('janitor');
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain('Dropped 2 relations and 1 schema; kept 5 physical relations');
    expect(await physicalRelations(project)).toEqual(['analytics__node__read', 'analytics__node__recent', 'analytics__node__shared', 'analytics__node__used', 'analytics__node__viewver']);
    expect(await fingerprints(project)).toEqual(['read', 'recent', 'shared_new', 'shared_old', 'used', 'viewver']);
    expect(await schemaExists(project, 'analytics__old')).toBe(false);
    expect(await schemaExists(project, 'analytics__kept')).toBe(true);
    expect(await project.query('select id from analytics__dev.orders')).toEqual([{ id: 1 }]);

    const shorter = await project.run('janitor', '--retention', '12h');
    expect(shorter.code, shorter.stderr).toBe(0);
    expect(shorter.stdout).toContain(`Dropped ${physical('analytics__node__recent')}`);
    expect(await physicalRelations(project)).not.toContain('analytics__node__recent');
    expect(await project.query('select id from analytics.orders')).toEqual([{ id: 1 }]);
    expect(await project.query('select id from analytics__dev.customers')).toEqual([{ id: 1 }]);

    expect((await project.run('janitor', '--retention', 'soon')).code).toBe(2);
  });

  it('keeps an unused table a view outside its state reads, and a project without virtual environments is told how to opt in', async () => {
    const project = virtualProject(backend);
    await setUpState(project, [{ fingerprint: 'old', daysAgo: 30 }], []);
    await project.query('create schema reports');
    await project.query(`create view reports.mine as select * from ${physical('analytics__node__old')}`);
    const swept = await project.run('janitor');
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain(`Kept ${physical('analytics__node__old')}, unused but read by "reports"."mine"`);
    expect(await physicalRelations(project)).toEqual(['analytics__node__old']);

    project.write('tsdbt_project.yml', 'name: test_project\nprofile: test\n');
    const refused = await project.run('janitor');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('tsdbt_project.yml');
    expect(refused.stderr).toContain('virtual_environments: true');
  });
});

describeBackends('tsdbt env', (backend) => {
  it('ls, diff and drop', async () => {
    const project = virtualProject(backend);
    await setUpState(
      project,
      [
        { fingerprint: 'o1', daysAgo: 0 },
        { fingerprint: 'o2', daysAgo: 0 },
        { fingerprint: 'c1', daysAgo: 0 },
        { fingerprint: 'x1', daysAgo: 0 },
      ],
      [
        { env: 'prod', schema: 'analytics', name: 'orders', fingerprint: 'o1' },
        { env: 'prod', schema: 'analytics', name: 'customers', fingerprint: 'c1' },
        { env: 'dev', schema: 'analytics__dev', name: 'orders', fingerprint: 'o2' },
        { env: 'dev', schema: 'analytics__dev', name: 'customers', fingerprint: 'c1' },
        { env: 'dev', schema: 'analytics__dev', name: 'extra', fingerprint: 'x1' },
        { env: 'qa', schema: 'analytics__qa', name: 'orders', fingerprint: 'o1' },
      ],
    );

    const ls = await project.run('env', 'ls');
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n').map((line) => line.replace(/last promoted .*/, 'last promoted T'))).toEqual([
      'prod (default): 2 views in analytics, last promoted T',
      'dev: 3 views in analytics__dev, last promoted T',
      'qa: 1 view in analytics__qa, last promoted T',
    ]);
    const lsJson = JSON.parse((await project.run('env', 'ls', '--output', 'json')).stdout) as Array<Record<string, unknown>>;
    expect(lsJson.map(({ name, default: isDefault, views, schemas }) => ({ name, isDefault, views, schemas }))).toEqual([
      { name: 'prod', isDefault: true, views: 2, schemas: ['analytics'] },
      { name: 'dev', isDefault: false, views: 3, schemas: ['analytics__dev'] },
      { name: 'qa', isDefault: false, views: 1, schemas: ['analytics__qa'] },
    ]);

    const diff = await project.run('env', 'diff', 'dev', 'prod');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toBe(
      [
        'Only in dev:',
        `  model.test_project.extra x1 (${physical('analytics__node__x1')})`,
        'On different versions:',
        '  model.test_project.orders',
        `    dev: o2 (${physical('analytics__node__o2')})`,
        `    prod: o1 (${physical('analytics__node__o1')})`,
      ].join('\n'),
    );
    expect(JSON.parse((await project.run('env', 'diff', 'qa', 'prod', '-o', 'json')).stdout)).toEqual({
      a: 'qa',
      b: 'prod',
      same: false,
      only_in_a: [],
      only_in_b: [{ unique_id: 'model.test_project.customers', fingerprint: 'c1', physical: physical('analytics__node__c1') }],
      different: [],
    });
    expect((await project.run('env', 'diff', 'prod', 'prod')).stdout).toBe('prod and prod are the same: every node on the same version');

    const unknown = await project.run('env', 'drop', 'deb');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the environments are dev, prod, qa');
    expect(unknown.stderr).toContain("did you mean 'dev'");
    expect((await project.run('env', 'diff', 'dev')).code).toBe(2);
    const refused = await project.run('env', 'drop', 'prod');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');

    await project.query('create table analytics__qa.notes (id int)');
    const dropped = await project.run('env', 'drop', 'dev');
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain('Dropped environment dev: 3 views, schema analytics__dev');
    expect(await schemaExists(project, 'analytics__dev')).toBe(false);
    const droppedQa = await project.run('env', 'drop', 'qa');
    expect(droppedQa.stdout).toContain('Kept schema analytics__qa: something else is in it');
    expect(await project.query('select id from analytics__qa.notes')).toEqual([]);
    expect((await project.run('env', 'ls')).stdout).toMatch(/^prod \(default\): 2 views in analytics, last promoted \S+$/);
    expect(await physicalRelations(project)).toHaveLength(4);

    const forced = await project.run('env', 'drop', 'prod', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await project.query("select table_name from information_schema.views where table_schema = 'analytics'")).toEqual([]);
    expect((await project.run('env', 'ls')).stdout).toBe('No environment has been promoted yet');
  });
});

describeServerBackends('tsdbt janitor racing a promotion', (backend) => {
  it('never drops a version that a promotion holding the writer lock makes used while the janitor waits', async () => {
    const project = virtualProject(backend);
    await setUpState(project, [{ fingerprint: 'current', daysAgo: 0 }], [{ env: 'prod', schema: 'analytics', name: 'orders', fingerprint: 'current' }]);
    const { resolved } = await loadAndParse({ projectDir: project.dir, profilesDir: project.dir, vars: {} });
    const { adapter } = await openAdapter(resolved.target);
    try {
      for (let round = 0; round < 4; round++) {
        // An old version, unused and expired, and a decoy the janitor must drop.
        const revived = `revived${round}`;
        await setUpState(project, [{ fingerprint: revived, daysAgo: 30 }, { fingerprint: `decoy${round}`, daysAgo: 30 }], []);
        const lock = await lockTarget(adapter, [PHYSICAL, 'analytics'], { command: 'plan', timeoutMs: 0 });
        let finished = false;
        const janitor = spawnCli(['janitor', '--lock-timeout', '60', '--project-dir', project.dir, '--profiles-dir', project.dir]).finally(() => (finished = true));
        // The janitor has read the state once without the lock (that version unused then): wait until it waits (a
        // janitor that did not wait has finished, and what follows fails).
        while (!finished && (await project.query("select 1 from pg_stat_activity where application_name like 'tsdbt janitor%'")).length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await adapter.transaction(async (connection) => {
          await connection.query(`create or replace view analytics.orders as select * from ${physical(`analytics__node__${revived}`)}`);
          const [query] = writeStateQueries(postgresSqlDialect, ENVIRONMENT_VIEWS, [
            { relation: '"analytics"."orders"', environment: 'prod', unique_id: 'model.test_project.orders', fingerprint: revived },
          ]);
          await connection.query(query!.sql, query!.parameters);
        });
        await lock.release();
        const swept = await janitor;
        expect(swept.code, swept.stderr).toBe(0);
        expect(swept.stdout).toContain(`Dropped ${physical(`analytics__node__decoy${round}`)}`);
        expect(swept.stdout).not.toContain(`analytics__node__${revived}"`);
        expect(await physicalRelations(project)).toContain(`analytics__node__${revived}`);
        expect(await project.query('select id from analytics.orders')).toEqual([{ id: 1 }]);
      }
    } finally {
      await adapter.close();
    }
  });
});
