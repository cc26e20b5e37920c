import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject } from '../helpers/project.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

describeBackends('--defer --state', (backend) => {
  it('an unselected upstream model missing from the dev schema is read from the state manifest relation; --favor-state always', async () => {
    const project = makeProject(
      {
        'models/upstream.sql': '{{config materialized="table"}}\nselect 1 as id',
        'models/downstream.sql': '{{config materialized="table"}}\nselect id from {{ref "upstream"}}',
      },
      backend,
      'prod',
    );
    expect((await project.run('run')).code).toBe(0);
    const state = temporaryDir('tsdbt-state-');
    mkdirSync(state, { recursive: true });
    cpSync(join(project.dir, 'target/manifest.json'), join(state, 'manifest.json'));
    // The same database (PGlite's data directory included), another schema.
    project.write('profiles.yml', project.read('profiles.yml').replace('schema: prod', 'schema: dev'));
    project.write('models/downstream.sql', '{{config materialized="table"}}\nselect id, 2 as two from {{ref "upstream"}}');

    const undeferred = await project.run('run', '-s', 'state:modified', '--state', state);
    expect(undeferred.code).toBe(1);
    expect(undeferred.stdout + undeferred.stderr).toContain('upstream');

    const deferred = await project.run('run', '-s', 'state:modified', '--defer', '--state', state);
    expect(deferred.stderr).toBe('');
    expect(deferred.code).toBe(0);
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
});
