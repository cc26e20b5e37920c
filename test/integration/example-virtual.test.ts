/**
 * The example project with virtual environments (issue 20): the loop its README shows (change a model, plan dev,
 * apply, plan prod) computes the changed model once, in dev, and promoting it to prod computes nothing; the four
 * pipelines' relations in prod are then those of a plain in-place `tsdbt build` of the same project, on another database.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_FIXTURES, postgresBackend, PostgresTestDatabase } from '../helpers/backends.js';
import { EXAMPLE_RUN_TIME_COLUMNS } from '../helpers/example-files.js';
import { makeExampleProject } from '../helpers/example-project.js';
import type { TestProject } from '../helpers/project.js';
import { differingRelations, snapshotRelations } from '../helpers/relation-snapshot.js';
import { isCreateTableAs, isCreateView, loggedStatements } from '../helpers/statement-log.js';
import type { Plan } from '../../src/environments/plan.js';

const CHANGED_MODEL = 'models/pinterest/analysis/pinterest_median_followers_by_join_year.sql';
/** The pipelines' schemas (test failures left out: a plan runs the tests of what it builds only). */
const PIPELINE_SCHEMAS = ['raw', 'public', 'lookup', 'incremental', 'analysis'];

/** The README's change: a column added to an analysis model, which nothing downstream reads. */
function addPostsColumn(project: TestProject): void {
  project.write(CHANGED_MODEL, project.read(CHANGED_MODEL).replace('as median_follower_count', 'as median_follower_count,\n    count(*) as posts'));
}

async function plan(project: TestProject, env: string): Promise<Plan> {
  const result = await project.run('plan', env, '--output', 'json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Plan;
}

const built = (planned: Plan) => planned.nodes.filter((node) => node.action === 'build').map((node) => node.name);

describe.skipIf(DIALECT_FIXTURES.postgres.unavailable !== undefined)('the example project with virtual environments [postgres]', () => {
  const virtualDatabase = new PostgresTestDatabase();
  const inPlaceDatabase = new PostgresTestDatabase();
  beforeAll(() => Promise.all([virtualDatabase.create(), inPlaceDatabase.create()]));
  afterAll(() => Promise.all([virtualDatabase.drop(), inPlaceDatabase.drop()]));

  it('the README loop: dev computes the changed model only, prod promotes it computing nothing, and prod equals a plain build', async () => {
    const project = makeExampleProject(postgresBackend(virtualDatabase));
    project.write('tsdbt_project.yml', `${project.read('tsdbt_project.yml')}\nvirtual_environments: true\n`);
    const first = await project.run('plan', 'prod', '--auto-apply');
    expect(first.code, first.stdout + first.stderr).toBe(0);

    addPostsColumn(project);
    const dev = await plan(project, 'dev');
    expect(built(dev)).toEqual(['pinterest_median_followers_by_join_year']);
    expect(dev.nodes.find((node) => node.name === 'pinterest_median_followers_by_join_year')).toMatchObject({ change: 'directly modified', breaking: false, addedColumns: ['posts'] });
    expect((await project.run('plan', 'dev', '--auto-apply')).code).toBe(0);

    const physical = `select c.relname, c.oid::int as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'tsdbt_physical' order by 1`;
    const before = await project.query(physical);
    expect(built(await plan(project, 'prod'))).toEqual([]);
    const log = join(project.dir, 'promotion.sql');
    const promoted = await project.run('plan', 'prod', '--auto-apply', '--log-sql', log);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toContain("Promoted environment 'prod'");
    expect(await project.query(physical)).toEqual(before);
    // The statement log: no model ran (no CREATE TABLE AS), and every view was repointed between one begin and commit.
    const statements = loggedStatements(log);
    expect(statements.filter(isCreateTableAs)).toEqual([]);
    const views = statements.flatMap((sql, at) => (isCreateView(sql) ? [at] : []));
    expect(views.length).toBeGreaterThan(0);
    const begin = statements.slice(0, views[0]).lastIndexOf('begin');
    const commit = statements.indexOf('commit', views[0]);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(views.every((at) => at > begin && at < commit)).toBe(true);

    const inPlace = makeExampleProject(postgresBackend(inPlaceDatabase));
    addPostsColumn(inPlace);
    const build = await inPlace.run('build');
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const [virtual, plain] = await Promise.all([
      snapshotRelations(virtualDatabase.url().toString(), PIPELINE_SCHEMAS, EXAMPLE_RUN_TIME_COLUMNS),
      snapshotRelations(inPlaceDatabase.url().toString(), PIPELINE_SCHEMAS, EXAMPLE_RUN_TIME_COLUMNS),
    ]);
    expect(Object.keys(virtual).length).toBeGreaterThan(40);
    expect(differingRelations(virtual, plain)).toEqual([]);
  });
});
