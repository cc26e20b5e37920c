import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import type { TestBackend } from '../helpers/backends.js';

interface SourcesJson {
  metadata: { invocation_id: string; generated_at: string };
  results: Array<Record<string, unknown> & { unique_id: string; status: string }>;
  elapsed_time: number;
}

/** Source tables in schema raw, each with rows loaded the given ages ago (SQL intervals, relative to now()). */
async function sourceProject(backend: TestBackend, properties: string, tables: Record<string, string[]>): Promise<TestProject> {
  const project = makeProject({ 'models/sources.yml': properties }, backend);
  await project.query('create schema if not exists raw');
  for (const [name, ages] of Object.entries(tables)) {
    await project.query(`drop table if exists raw.${name}`);
    await project.query(`create table raw.${name} (id int, region text, loaded_at timestamptz)`);
    for (const [index, age] of ages.entries()) {
      await project.query(`insert into raw.${name} values ($1, $2, now() - $3::interval)`, [index, index === 0 ? 'eu' : 'us', age]);
    }
  }
  return project;
}

function sourcesJson(project: TestProject): SourcesJson {
  return JSON.parse(project.read('target/sources.json')) as SourcesJson;
}

function resultOf(json: SourcesJson, table: string): Record<string, unknown> {
  const found = json.results.find((result) => result.unique_id === `source.test_project.raw.${table}`);
  expect(found, `no result for raw.${table} in ${JSON.stringify(json.results)}`).toBeDefined();
  return found!;
}

const THRESHOLDS = `    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
`;

describeBackends('source freshness', (backend) => {
  describe('pass, warn and error', () => {
    it('judges each source by the age of its newest row, prints dbt-like lines, writes sources.json and exits 1 on a stale one', async () => {
      const project = await sourceProject(
        backend,
        `version: 2
sources:
  - name: raw
${THRESHOLDS}    tables:
      - name: fresh
      - name: aging
      - name: stale
`,
        { fresh: ['3 days', '10 minutes'], aging: ['2 hours'], stale: ['2 days', '30 hours'] },
      );
      const result = await project.run('source', 'freshness', '--threads', '2');
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/\d of 3 PASS freshness of raw\.fresh \.+ \[PASS in \d+\.\d\ds\]/);
      expect(result.stdout).toMatch(/\d of 3 WARN freshness of raw\.aging \.+ \[WARN in \d+\.\d\ds\]/);
      expect(result.stdout).toMatch(/\d of 3 ERROR freshness of raw\.stale \.+ \[ERROR STALE in \d+\.\d\ds\]/);
      expect(result.stderr).toMatch(/newest row is \d+ s old, over error_after 1 day \(86400 s\)/);
      expect(result.stdout).toMatch(/ERROR=1 PASS=1 WARN=1 TOTAL=3/);

      const json = sourcesJson(project);
      expect(json.results).toHaveLength(3);
      expect(typeof json.metadata.invocation_id).toBe('string');
      expect(json.elapsed_time).toBeGreaterThan(0);
      const fresh = resultOf(json, 'fresh');
      expect(fresh).toMatchObject({
        status: 'pass',
        criteria: { warn_after: { count: 1, period: 'hour' }, error_after: { count: 1, period: 'day' }, filter: null },
        thread_id: expect.stringMatching(/^Thread-[12]$/),
        adapter_response: expect.any(Object),
      });
      expect(fresh.max_loaded_at_time_ago_in_s as number).toBeGreaterThanOrEqual(600);
      expect(fresh.max_loaded_at_time_ago_in_s as number).toBeLessThan(660);
      const ageFromTimes = (Date.parse(fresh.snapshotted_at as string) - Date.parse(fresh.max_loaded_at as string)) / 1000;
      expect(Math.abs(ageFromTimes - (fresh.max_loaded_at_time_ago_in_s as number))).toBeLessThan(0.01);
      expect((fresh.timing as Array<{ name: string }>).map((t) => t.name)).toEqual(['execute']);
      expect(fresh.execution_time).toEqual(expect.any(Number));
      expect(resultOf(json, 'aging').status).toBe('warn');
      expect(resultOf(json, 'stale').status).toBe('error');
      expect(resultOf(json, 'stale').max_loaded_at_time_ago_in_s as number).toBeGreaterThan(30 * 3600);

      // Without the stale one, a warning does not fail the command.
      const selected = await project.run('source', 'freshness', '-s', 'source:raw.fresh', 'source:raw.aging');
      expect(selected.code, selected.stdout + selected.stderr).toBe(0);
      expect(sourcesJson(project).results.map((r) => r.status).sort()).toEqual(['pass', 'warn']);
    });

    it('reads a timestamp without time zone as UTC, as dbt does', async () => {
      const project = makeProject(
        {
          'models/sources.yml': `version: 2
sources:
  - name: raw
${THRESHOLDS}    tables: [{name: naive}]
`,
        },
        backend,
      );
      await project.query('create schema if not exists raw');
      await project.query('create table raw.naive (loaded_at timestamp)');
      await project.query("insert into raw.naive values ((now() at time zone 'UTC') - interval '90 minutes')");
      const result = await project.run('source', 'freshness');
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const naive = resultOf(sourcesJson(project), 'naive');
      expect(naive.status).toBe('warn');
      expect(naive.max_loaded_at_time_ago_in_s as number).toBeGreaterThanOrEqual(5400);
      expect(naive.max_loaded_at_time_ago_in_s as number).toBeLessThan(5460);
    });
  });

  describe('what is checked', () => {
    it('applies the filter, lets a table override its source key by key, and skips freshness: null and tables without loaded_at_field', async () => {
      const project = await sourceProject(
        backend,
        `version: 2
sources:
  - name: raw
${THRESHOLDS}    tables:
      - name: filtered
        freshness:
          filter: "region = 'eu'"
      - name: relaxed
        freshness:
          warn_after: {count: 3, period: hour}
      - name: relaxed_stale
        freshness:
          warn_after: {count: 3, period: hour}
      - name: turned_off
        freshness: null
  - name: other
    schema: raw
    tables:
      - name: no_field
        identifier: relaxed
        freshness: {warn_after: {count: 1, period: minute}}
`,
        // filtered: the eu row (index 0) is 2 days old, the us row fresh; with the filter only the eu row counts.
        { filtered: ['2 days', '1 minute'], relaxed: ['2 hours'], relaxed_stale: ['26 hours'], turned_off: ['10 days'] },
      );
      const result = await project.run('source', 'freshness');
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/Skipping 2 source tables without a loaded_at_field or a freshness threshold/);
      const json = sourcesJson(project);
      expect(json.results.map((r) => r.unique_id).sort()).toEqual(['filtered', 'relaxed', 'relaxed_stale'].map((t) => `source.test_project.raw.${t}`));
      expect(resultOf(json, 'filtered')).toMatchObject({ status: 'error', criteria: { filter: "region = 'eu'", warn_after: { count: 1, period: 'hour' } } });
      // The table's warn_after replaces the source's; the source's error_after still holds.
      expect(resultOf(json, 'relaxed')).toMatchObject({ status: 'pass', criteria: { warn_after: { count: 3, period: 'hour' }, error_after: { count: 1, period: 'day' } } });
      expect(resultOf(json, 'relaxed_stale').status).toBe('error');
      const manifest = JSON.parse(project.read('target/manifest.json')) as { sources: Record<string, { freshness: unknown }> };
      expect(manifest.sources['source.test_project.raw.turned_off']!.freshness).toBeNull();
    });

    it('a missing or empty table is an error with a clear message, and the other sources are still checked', async () => {
      const project = await sourceProject(
        backend,
        `version: 2
sources:
  - name: raw
${THRESHOLDS}    tables: [{name: fresh}, {name: missing}, {name: empty}]
`,
        { fresh: ['1 minute'], empty: [] },
      );
      const result = await project.run('source', 'freshness');
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/ERROR freshness of raw\.missing/);
      expect(result.stderr).toMatch(/models\/sources\.yml: relation "raw\.missing" does not exist/);
      expect(result.stderr).toMatch(/max\(loaded_at\) is null: "raw"\."empty" has no rows with a loaded_at/);
      const json = sourcesJson(project);
      expect(resultOf(json, 'missing')).toEqual({ unique_id: 'source.test_project.raw.missing', status: 'runtime error', error: 'relation "raw.missing" does not exist' });
      expect(resultOf(json, 'empty').status).toBe('runtime error');
      expect(resultOf(json, 'fresh').status).toBe('pass');
      expect(result.stdout).toMatch(/ERROR=2 PASS=1 TOTAL=3/);
    });

    it('with nothing to check, says so and exits 0', async () => {
      const project = makeProject({ 'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{name: orders}]\n' }, backend);
      const result = await project.run('source', 'freshness');
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/nothing to check/);
    });
  });

  it('a malformed freshness is a config error at its file and line (exit 2)', async () => {
    const project = makeProject(
      {
        'models/sources.yml': `version: 2
sources:
  - name: raw
    loaded_at_field: loaded_at
    tables:
      - name: orders
        freshness:
          warn_after: {count: 2, period: week}
`,
      },
      backend,
    );
    const result = await project.run('source', 'freshness');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/models\/sources\.yml:8:\d+: invalid value at sources\.0\.tables\.0\.freshness\.warn_after\.period/);
    const typo = makeProject({ 'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    freshness: {warn_afer: {count: 1, period: hour}}\n' }, backend);
    const typoResult = await typo.run('source', 'freshness');
    expect(typoResult.code).toBe(2);
    expect(typoResult.stderr).toMatch(/models\/sources\.yml:4:\d+: unknown key 'warn_afer'/);
    expect(typoResult.stderr).toMatch(/warn_after/);
  });
});
