/**
 * Pipeline A (issue 7): the ambassador models on generated data, checked against results computed in TypeScript
 * (test/helpers/ambassador-reference.ts) from the generated files and the generator's manifest, never from the
 * models' SQL. The export's missing program and task ids are warnings, counted as the files give them.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { generate } from '../../scripts/generate-data/generate.js';
import type { Manifest } from '../../scripts/generate-data/manifest.js';
import { ambassadorTables, expectAmbassadorTables } from '../helpers/ambassador-reference.js';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

// ---------------------------------------------------------------------------------------------------------------
// The project: the repository's ambassador models, tests and macros, on freshly generated files.

const PLATFORMS = ['Instagram', 'TikTok', 'Facebook', 'YouTube', 'X', 'Other'];
const SCALE = 2000;
let generated: string;
let manifest: Manifest;

beforeAll(() => {
  generated = mkdtempSync(join(tmpdir(), 'tsdbt-ambassadors-'));
  rmSync(generated, { recursive: true, force: true });
  manifest = generate({ out: generated, scale: SCALE, seed: 7 });
});
afterAll(() => rmSync(generated, { recursive: true, force: true }));

/** The ambassadors entry of the repository's seeds/seeds.yml, alone. */
function seedsFile(): string {
  const seeds = yaml.load(readFileSync(join(REPO, 'seeds/seeds.yml'), 'utf8')) as { seeds: { name: string }[] };
  return yaml.dump({ version: 2, seeds: seeds.seeds.filter((seed) => seed.name === 'ambassadors') });
}

function ambassadorProject(backend: Parameters<typeof makeProject>[1]): TestProject {
  const project = makeProject({ 'seeds/seeds.yml': seedsFile() }, backend);
  for (const folder of ['models/ambassadors', 'tests/ambassadors', 'macros']) {
    cpSync(join(REPO, folder), join(project.dir, folder), { recursive: true });
  }
  cpSync(join(generated, 'ambassadors'), join(project.dir, 'seeds/ambassadors'), { recursive: true });
  return project;
}

interface Result { unique_id: string; status: string; failures: number | null }

const results = (project: TestProject): Result[] => (JSON.parse(project.read('target/run_results.json')) as { results: Result[] }).results;

/** Nodes that neither succeeded, passed nor warned. */
const failedNodes = (project: TestProject): string[] =>
  results(project).filter((r) => !['success', 'pass', 'warn'].includes(r.status)).map((r) => `${r.unique_id}: ${r.status}`);

/** The tests that warned, by name, with their failing-row counts. */
const warnings = (project: TestProject): Record<string, number | null> =>
  Object.fromEntries(results(project).filter((r) => r.status === 'warn').map((r) => [r.unique_id.split('.')[2]!, r.failures]));


async function brandIds(project: TestProject): Promise<Map<string, number>> {
  const rows = await project.query<{ brand_id: number; brand: string }>('select brand_id, brand from lookup.brands');
  return new Map(rows.map((r) => [r.brand, Number(r.brand_id)]));
}

describeBackends('ambassadors pipeline', (backend) => {
  it('builds, tests and matches results computed from the generated files', async () => {
    const project = ambassadorProject(backend);
    const build = await project.run('build');
    expect(failedNodes(project)).toEqual([]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    // The singular test ran (and passed, above).
    expect(build.stdout).toContain('ambassador_records_accounted_for');

    const e = ambassadorTables(join(project.dir, 'seeds/ambassadors'));
    const m = manifest.ambassadors;

    // Raw: every file loaded or rejected; the counts agree with what the generator planted.
    expect(e.files).toBe(m.files);
    expect(e.rejected.length).toBe(m.json.unrepairable);
    expect(e.repaired).toBe(m.json.truncated + m.json.trailing_comma + m.json.bare_nan + m.json.single_quotes);
    const raw = await project.query<{ loaded: number; repaired: number }>(
      'select count(*)::int as loaded, count(*) filter (where _repaired)::int as repaired from raw.ambassadors',
    );
    expect(raw[0]).toEqual({ loaded: m.files - m.json.unrepairable, repaired: e.repaired });
    const rejects = await project.query<{ _file: string; error: string }>('select _file, error from raw.ambassadors__rejects');
    expect(rejects.map((r) => r._file.replace(/^.*\//, '')).sort()).toEqual(e.rejected);
    expect(rejects.every((r) => r.error.length > 0)).toBe(true);

    // ambassadors: one per id; repeated user_ids collapse to one (files - ids fewer rows).
    expect(e.ambassadors.length).toBe(m.files - m.json.unrepairable - (m.duplicate_user_id.files - m.duplicate_user_id.ids));
    // Each planted kind shows: some emails and dates are NULL, some not; some program and task ids are missing.
    expect(e.ambassadors.filter((a) => a.email === null).length).toBeGreaterThan(0);
    expect(e.ambassadors.filter((a) => a.joined_at === null).length).toBeGreaterThan(0);
    const programIdsMissing = e.programs.filter((p) => p.program_id === null).length;
    const taskIdsMissing = e.tasks.filter((t) => t.task_id === null).length;
    expect(programIdsMissing).toBeGreaterThan(0);
    expect(taskIdsMissing).toBeGreaterThan(0);
    expect(new Set(e.tasks.map((t) => t.platform))).toEqual(new Set(PLATFORMS));

    // Every table, the analysis ones to the last digit stored.
    await expectAmbassadorTables(project, e);

    // lookup.brands: every brand once, numbered 1.. in byte order on the first build.
    const brands = [...new Set(e.programs.map((p) => p.brand).filter((b): b is string => b !== null))].sort();
    expect(new Map(brands.map((brand, i) => [brand, i + 1]))).toEqual(await brandIds(project));
    expect(brands).toContain('42'); // a numeric brand, as text

    // The export's missing ids are warnings whose rows are kept, counted as the files give them.
    expect(warnings(project)).toEqual({
      not_null_advocacy_programs_program_id: programIdsMissing,
      not_null_tasks_completed_task_id: taskIdsMissing,
    });
    const [stored] = await project.query<{ programs: number; tasks: number }>(
      `select (select count(*)::int from analytics_test_failures.not_null_advocacy_programs_program_id) as programs,
              (select count(*)::int from analytics_test_failures.not_null_tasks_completed_task_id) as tasks`,
    );
    expect(stored).toEqual({ programs: programIdsMissing, tasks: taskIdsMissing });
  });

  it('keeps brand ids across a run with new brands and across --full-refresh', async () => {
    const project = ambassadorProject(backend);
    expect((await project.run('build')).code).toBe(0);
    const first = await brandIds(project);
    expect(first.size).toBeGreaterThan(5);

    // New brands: one sorting before every existing one (it must not take an existing id), one after.
    const doc = (id: string, brands: string[]) => JSON.stringify({
      user_id: id, email: `${id}@example.com`, joined_at: '2024-05-01',
      advocacy_programs: brands.map((brand, i) => ({ program_id: `${id}_${i}`, brand, tasks_completed: [], total_sales_attributed: 1 })),
    });
    project.write('seeds/ambassadors/zz_new_brands.json', doc('u_new', ['  AAA First Brand ', 'Zzz Last Brand', 'Acme']));
    const second = await project.run('build');
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const afterNew = await brandIds(project);
    for (const [brand, id] of first) expect(afterNew.get(brand)).toBe(id);
    const maxId = Math.max(...first.values());
    // Numbered after the largest id, in byte order among themselves.
    expect(afterNew.get('AAA First Brand')).toBe(maxId + 1);
    expect(afterNew.get('Zzz Last Brand')).toBe(maxId + 2);
    expect(afterNew.size).toBe(first.size + 2);

    const refresh = await project.run('build', '--full-refresh');
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    expect(await brandIds(project)).toEqual(afterNew);
    // ...and the rebuilt programs still point at the right brands.
    const rows = await project.query<{ brand: string }>(
      "select b.brand from analytics.advocacy_programs p join lookup.brands b using (brand_id) where p.ambassador_id = 'u_new' order by p.program_id",
    );
    expect(rows.map((r) => r.brand)).toEqual(['AAA First Brand', 'Zzz Last Brand', 'Acme']);
  });
});
