/**
 * Pipeline A (issue 7): the ambassador models on generated data, checked against results computed here, in
 * TypeScript, from the generated files (read and repaired as the JSON loader does) and the generator's manifest,
 * never from the models' SQL.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonrepair } from 'jsonrepair';
import { afterAll, beforeAll, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { generate } from '../../scripts/generate-data/generate.js';
import type { Manifest } from '../../scripts/generate-data/manifest.js';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PLATFORMS = ['Instagram', 'TikTok', 'Facebook', 'YouTube', 'X', 'Other'];

// ---------------------------------------------------------------------------------------------------------------
// The rules of issue 7, in TypeScript.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** SQL's trim(): spaces only. */
const trim = (text: string): string => text.replace(/^ +| +$/g, '');

/** PostgreSQL's `->>`: a string's text, a number's or another value's JSON text, NULL for null or missing. */
function text(value: Json | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const arrayOf = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** A JSON number, or a string holding a plain decimal; else null ('NaN', 'no-data', null, missing). */
function numberOf(value: Json | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/.test(trim(value))) return Number(trim(value));
  return null;
}

function metric(value: Json | undefined): number | null {
  const n = numberOf(value);
  return n !== null && n >= 0 && Number.isInteger(n) ? n : null;
}

function sales(value: Json | undefined): number | null {
  const n = numberOf(value);
  return n !== null && n >= 0 ? n : null;
}

function platform(value: Json | undefined): string {
  const key = trim(text(value) ?? '').toLowerCase();
  const known: Record<string, string> = {
    instagram: 'Instagram', tiktok: 'TikTok', facebook: 'Facebook', youtube: 'YouTube', twitter: 'X', x: 'X',
  };
  return known[key] ?? 'Other';
}

function email(value: Json | undefined): string | null {
  const candidate = text(value);
  if (candidate === null) return null;
  const cleaned = trim(candidate).toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(cleaned) ? cleaned : null;
}

/** Milliseconds since the epoch, or null unless an ISO-8601 (extended) date or date-time; a date alone is midnight UTC. */
function joinedAt(value: Json | undefined): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?$/.exec(
    text(value) ?? '',
  );
  if (!m) return null;
  const part = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, offsetHours, offsetMinutes] = [part(1), part(2), part(3), part(4), part(5), part(9), part(10)];
  const second = Number(m[6] ?? 0);
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  const dayExists = month >= 1 && month <= 12 && day >= 1 && date.getUTCMonth() === month - 1;
  if (year < 1 || !dayExists || hour > 23 || minute > 59 || second >= 60 || offsetHours > 23 || offsetMinutes > 59) return null;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 - offset;
}

interface Ambassador { ambassador_id: string; email: string | null; joined_at: number | null; file: string }
interface Program { ambassador_id: string; program_id: string | null; brand: string | null; total_sales_attributed: number | null }
interface Task {
  ambassador_id: string; program_id: string | null; task_id: string | null; platform: string; post_url: string | null;
  likes: number | null; comments: number | null; shares: number | null; reach: number | null;
}

interface Expected {
  files: number;
  rejected: string[];
  repaired: number;
  ambassadors: Ambassador[];
  programs: Program[];
  tasks: Task[];
}

/** What the tables must hold, from the files of a folder of ambassador documents. */
function expected(dir: string): Expected {
  const names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const rejected: string[] = [];
  let repaired = 0;
  const current = new Map<string, { name: string; doc: JsonObject }>();
  for (const name of names) {
    const raw = readFileSync(join(dir, name), 'utf8');
    let doc: Json;
    try {
      doc = JSON.parse(raw) as Json;
    } catch {
      try {
        doc = JSON.parse(jsonrepair(raw)) as Json;
        repaired++;
      } catch {
        rejected.push(name);
        continue;
      }
    }
    if (!isObject(doc)) {
      rejected.push(name);
      continue;
    }
    const userId = trim(text(doc.user_id) ?? '');
    const id = userId !== '' ? userId : createHash('md5').update(name).digest('hex');
    // Names are visited in order: a later file of the same id replaces the earlier one.
    current.set(id, { name, doc });
  }
  const ambassadors: Ambassador[] = [];
  const programs: Program[] = [];
  const tasks: Task[] = [];
  for (const [id, { name, doc }] of current) {
    ambassadors.push({ ambassador_id: id, email: email(doc.email), joined_at: joinedAt(doc.joined_at), file: name });
    for (const program of arrayOf(doc.advocacy_programs)) {
      const p = isObject(program) ? program : {};
      const programId = text(p.program_id);
      const brand = text(p.brand) === null ? null : trim(text(p.brand)!) || null;
      programs.push({ ambassador_id: id, program_id: programId, brand, total_sales_attributed: sales(p.total_sales_attributed) });
      for (const task of arrayOf(p.tasks_completed)) {
        const t = isObject(task) ? task : {};
        tasks.push({
          ambassador_id: id, program_id: programId, task_id: text(t.task_id), platform: platform(t.platform),
          post_url: text(t.post_url), likes: metric(t.likes), comments: metric(t.comments), shares: metric(t.shares),
          reach: metric(t.reach),
        });
      }
    }
  }
  return { files: names.length, rejected, repaired, ambassadors, programs, tasks };
}

const sum = (values: (number | null)[]): number => values.reduce<number>((total, v) => total + (v ?? 0), 0);

function brandPerformance(e: Expected): Record<string, unknown>[] {
  const brands = [...new Set(e.programs.map((p) => p.brand).filter((b): b is string => b !== null))].sort();
  return brands.map((brand) => {
    const programs = e.programs.filter((p) => p.brand === brand);
    const keys = new Set(programs.map((p) => `${p.ambassador_id}\u0000${p.program_id}`));
    const tasks = e.tasks.filter((t) => keys.has(`${t.ambassador_id}\u0000${t.program_id}`));
    return {
      brand,
      ambassadors: new Set(programs.map((p) => p.ambassador_id)).size,
      programs: programs.length,
      tasks: tasks.length,
      total_sales_attributed: sum(programs.map((p) => p.total_sales_attributed)),
      total_likes: sum(tasks.map((t) => t.likes)),
      total_comments: sum(tasks.map((t) => t.comments)),
      total_shares: sum(tasks.map((t) => t.shares)),
      total_reach: sum(tasks.map((t) => t.reach)),
    };
  });
}

function platformEngagement(e: Expected): Record<string, unknown>[] {
  const platforms = [...new Set(e.tasks.map((t) => t.platform))].sort();
  return platforms.map((name) => {
    const tasks = e.tasks.filter((t) => t.platform === name);
    const rated = tasks.filter((t) => t.likes !== null && t.comments !== null && t.shares !== null && t.reach !== null && t.reach > 0);
    return {
      platform: name,
      tasks: tasks.length,
      total_likes: sum(tasks.map((t) => t.likes)),
      total_comments: sum(tasks.map((t) => t.comments)),
      total_shares: sum(tasks.map((t) => t.shares)),
      total_reach: sum(tasks.map((t) => t.reach)),
      engagement_rate: rated.length === 0 ? null
        : sum(rated.map((t) => t.likes! + t.comments! + t.shares!)) / sum(rated.map((t) => t.reach)),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The project: the repository's ambassador models, tests and macros, on freshly generated files.

/** makeProject's target schema: the cleaned tables build there. */
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

function failedNodes(project: TestProject): string[] {
  const results = JSON.parse(project.read('target/run_results.json')) as { results: { unique_id: string; status: string }[] };
  return results.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.unique_id}: ${r.status}`);
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const byKey = <T extends object>(rows: T[], key: (row: Record<string, unknown>) => string): T[] => [...rows].sort((a, b) => {
    const [ka, kb] = [key(a as Record<string, unknown>), key(b as Record<string, unknown>)];
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
const taskKey = (t: Record<string, unknown>) => `${String(t.ambassador_id)}|${String(t.program_id)}|${String(t.task_id)}`;

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

    const e = expected(join(project.dir, 'seeds/ambassadors'));
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
    const ambassadors = await project.query<{ ambassador_id: string; email: string | null; joined_at: Date | null; source_file: string }>(
      'select ambassador_id, email, joined_at, source_file from analytics.ambassadors',
    );
    expect(byKey(ambassadors.map((a) => ({
      ambassador_id: a.ambassador_id, email: a.email, joined_at: a.joined_at === null ? null : new Date(a.joined_at).getTime(),
      file: a.source_file.replace(/^.*\//, ''),
    })), (a) => String(a.ambassador_id))).toEqual(byKey(e.ambassadors, (a) => String(a.ambassador_id)));
    // Each planted kind shows: some emails and dates are NULL, some not.
    expect(e.ambassadors.filter((a) => a.email === null).length).toBeGreaterThan(0);
    expect(e.ambassadors.filter((a) => a.joined_at === null).length).toBeGreaterThan(0);

    // lookup.brands: every brand once, numbered 1.. in byte order on the first build.
    const brands = [...new Set(e.programs.map((p) => p.brand).filter((b): b is string => b !== null))].sort();
    const ids = await brandIds(project);
    expect(new Map(brands.map((brand, i) => [brand, i + 1]))).toEqual(ids);
    expect(brands).toContain('42'); // a numeric brand, as text

    // advocacy_programs, with the brand read back through lookup.brands.
    const programs = await project.query<Record<string, unknown>>(
      `select p.ambassador_id, p.program_id, b.brand, p.total_sales_attributed
       from analytics.advocacy_programs p left join lookup.brands b using (brand_id)`,
    );
    const programKey = (p: Record<string, unknown>) => `${String(p.ambassador_id)}|${String(p.program_id)}`;
    expect(byKey(programs.map((p) => ({ ...p, total_sales_attributed: num(p.total_sales_attributed) })), programKey))
      .toEqual(byKey(e.programs, programKey));

    // tasks_completed.
    const tasks = await project.query<Record<string, unknown>>(
      'select ambassador_id, program_id, task_id, platform, post_url, likes, comments, shares, reach from analytics.tasks_completed',
    );
    expect(byKey(tasks.map((t) => ({
      ...t, likes: num(t.likes), comments: num(t.comments), shares: num(t.shares), reach: num(t.reach),
    })), taskKey)).toEqual(byKey(e.tasks, taskKey));
    expect(new Set(e.tasks.map((t) => t.platform))).toEqual(new Set(PLATFORMS));

    // The analysis tables.
    const performance = await project.query<Record<string, unknown>>('select * from analysis.brand_performance order by brand collate "C"');
    const expectedPerformance = brandPerformance(e);
    expect(performance.map((row) => Object.keys(row))[0]).toEqual(Object.keys(expectedPerformance[0]!));
    expect(performance.map((row) => ({
      ...Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'brand' ? v : num(v)])),
      total_sales_attributed: Math.round(Number(row.total_sales_attributed) * 100) / 100,
    }))).toEqual(expectedPerformance.map((row) => ({
      ...row, total_sales_attributed: Math.round(Number(row.total_sales_attributed) * 100) / 100,
    })));

    const engagement = await project.query<Record<string, unknown>>('select * from analysis.platform_engagement order by platform collate "C"');
    const expectedEngagement = platformEngagement(e);
    expect(engagement.map((row) => Object.keys(row))[0]).toEqual(Object.keys(expectedEngagement[0]!));
    expect(engagement.length).toBe(expectedEngagement.length);
    engagement.forEach((row, i) => {
      const want = expectedEngagement[i]!;
      const { engagement_rate: rate, ...rest } = want;
      expect({ ...row, engagement_rate: undefined, platform: row.platform, tasks: num(row.tasks), total_likes: num(row.total_likes),
        total_comments: num(row.total_comments), total_shares: num(row.total_shares), total_reach: num(row.total_reach) })
        .toEqual({ ...rest, engagement_rate: undefined });
      if (rate === null) expect(row.engagement_rate).toBeNull();
      else expect(Number(row.engagement_rate)).toBeCloseTo(rate as number, 12);
    });
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
