import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

describeBackends('--defer --state', (backend) => {
  /** A project built into schema prod, its target/ saved as the state, then switched to schema dev of the same database. */
  async function builtInProd(files: Record<string, string>): Promise<{ project: TestProject; state: string }> {
    const project = makeProject(files, backend, 'prod');
    expect((await project.run('run')).code).toBe(0);
    const state = temporaryDir('tsdbt-state-');
    mkdirSync(state, { recursive: true });
    cpSync(join(project.dir, 'target/manifest.json'), join(state, 'manifest.json'));
    // The same database (PGlite's data directory included), another schema.
    project.write('profiles.yml', project.read('profiles.yml').replace('schema: prod', 'schema: dev'));
    return { project, state };
  }

  it('an unselected upstream model missing from the dev schema is read from the state manifest relation; --favor-state always', async () => {
    const { project, state } = await builtInProd({
      'models/upstream.sql': '{{config materialized="table"}}\nselect 1 as id',
      'models/downstream.sql': '{{config materialized="table"}}\nselect id from {{ref "upstream"}}',
    });
    project.write('models/downstream.sql', '{{config materialized="table"}}\nselect id, 2 as two from {{ref "upstream"}}');

    const undeferred = await project.run('run', '-s', 'state:modified', '--state', state);
    expect(undeferred.code).toBe(1);
    expect(undeferred.stdout + undeferred.stderr).toContain('upstream');

    // A deferred run that fails, fixed, is retried with the same deferral.
    project.write('models/downstream.sql', '{{config materialized="table"}}\nselect id, 2 as two, nope from {{ref "upstream"}}');
    const failing = await project.run('run', '-s', 'state:modified', '--defer', '--state', state);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('nope');
    project.write('models/downstream.sql', '{{config materialized="table"}}\nselect id, 2 as two from {{ref "upstream"}}');
    const retried = await project.run('retry');
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    expect(await project.query('select id, two from dev.downstream')).toEqual([{ id: 1, two: 2 }]);
    expect(await project.query(`select table_name from information_schema.tables where table_schema = 'dev' order by 1`)).toEqual([{ table_name: 'downstream' }]);

    // Once dev has its own upstream, --defer reads it; --favor-state still reads the state's.
    await project.query('create table dev.upstream as select 7 as id');
    expect((await project.run('run', '-s', 'downstream', '--defer', '--state', state)).code).toBe(0);
    expect(await project.query('select id from dev.downstream')).toEqual([{ id: 7 }]);
    expect((await project.run('run', '-s', 'downstream', '--defer', '--favor-state', '--state', state)).code).toBe(0);
    expect(await project.query('select id from dev.downstream')).toEqual([{ id: 1 }]);

    const missingState = await project.run('run', '-s', 'downstream', '--defer');
    expect(missingState.code).toBe(2);
    expect(missingState.stderr).toContain('--defer');
  });

  it('clone makes views in the dev schema onto the state relations where dev has none; --full-refresh replaces the rest', async () => {
    const { project, state } = await builtInProd({
      'models/upstream.sql': '{{config materialized="table"}}\nselect 1 as id',
      'models/downstream.sql': '{{config materialized="table"}}\nselect id + 1 as id from {{ref "upstream"}}',
      'models/inlined.sql': '{{config materialized="ephemeral"}}\nselect 3 as id',
    });
    await project.query('create schema dev');
    await project.query('create table dev.downstream as select 9 as id');

    const cloned = await project.run('clone', '--state', state);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(cloned.stdout).toContain('Cloned 1; kept 1');
    const views = `select table_name, table_type from information_schema.tables where table_schema = 'dev' order by 1`;
    expect(await project.query(views)).toEqual([
      { table_name: 'downstream', table_type: 'BASE TABLE' },
      { table_name: 'upstream', table_type: 'VIEW' },
    ]);
    expect(await project.query('select id from dev.upstream')).toEqual([{ id: 1 }]);

    expect((await project.run('clone', '--state', state, '-s', 'downstream', '--full-refresh')).code).toBe(0);
    expect(await project.query(views)).toEqual([
      { table_name: 'downstream', table_type: 'VIEW' },
      { table_name: 'upstream', table_type: 'VIEW' },
    ]);
    expect(await project.query('select id from dev.downstream')).toEqual([{ id: 2 }]);
    expect((await project.run('clone')).code).toBe(2);
  });

  it('clone --copy makes tables holding the state relations rows, which outlive the state relations', async () => {
    const { project, state } = await builtInProd({
      'models/upstream.sql': '{{config materialized="table"}}\nselect g as id from generate_series(1, 3) as g',
      'models/downstream.sql': '{{config materialized="view"}}\nselect id * 10 as id from {{ref "upstream"}}',
    });
    await project.query('create schema dev');
    await project.query('create view dev.downstream as select 9 as id');

    const copied = await project.run('clone', '--state', state, '--copy', '--full-refresh');
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('"dev"."upstream": a copy of "prod"."upstream"');
    expect(await project.query(`select table_name, table_type from information_schema.tables where table_schema = 'dev' order by 1`)).toEqual([
      { table_name: 'downstream', table_type: 'BASE TABLE' },
      { table_name: 'upstream', table_type: 'BASE TABLE' },
    ]);
    await project.query('drop schema prod cascade');
    expect(await project.query('select id from dev.downstream order by id')).toEqual([{ id: 10 }, { id: 20 }, { id: 30 }]);
    expect(await project.query('select count(*)::int as n from dev.upstream')).toEqual([{ n: 3 }]);
  });
});
