import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject } from '../helpers/project.js';

/** on-run-start makes an audit table that every hook writes to, so the rows tell what ran and in which order. */
const PROJECT_FILE = `name: test_project
profile: test
vars: {run_tag: nightly}
on-run-start:
  - "create table if not exists {{target.schema}}.audit (n serial, event text)"
on-run-end:
  - "insert into {{target.schema}}.audit (event) values ('end {{target.name}} {{var 'run_tag'}}')"
seeds:
  +post-hook: "insert into {{target.schema}}.audit (event) values ('seeded {{this}}')"
`;

/** Property files are rendered as templates when read (for env_var): templated hooks are simplest in the project file. */
function withModelHooks(hooks: string): string {
  return `${PROJECT_FILE}models:\n${hooks}`;
}

describeBackends('hooks', (backend) => {
  describe('pre_hook and post_hook', () => {
    it('run in order around the build, with {{this}}, refs and vars; seeds have them too', async () => {
      const project = makeProject(
        {
          'tsdbt_project.yml': withModelHooks(`  +pre-hook:
    - "insert into {{target.schema}}.audit (event) values ('pre 1 {{this}}')"
    - "insert into {{target.schema}}.audit (event) select 'pre 2 ' || count(*) from {{ref 'customers'}}"
`),
          // Rendered when the hook runs, not when the property file is read. A reference table on Citus, which the
          // hooks read as INSERT ... SELECT: Citus plans no subquery of a distributed table inside VALUES.
          'models/orders.yml': `version: 2
models:
  - name: orders
    config:
      distribution: reference
      post_hook: "insert into {{target.schema}}.audit (event) select 'post {{var 'run_tag'}} ' || count(*) from {{this}}"
`,
          'seeds/customers.csv': 'id\n1\n2\n',
          'models/orders.sql': '{{config materialized="table"}}\nselect id from {{ref "customers"}}',
        },
        backend,
      );
      const result = await project.run('build');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Running 1 on-run-start hook');
      expect(result.stdout).toMatch(/1 of 1 OK hook operation\.test_project\.test_project-on-run-end-0/);
      expect(await project.query('select event from analytics.audit order by n')).toEqual([
        { event: 'seeded "analytics"."customers"' },
        { event: 'pre 1 "analytics"."orders"' },
        { event: 'pre 2 2' },
        { event: 'post nightly 2' },
        { event: 'end dev nightly' },
      ]);
      expect(project.read('target/run/test_project/models/orders.sql')).toMatch(/^insert into analytics\.audit \(event\) values \('pre 1/);
      expect(project.read('target/run/test_project/hooks/on-run-start.sql')).toContain('create table if not exists analytics.audit');
      const results = JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string }> };
      expect(results.results.map((r) => r.unique_id)).toEqual([
        'operation.test_project.test_project-on-run-start-0',
        'seed.test_project.customers',
        'model.test_project.orders',
        'operation.test_project.test_project-on-run-end-0',
      ]);
    });

    it('a failing hook fails its node, naming the hook; on-run-end still runs', async () => {
      const project = makeProject(
        {
          'tsdbt_project.yml': PROJECT_FILE,
          'models/orders.sql': '{{config materialized="table" post_hook="select 1 / 0"}}\nselect 1 as id',
          'models/after.sql': 'select * from {{ref "orders"}}',
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('models/orders.sql (post_hook 1): post_hook 1 failed: division by zero');
      expect(result.stdout).toMatch(/SKIP .*"analytics"\."after"/);
      expect(await project.query('select event from analytics.audit order by n')).toEqual([{ event: 'end dev nightly' }]);
    });

    it('an unknown ref in a hook fails the node at the place of the call', async () => {
      const project = makeProject(
        {
          'tsdbt_project.yml': withModelHooks(`  +pre_hook: "select 1 from {{ref 'nope'}}"\n`),
          'models/orders.sql': 'select 1 as id',
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("models/orders.sql (pre_hook 1):1:15: ref 'nope' does not exist");
    });
  });

  describe('on-run-start and on-run-end', () => {
    it('a failing on-run-start hook skips every node and fails the run', async () => {
      const project = makeProject(
        {
          'tsdbt_project.yml': `name: test_project\nprofile: test\non-run-start:\n  - "select 1"\n  - "select * from no_such_table"\n  - "select 3"\non-run-end: "create table {{target.schema}}.ended as select 1 as one"\n`,
          'models/orders.sql': 'select 1 as id',
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Running 3 on-run-start hooks');
      expect(result.stderr).toContain('tsdbt_project.yml (on-run-start 2): on-run-start 2 failed: relation "no_such_table" does not exist');
      expect(result.stdout).toMatch(/SKIP hook operation\.test_project\.test_project-on-run-start-2 .*\[SKIP: an earlier on-run-start hook failed\]/);
      expect(result.stdout).toMatch(/SKIP .*"analytics"\."orders" .*\[SKIP: an on-run-start hook failed\]/);
      expect(await project.query("select count(*)::int as n from pg_class where relname in ('orders', 'ended')")).toEqual([{ n: 1 }]);
    });

    it('do not run for compile', async () => {
      const project = makeProject({ 'tsdbt_project.yml': 'name: test_project\nprofile: test\non-run-start: "select * from no_such_table"\n', 'models/a.sql': 'select 1 as id' }, backend);
      const result = await project.run('compile');
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('on-run-start');
    });
  });
});
