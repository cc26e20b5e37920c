/**
 * Issue 10's guarantees around a run, each with a deterministic test: one writer per target (an advisory lock on
 * PostgreSQL, the lock file on PGlite), relations a killed run left are dropped, transient failures are retried, a
 * lost connection names the server and never hangs, the profile's statement_timeout applies, secrets stay secret.
 * (SIGINT and SIGTERM: cli.test.ts.) (Kills, server restarts and corrupted inputs: faults.test.ts and loader-faults.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_NAMESPACE, schemaLockKey } from '../../src/runner/target-lock.js';
import { postgresAvailable, postgresBackend, PostgresTestDatabase } from '../helpers/backends.js';
import { lockWaitSeconds, makeProject, spawnCli, type TestProject } from '../helpers/project.js';
import { describeBackends, describeServerBackends } from '../helpers/suite.js';

const cli = (project: TestProject, ...args: string[]) => [...args, '--project-dir', project.dir, '--profiles-dir', project.dir];

interface RunResultsFile {
  results: Array<{ unique_id: string; status: string; message: string }>;
}
const runResults = (project: TestProject): RunResultsFile => JSON.parse(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8')) as RunResultsFile;

/** Raises serialization_failure (40001) on its first call only: nextval is not rolled back with the failed attempt. */
const FLAKY_FUNCTION = `create schema if not exists analytics;
create sequence analytics.flaky_calls;
create function analytics.flaky() returns int language plpgsql as $$
begin
  if nextval('analytics.flaky_calls') = 1 then raise exception 'simulated conflict' using errcode = '40001'; end if;
  return 1;
end $$`;

describeBackends('reliability', (backend) => {
  it('drops the relations a killed run left under a temporary name, and nothing else', async () => {
    // Sharded on Citus (inert elsewhere): the run after the cleanup makes a distributed table.
    const project = makeProject({ 'models/orders.sql': '{{config materialized="table" distribution_column="id"}}\nselect 1 as id' }, backend);
    await project.query('create schema analytics');
    await project.query('create table analytics.orders__tsdbt_tmp_0badcafe (id int)');
    await project.query('create table analytics."a_long_name_cut_short_a1b2c3d4__tsdbt_backup_deadbeef" (id int)');
    await project.query('create table analytics.orders__tsdbt_tmp_notes (id int)');
    const result = await project.run('run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Dropped 2 relations an interrupted run left behind');
    const left = await project.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'analytics' order by 1");
    expect(left.map((r) => r.name)).toEqual(['orders', 'orders__tsdbt_tmp_notes']);
  });

  it('--retries tries a node again after a transient failure; without it the node fails', async () => {
    const project = makeProject({ 'models/flaky_model.sql': '{{config materialized="table"}}\nselect analytics.flaky() as ok' }, backend);
    for (const statement of FLAKY_FUNCTION.split(/;\n(?=create)/)) await project.query(statement);
    const failed = await project.run('run');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('simulated conflict');
    const retried = await project.run('run', '--retries', '2');
    expect(retried.code, retried.stdout).toBe(0);
    await project.query("select setval('analytics.flaky_calls', 1, false)");
    const again = await project.run('run', '--retries', '2');
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/flaky_model: simulated conflict; trying again in 1 s \(retry 1 of 2\)/);
    expect(await project.query('select ok from analytics.flaky_model')).toEqual([{ ok: 1 }]);
  });
});

// On Citus the writers are sessions of the coordinator, which holds the lock.
describeServerBackends('reliability of a server', (backend) => {
  /** A session holding the target's lock on schema `analytics`, as another tsdbt would. */
  async function holdLock(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: backend.databaseUrl, application_name: 'tsdbt build 4242@elsewhere' });
    await client.connect();
    await client.query('select pg_advisory_lock($1::int4, $2::int4)', [LOCK_NAMESPACE, schemaLockKey('analytics')]);
    return client;
  }

  it('a second writer waits for the target lock up to --lock-timeout, then fails naming the holder; read-only commands never wait', async () => {
    const project = makeProject({ 'models/orders.sql': 'select 1 as id' }, backend);
    const holder = await holdLock();
    try {
      const blocked = await spawnCli(cli(project, 'run', '--lock-timeout', '1'));
      expect(blocked.code).toBe(2);
      expect(blocked.stderr).toMatch(/another tsdbt is writing to .* \(schemas analytics\): tsdbt build 4242@elsewhere \(server pid \d+, connected since /);
      expect(lockWaitSeconds(blocked.stderr)).toBeGreaterThanOrEqual(1);
      expect(await backend.query(project.dir, "select count(*)::int as n from pg_tables where schemaname = 'analytics'")).toEqual([{ n: 0 }]);
      for (const command of [['compile'], ['ls'], ['show', '--inline', 'select 1 as one'], ['docs', 'generate']]) {
        const readOnly = await spawnCli(cli(project, ...command));
        expect(readOnly.code, `${command.join(' ')}: ${readOnly.stderr}`).toBe(0);
      }
      // Let go once the writer says it waits: however slow its start, it must have found the lock taken.
      let released = false;
      const waited = await spawnCli(cli(project, 'run', '--lock-timeout', '60'), {
        onStdout: (output) => {
          if (released || !output.includes('Waiting up to 60 s')) return;
          released = true;
          void holder.end();
        },
      });
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stdout).toMatch(/Waiting up to 60 s for another tsdbt writing to this target: tsdbt build 4242@elsewhere/);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it('two builds started at once on one target both finish, one after the other', async () => {
    // The model waits on an advisory lock the test holds until one build says it waits for the other: whichever
    // build gets the target first is still building when the other arrives, however slowly either starts.
    const gate = new pg.Client({ connectionString: backend.databaseUrl });
    await gate.connect();
    await gate.query('select pg_advisory_lock(4242)');
    try {
      const project = makeProject({ 'models/gated.sql': '{{config materialized="table"}}\nselect 1 as id from (select pg_advisory_xact_lock(4242)) as gate' }, backend);
      let opened = false;
      const openGate = (output: string) => {
        if (opened || !output.includes('Waiting up to 60 s')) return;
        opened = true;
        void gate.query('select pg_advisory_unlock(4242)');
      };
      const build = () => spawnCli(cli(project, 'build', '--lock-timeout', '60'), { onStdout: openGate });
      const [first, second] = await Promise.all([build(), build()]);
      expect([first.code, second.code], first.stderr + second.stderr).toEqual([0, 0]);
      expect([first.stdout, second.stdout].filter((out) => out.includes('Waiting up to 60 s'))).toHaveLength(1);
    } finally {
      await gate.end();
    }
  });

  it('a lost connection fails the node naming the server and what was building, and the run ends', async () => {
    const project = makeProject(
      {
        'models/victim.sql': '{{config materialized="table"}}\nselect pg_terminate_backend(pg_backend_pid()) as gone',
        'models/bystander.sql': 'select 1 as id',
      },
      backend,
    );
    const result = await spawnCli(cli(project, 'run', '--retries', '1'));
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/victim: .*terminat.*; trying again in 1 s \(retry 1 of 1\)/i);
    const victim = runResults(project).results.find((r) => r.unique_id.endsWith('.victim'))!;
    expect(victim.status).toBe('error');
    const server = new URL(backend.serverUrl!);
    // The server as the adapter describes it: a Citus coordinator names itself so.
    const engine = backend.name === 'citus' ? 'Citus [\\d.-]+ coordinator' : 'PostgreSQL';
    expect(victim.message).toMatch(new RegExp(`^lost the connection to ${engine} .*${server.hostname.replace(/\./g, '\\.')}:${server.port || 5432}.* while building victim: `));
    expect(runResults(project).results.find((r) => r.unique_id.endsWith('.bystander'))!.status).toBe('success');
  });

  it("honours the profile's statement_timeout", async () => {
    const project = makeProject({ 'models/sleepy.sql': '{{config materialized="table"}}\nselect 1 as id from pg_sleep(3)' }, backend);
    project.write('profiles.yml', `${project.read('profiles.yml')}      statement_timeout: 300\n`);
    const result = await spawnCli(cli(project, 'run'));
    expect(result.code).toBe(1);
    expect(runResults(project).results[0]!.message).toMatch(/statement timeout/);
  });
});

describe.skipIf(!postgresAvailable)('secrets [postgres]', () => {
  const database = new PostgresTestDatabase();
  const backend = postgresBackend(database);
  beforeAll(() => database.create());
  afterAll(() => database.drop());
  const SECRET = 'hunter2-not-for-logs';
  const env = { TSDBT_ENV_SECRET_PG_PASSWORD: SECRET };

  it('a secret env var reaches the connection from profiles.yml, and never a model, a property file, the output or the artifacts', async () => {
    const project = makeProject({ 'models/echo.sql': `select '${SECRET}'::int as boom` }, backend);
    // Trust authentication ignores the password: the connection works, and the value is a secret all the same.
    project.write('profiles.yml', project.read('profiles.yml').replace(/(\n\s+dbname:)/, "\n      password: \"{{env_var 'TSDBT_ENV_SECRET_PG_PASSWORD'}}\"$1"));
    const debug = await spawnCli(cli(project, 'debug'), { env });
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stdout + debug.stderr).not.toContain(SECRET);
    // The database's error quotes the value: masked in the output and in run_results.json.
    const run = await spawnCli(cli(project, 'run'), { env });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('invalid input syntax for type integer: "*****"');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8')).not.toContain(SECRET);

    project.write('models/echo.sql', "select '{{env_var \"TSDBT_ENV_SECRET_PG_PASSWORD\"}}' as leaked");
    const inModel = await spawnCli(cli(project, 'compile'), { env });
    expect(inModel.code).toBe(2);
    expect(inModel.stderr).toMatch(/models\/echo\.sql:1:\d+[\s\S]*'TSDBT_ENV_SECRET_PG_PASSWORD' is a secret: only profiles.yml may read it/);
    expect(inModel.stderr).not.toContain(SECRET);
    project.write('models/echo.sql', 'select 1 as id');
    project.write('models/schema.yml', "version: 2\nmodels:\n  - name: echo\n    description: \"{{env_var 'TSDBT_ENV_SECRET_PG_PASSWORD'}}\"\n");
    const inProperties = await spawnCli(cli(project, 'compile'), { env });
    expect(inProperties.code).toBe(2);
    expect(inProperties.stderr).toMatch(/models\/schema\.yml[\s\S]*is a secret: only profiles.yml may read it/);
    expect(inProperties.stderr).not.toContain(SECRET);
  });
});
