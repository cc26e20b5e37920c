import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, type TestProject } from '../helpers/project.js';

const CACHE = 'target/partial_parse.tsv';

/** Files written less than a second before a parse are not cached (coarse file-system clocks), so tests wait. */
const settle = () => sleep(1100);

function manifestNodes(project: TestProject): Record<string, Record<string, unknown>> {
  return (JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, Record<string, unknown>> }).nodes;
}

function cachedFiles(project: TestProject): string[] {
  const columns = JSON.parse(project.read(CACHE).split('\n')[1]!) as { files: string[] };
  return [...columns.files].sort();
}

const cacheWrittenAt = (project: TestProject) => statSync(join(project.dir, CACHE)).mtimeMs;

describe('partial parsing: what parsing an unchanged model file gave is reused, and every change is seen', () => {
  afterEach(() => {
    delete process.env.TSDBT_TEST_PARTIAL_MATERIALIZED;
  });

  it('a second parse of an unchanged project reads its nodes from the cache and compiles the same', async () => {
    const project = makeProject({
      'models/a.sql': '{{config materialized="table" tags="core"}}\nselect 1 as id',
      'models/b.sql': 'select id from {{ref "a"}}',
      'models/c.sql': '{{config enabled=false}}\nselect 2 as id',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: b\n    description: b reads a\n',
    });
    await settle();
    expect((await project.run('compile')).code).toBe(0);
    expect(cachedFiles(project)).toEqual(['models/a.sql', 'models/b.sql', 'models/c.sql']);
    const fresh = manifestNodes(project);
    const written = cacheWrittenAt(project);

    const second = await project.run('compile');
    expect(second.code).toBe(0);
    // Nothing changed: the cache is not written again, and the nodes are the same ones.
    expect(cacheWrittenAt(project)).toBe(written);
    expect(manifestNodes(project)).toEqual(fresh);
    expect(project.read('target/compiled/test_project/models/b.sql')).toContain('from "public"."a"');
    const listed = await project.run('ls', '--output', 'name');
    expect(listed.stdout.split('\n')).toEqual(['a', 'b']);

    const uncached = await project.run('compile', '--no-partial-parse');
    expect(uncached.code).toBe(0);
    expect(manifestNodes(project)).toEqual(fresh);
    expect(cacheWrittenAt(project)).toBe(written);
  });

  it('sees a changed, added or removed model file', async () => {
    const project = makeProject({
      'models/a.sql': 'select 1 as id',
      'models/b.sql': 'select 2 as id',
      'models/gone.sql': 'select 3 as id',
    });
    await settle();
    expect((await project.run('compile')).code).toBe(0);
    project.write('models/b.sql', 'select id from {{ref "a"}}');
    project.write('models/new.sql', 'select id from {{ref "b"}}');
    project.remove('models/gone.sql');
    const listed = await project.run('ls', '-s', '+new', '--output', 'name');
    expect(listed.stdout.split('\n')).toEqual(['a', 'b', 'new']);
    expect(cachedFiles(project)).toEqual(['models/a.sql']);
    expect((await project.run('ls', '-s', 'gone')).stderr).toContain('nothing matches the selection');
  });

  it('reparses every model when the project file, a property file, a macro or --vars change', async () => {
    const project = makeProject({
      'models/a.sql': '{{config materialized=(var "kind" "view")}}\nselect {{> answer}} as id',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    description: first\n',
      'macros/answer.sql': '41',
    });
    await settle();
    expect((await project.run('compile')).code).toBe(0);
    expect(manifestNodes(project)['model.test_project.a']!.config).toMatchObject({ materialized: 'view' });

    expect((await project.run('compile', '--vars', '{kind: table}')).code).toBe(0);
    expect(manifestNodes(project)['model.test_project.a']!.config).toMatchObject({ materialized: 'table' });

    project.write('models/schema.yml', 'version: 2\nmodels:\n  - name: a\n    description: second\n');
    expect((await project.run('compile')).code).toBe(0);
    expect(manifestNodes(project)['model.test_project.a']!.description).toBe('second');

    project.write('macros/answer.sql', '42');
    expect((await project.run('compile')).code).toBe(0);
    expect(project.read('target/compiled/test_project/models/a.sql')).toContain('select 42 as id');

    project.write('tsdbt_project.yml', 'name: test_project\nprofile: test\nmodels:\n  test_project:\n    +tags: [daily]\n');
    expect((await project.run('compile')).code).toBe(0);
    expect(manifestNodes(project)['model.test_project.a']!.tags).toEqual(['daily']);
  });

  it('reparses a model when an environment variable its template read changes', async () => {
    const project = makeProject({
      'models/a.sql': '{{config materialized=(env_var "TSDBT_TEST_PARTIAL_MATERIALIZED" "view")}}\nselect 1 as id',
      'models/b.sql': 'select 2 as id',
    });
    await settle();
    expect((await project.run('compile')).code).toBe(0);
    expect(manifestNodes(project)['model.test_project.a']!.config).toMatchObject({ materialized: 'view' });
    process.env.TSDBT_TEST_PARTIAL_MATERIALIZED = 'table';
    expect((await project.run('compile')).code).toBe(0);
    expect(manifestNodes(project)['model.test_project.a']!.config).toMatchObject({ materialized: 'table' });
    expect(cachedFiles(project)).toEqual(['models/a.sql', 'models/b.sql']);
  });

  it('a damaged cache file is ignored and replaced', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id' });
    await settle();
    expect((await project.run('compile')).code).toBe(0);
    project.write(CACHE, project.read(CACHE).slice(0, -20));
    expect((await project.run('ls', '--output', 'name')).stdout).toBe('a');
    expect(cachedFiles(project)).toEqual(['models/a.sql']);
  });
});
