import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PgliteAdapter } from '../../src/adapters/pglite/pglite-adapter.js';
import { postgresSqlDialect } from '../../src/adapters/postgres/postgres-sql-dialect.js';
import { lockWaitSeconds, makeProject, runCli, spawnCli } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

describe('tsdbt CLI', () => {
  it('prints help with examples and its version', async () => {
    const help = await spawnCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['init', 'import', 'debug', 'compile', 'ls', 'show', 'run', 'seed', 'snapshot', 'test', 'build', 'retry', 'source', 'env', 'janitor', 'clean']) expect(help.stdout).toContain(`tsdbt ${command}`);
    const runHelp = await spawnCli(['run', '--help']);
    expect(runHelp.stdout).toContain('--full-refresh');
    expect(runHelp.stdout).toContain('Examples:');
    const version = await spawnCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('init scaffolds a project that builds on the embedded database', async () => {
    const parent = temporaryDir('tsdbt-init-');
    const init = await spawnCli(['init', 'shop'], { cwd: parent });
    expect(init.code).toBe(0);
    const dir = join(parent, 'shop');
    cpSync(inject('pgliteTemplate'), join(dir, '.tsdbt/pglite'), { recursive: true });
    const build = await runCli(['build', '--project-dir', dir, '--profiles-dir', dir]);
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toContain('"public"."my_second_model"');
    expect((await spawnCli(['init', 'shop'], { cwd: parent })).code).toBe(2);
  });

  it('ls lists selections in every output format; selection syntax errors exit 2', async () => {
    const project = makeProject({
      'models/staging/stg_a.sql': '{{config tags="nightly"}}\nselect 1 as id',
      'models/staging/stg_b.sql': 'select 1 as id',
      'models/marts/mart.sql': '{{config materialized="table"}}\nselect * from {{ref "stg_a"}} join {{ref "stg_b"}} using (id)',
    });
    expect((await project.run('ls', '--output', 'name')).stdout.split('\n').sort()).toEqual(['mart', 'stg_a', 'stg_b']);
    expect((await project.run('ls', '-s', '+mart', '--exclude', 'tag:nightly', '--output', 'name')).stdout.split('\n').sort()).toEqual(['mart', 'stg_b']);
    expect((await project.run('ls', '-s', 'config.materialized:table', '--output', 'path')).stdout).toBe('models/marts/mart.sql');
    expect((await project.run('ls', '-s', 'path:models/staging', '--output', 'selector')).stdout.split('\n').sort()).toEqual([
      'test_project.staging.stg_a',
      'test_project.staging.stg_b',
    ]);
    const json = JSON.parse((await project.run('ls', '-s', 'stg_a', '--output', 'json')).stdout) as { unique_id: string; config: { tags: string[] } };
    expect(json.unique_id).toBe('model.test_project.stg_a');
    expect(json.config.tags).toEqual(['nightly']);
    const bad = await project.run('ls', '-s', 'tga:nightly');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'tag'");
  });

  it('state:modified and state:new compare with an earlier manifest', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id', 'models/b.sql': 'select * from {{ref "a"}}' });
    expect((await project.run('compile')).code).toBe(0);
    const state = temporaryDir('tsdbt-state-');
    cpSync(join(project.dir, 'target/manifest.json'), join(state, 'manifest.json'));
    project.write('models/a.sql', 'select 2 as id');
    project.write('models/c.sql', 'select 3 as id');
    const modified = await project.run('ls', '-s', 'state:modified', '--state', state, '--output', 'name');
    expect(modified.stdout.split('\n').sort()).toEqual(['a', 'c']);
    const downstream = await project.run('ls', '-s', 'state:modified+', '--exclude', 'state:new', '--state', state, '--output', 'name');
    expect(downstream.stdout.split('\n').sort()).toEqual(['a', 'b']);
  });

  it('clean removes target/ and names only what it removed', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id' });
    project.write('tsdbt_project.yml', 'name: test_project\nprofile: test\nclean-targets: [target, logs]\n');
    await project.run('compile');
    expect(existsSync(join(project.dir, 'target/manifest.json'))).toBe(true);
    const cleaned = await project.run('clean');
    expect(cleaned).toEqual({ code: 0, stdout: 'removed target', stderr: '' });
    expect(existsSync(join(project.dir, 'target'))).toBe(false);
    expect(await project.run('clean')).toEqual({ code: 0, stdout: 'Nothing to clean: target, logs do not exist', stderr: '' });
  });

  it('init refuses to nest a project inside another, naming it, unless --force', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id' });
    project.write('models/deeper/.gitkeep', '');
    const nested = await spawnCli(['init', 'inner'], { cwd: join(project.dir, 'models/deeper') });
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain(`would be inside the project of ${join(project.dir, 'tsdbt_project.yml')}`);
    expect(existsSync(join(project.dir, 'models/deeper/inner'))).toBe(false);
    const forced = await spawnCli(['init', 'inner', '--force'], { cwd: join(project.dir, 'models/deeper') });
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(project.dir, 'models/deeper/inner/tsdbt_project.yml'))).toBe(true);
  });

  it('writes JSON log lines with --log-format json', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id' });
    cpSync(inject('pgliteTemplate'), join(project.dir, '.tsdbt/pglite'), { recursive: true });
    const result = await project.run('run', '--log-format', 'json');
    expect(result.code).toBe(0);
    const events = result.stdout.split('\n').map((line) => JSON.parse(line) as { event: string; uniqueId?: string; status?: string });
    expect(events.find((e) => e.event === 'node_finished')).toMatchObject({ uniqueId: 'model.test_project.a', status: 'success' });
    expect(events.at(-1)!.event).toBe('run_finished');
  });

  it('a second process on the same embedded database waits for it up to --lock-timeout, then gets a clear error naming the holder', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id' });
    const path = join(project.dir, '.tsdbt/pglite');
    cpSync(inject('pgliteTemplate'), path, { recursive: true });
    const target = { type: 'pglite', name: 'dev', profileName: 'test', schema: 'public', threads: 1, path } as const;
    const holder = new PgliteAdapter(target, postgresSqlDialect, 0);
    await holder.open();
    try {
      const second = await spawnCli(['run', '--project-dir', project.dir, '--lock-timeout', '1']);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`is in use by another tsdbt process (pid ${process.pid}`);
      expect(lockWaitSeconds(second.stderr)).toBeGreaterThanOrEqual(1);
    } finally {
      await holder.close();
    }
    expect(existsSync(join(path, 'tsdbt.lock'))).toBe(false);
    // A holder that lets go within the timeout is waited for.
    const again = new PgliteAdapter(target, postgresSqlDialect, 0);
    await again.open();
    setTimeout(() => void again.close(), 1_500);
    const waited = await spawnCli(['run', '--project-dir', project.dir, '--lock-timeout', '20']);
    expect(waited.code, waited.stderr).toBe(0);
  });
});

describeBackends('Ctrl-C and SIGTERM', (backend) => {
  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s cancels the running query, skips what had not started, records what finished and exits %i', async (signal, exitCode) => {
    // Where queries can be cancelled (a server) the sleep far outlasts the run, so a query still running after the exit
    // was not cancelled; PGlite cannot interrupt its one in-process query, which must end first.
    const nap = backend.cancellation ? 60 : 3;
    const project = makeProject(
      {
        'models/quick.sql': 'select 1 as id',
        'models/slow.sql': `{{config materialized="table"}}\nselect pg_sleep(${nap})::text as slept from {{ref "quick"}}`,
        'models/after_slow.sql': 'select * from {{ref "slow"}}',
      },
      backend,
    );
    let sent = false;
    const result = await spawnCli(['run', '--threads', '1', '--project-dir', project.dir, '--profiles-dir', project.dir], {
      onStdout: (out, kill) => {
        if (!sent && out.includes('"quick"')) {
          sent = true;
          setTimeout(() => kill(signal), 300);
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(exitCode);
    const results = JSON.parse(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8')) as { cancelled: boolean; results: Array<{ unique_id: string; status: string; message: string; execution_time: number }> };
    expect(results.cancelled).toBe(true);
    const byName = Object.fromEntries(results.results.map((r) => [r.unique_id.split('.').at(-1), r]));
    expect(byName.quick!.status).toBe('success');
    expect(byName.after_slow).toMatchObject({ status: 'skipped', message: 'cancelled' });
    if (backend.cancellation) {
      // The server cancelled the query: it is no longer running, a minute before its sleep would have ended.
      expect(byName.slow).toMatchObject({ status: 'error', message: 'cancelled' });
      const running = await project.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query like '%pg_sleep(60)%' and pid <> pg_backend_pid()",
      );
      expect(running).toEqual([{ n: 0 }]);
    }
  });
});
