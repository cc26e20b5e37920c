/**
 * The repository's own project, as a fresh clone has it: `tsdbt build` builds and tests all four pipelines from the
 * committed samples. Each pipeline's own test checks its tables' contents; this one checks that the whole project
 * builds together, on each backend, with every node succeeding or passing but the two warnings the sample shares
 * with the real ambassador export (programs without a program_id, tasks without a task_id).
 */
import { expect, it } from 'vitest';
import { makeExampleProject } from '../helpers/example-project.js';
import { describeBackends } from '../helpers/suite.js';

interface RunResult {
  unique_id: string;
  status: string;
}

describeBackends('the example project', (backend) => {
  it('builds and tests all four pipelines from the committed samples', async () => {
    const project = makeExampleProject(backend);

    const build = await project.run('build');
    expect(build.code, build.stdout + build.stderr).toBe(0);
    // The recap, on stderr, holds the two warnings and nothing else.
    expect(build.stderr).toMatch(/Completed with 2 warnings:/);
    const recapped = (build.stderr.match(/^(Warning|Error|Failure) in .*$/gm) ?? []).map((line) => line.replace(/^(\w+) in .*"\."(\w+)".*$/, '$1 $2')).sort();
    expect(recapped).toEqual(['Warning not_null_advocacy_programs_program_id', 'Warning not_null_tasks_completed_task_id']);
    const results = (JSON.parse(project.read('target/run_results.json')) as { results: RunResult[] }).results;
    const notPassed = results.filter((r) => r.status !== 'success' && r.status !== 'pass');
    expect(notPassed.map((r) => `${r.unique_id}: ${r.status}`).sort()).toEqual([
      'test.tsdbt_examples.not_null_advocacy_programs_program_id.bd80044bed: warn',
      'test.tsdbt_examples.not_null_tasks_completed_task_id.3a072d8dc8: warn',
    ]);

    const tables = ['analysis.brand_performance', 'analysis.pinterest_top_category_by_country', 'analysis.daily_active_users', 'analysis.session_metrics_daily', 'analysis.activity_clusters', 'analysis.regional_activity_clusters'];
    const counts = await project.query<Record<string, number>>(`select ${tables.map((t, i) => `(select count(*)::int from ${t}) as t${i}`).join(', ')}`);
    tables.forEach((table, i) => expect(counts[0]![`t${i}`], table).toBeGreaterThan(0));
  });
});
