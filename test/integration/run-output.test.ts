import { expect, it } from 'vitest';
import { makeProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

/**
 * What a build prints, as a dbt user expects it: what the project holds, a timestamped start and finish line per
 * node, and a recap of every failure and warning with its place in the source, a code frame and the compiled code.
 */
const FILES = {
  'seeds/people.csv': 'id,name\n1,a\n2,b\n2,c\n',
  'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: analytics\n    tables:\n      - name: people\n',
  'macros/one.sql': '1',
  'models/base.sql': '{{config materialized="table" distribution_column="id"}}\nselect id, name, 10 as amount from {{ref "people"}}',
  // Line 5 of the template is line 4 of the compiled SQL: the loop's block lines render to nothing.
  'models/broken.sql': '{{config materialized="table"}}\n{{#each (list "a" "b")}}\n-- column {{this}}\n{{/each}}\nselect id, amout * 2 as doubled\nfrom {{ref "base"}}\n',
  'models/after_broken.sql': 'select * from {{ref "broken"}}',
  // Division by zero has no position: the recap still names the file and the compiled code.
  'models/zero.sql': '{{config materialized="table"}}\nselect 1 / 0 as x',
  'models/leaf.sql': 'select id from {{ref "base"}}',
  'snapshots/base_history.sql': '{{config unique_key="id" strategy="check" check_cols="all"}}\nselect distinct on (id) id, name from {{ref "base"}} order by id, name',
  'models/schema.yml': `version: 2
models:
  - name: base
    columns:
      - name: id
        tests: [not_null]
      - name: name
        tests:
          - accepted_values: {values: [a, b], config: {severity: warn, store_failures: true}}
  - name: leaf
    columns:
      - name: id
        tests: [unique]
unit_tests:
  - name: base_keeps_ids
    model: base
    given:
      - input: ref('people')
        rows:
          - {id: 1, name: a}
    expect:
      rows:
        - {id: 1, name: a, amount: 10}
`,
};

const CLOCK = String.raw`\d\d:\d\d:\d\d`;
const WARN_TEST = 'accepted_values_base_name__a__b';

describeBackends('run output', (backend) => {
  it('prints what was found, a start line before each finish line, and a recap of failures and warnings with their places', async () => {
    const project = makeProject(FILES, backend);
    const result = await project.run('build', '--threads', '1');
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${CLOCK}  Found 5 models, 1 snapshot, 1 seed, 3 data tests, 1 unit test, 1 source, 1 macro$`)));

    // Every node that ran has a START line before its finish line; a skipped one has only its SKIP line.
    const nodeLine = new RegExp(`^${CLOCK}  +(\\d+) of 11 (START|OK|PASS|FAIL|WARN|ERROR|SKIP) (.*?) \\.{2,} \\[`);
    const events = lines.flatMap((line) => {
      const match = nodeLine.exec(line);
      return match ? [{ index: Number(match[1]), label: match[2]!, what: match[3]!, at: lines.indexOf(line) }] : [];
    });
    const finished = events.filter((e) => e.label !== 'START');
    expect(finished.map((e) => e.index).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const end of finished) {
      const starts = events.filter((e) => e.label === 'START' && e.index === end.index);
      if (end.label === 'SKIP') expect(starts, end.what).toEqual([]);
      else {
        expect(starts, end.what).toHaveLength(1);
        expect(starts[0]!.what).toBe(end.what);
        expect(starts[0]!.at).toBeLessThan(end.at);
      }
    }
    expect(finished.find((e) => e.what.endsWith('"analytics"."after_broken"'))!.label).toBe('SKIP');

    const recap = result.stderr;
    expect(recap).toMatch(new RegExp(`${CLOCK}  Completed with 3 errors and 1 warning:`));
    const entries = recap.split('\n\n').slice(1);
    expect(entries).toHaveLength(4);
    const broken = entries.find((entry) => entry.startsWith('Error in sql table model "analytics"."broken"'))!;
    expect(broken.split('\n')[0]).toBe('Error in sql table model "analytics"."broken" (models/broken.sql)');
    expect(broken).toContain('  models/broken.sql:5:12: column "amout" does not exist');
    expect(broken).toContain('  compiled code at target/compiled/test_project/models/broken.sql:4:12');
    // The code frame shows the template's line 5, the caret under the misspelt column.
    const frame = broken.split('\n');
    const sourceLine = frame.findIndex((line) => line.startsWith('  > 5 | '));
    expect(frame[sourceLine]).toBe('  > 5 | select id, amout * 2 as doubled');
    expect(frame[sourceLine + 1]!.indexOf('^')).toBe(frame[sourceLine]!.indexOf('amout'));
    // The compiled file's line 4, column 12, is the same token.
    expect(project.read('target/compiled/test_project/models/broken.sql').split('\n')[3]!.slice(11, 16)).toBe('amout');

    const zero = entries.find((entry) => entry.startsWith('Error in sql table model "analytics"."zero"'))!;
    expect(zero).toBe(
      'Error in sql table model "analytics"."zero" (models/zero.sql)\n  models/zero.sql: division by zero\n  compiled code at target/compiled/test_project/models/zero.sql',
    );
    expect(entries).toContain(
      'Failure in test unique unique_leaf_id (models/schema.yml)\n  models/schema.yml: Got 1 result, configured to fail if !=0\n  compiled code at target/compiled/test_project/models/unique_leaf_id.sql',
    );
    // A test that keeps its failing rows is named by the relation holding them.
    const warning = entries.find((entry) => entry.startsWith(`Warning in test accepted_values "analytics_test_failures"."${WARN_TEST}" (models/schema.yml)`))!;
    expect(warning).toMatch(/Got 1 result, configured to warn if !=0/);
    expect(warning).toContain(`"analytics_test_failures"."${WARN_TEST}"`);
    expect(lines.at(-1)).toBe('Done. SUCCESS=4 ERROR=2 SKIPPED=1 PASS=2 WARN=1 FAIL=1 TOTAL=11');
  });

  it('--quiet prints only the recap and the totals', async () => {
    const project = makeProject(FILES, backend);
    const result = await project.run('build', '--quiet');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('\nDone. SUCCESS=4 ERROR=2 SKIPPED=1 PASS=2 WARN=1 FAIL=1 TOTAL=11');
    expect(result.stderr).toMatch(new RegExp(`^${CLOCK}  Completed with 3 errors and 1 warning:\n\nError in `));
    expect(result.stderr).toContain('  models/broken.sql:5:12: column "amout" does not exist');
    expect(result.stderr).not.toMatch(/START|Found/);

    project.remove('models/broken.sql');
    project.remove('models/after_broken.sql');
    project.remove('models/zero.sql');
    project.write('models/leaf.sql', 'select distinct id from {{ref "base"}}');
    const clean = await project.run('build', '--quiet');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('\nDone. SUCCESS=4 PASS=3 WARN=1 TOTAL=8');
    expect(clean.stderr).toMatch(new RegExp(`^${CLOCK}  Completed with 1 warning:\n\nWarning in test accepted_values "analytics_test_failures"."${WARN_TEST}"`));
  });

  it('--log-format json has found_stats, node_started before node_finished, and the recap as events', async () => {
    const project = makeProject(FILES, backend);
    const result = await project.run('build', '--log-format', 'json');
    expect(result.code).toBe(1);
    const events = result.stdout.split('\n').map((line) => JSON.parse(line) as Record<string, unknown> & { event: string; uniqueId?: string });
    expect(events.find((e) => e.event === 'found_stats')).toMatchObject({
      counts: { models: 5, snapshots: 1, seeds: 1, 'data tests': 3, 'unit tests': 1, sources: 1, macros: 1 },
    });
    const started = events.filter((e) => e.event === 'node_started');
    expect(started).toHaveLength(10);
    for (const start of started) {
      const finish = events.findIndex((e) => e.event === 'node_finished' && e.uniqueId === start.uniqueId);
      expect(finish, start.uniqueId).toBeGreaterThan(events.indexOf(start));
    }
    expect(events.find((e) => e.event === 'run_result_error' && e.uniqueId === 'model.test_project.broken')).toMatchObject({
      sourceLocation: { file: 'models/broken.sql', line: 5, column: 12 },
      location: 'target/compiled/test_project/models/broken.sql:4:12',
    });
    expect(events.find((e) => e.event === 'run_result_warning')).toMatchObject({ uniqueId: expect.stringMatching(new RegExp(`^test\\.test_project\\.${WARN_TEST}\\.[0-9a-f]{10}$`)), failures: 1 });
    expect(events.at(-1)!.event).toBe('run_finished');
  });
});

