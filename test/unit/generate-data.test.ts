import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { jsonrepair } from 'jsonrepair';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonRecords } from '../../src/loaders/json/json-records.js';
import { appendSinkFiles, generate } from '../../scripts/generate-data/generate.js';
import type { Manifest } from '../../scripts/generate-data/manifest.js';
import { RATES } from '../../scripts/generate-data/rates.js';

/*
 * The classifiers below re-derive every planted defect from the files alone, independently of the generator's code,
 * so the manifest can be trusted by the pipelines' integration tests.
 */

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbt-generate-data-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

/** Every file's bytes, keyed by its path relative to `dir`. */
function snapshot(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((file) => [relative(dir, file), readFileSync(file, 'latin1')]));
}

type Counts = Record<string, number>;
const bump = (counts: Counts, kind: string): void => {
  counts[kind] = (counts[kind] ?? 0) + 1;
};
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const CANONICAL_PLATFORMS: Record<string, string> = { instagram: 'Instagram', tiktok: 'TikTok', facebook: 'Facebook', youtube: 'YouTube' };
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Metrics must be integral; total_sales_attributed may be any non-negative number. */
function metricKind(holder: Record<string, unknown>, key: string, integral = true): string {
  if (!(key in holder)) return 'missing';
  const value = holder[key];
  if (value === null) return 'null';
  if (typeof value === 'number') return value < 0 ? 'negative' : !integral || Number.isInteger(value) ? 'number' : 'fractional';
  if (value === 'NaN') return 'nan_string';
  if (value === 'no-data') return 'no_data';
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return 'numeric_string';
  return `unexpected ${JSON.stringify(value)}`;
}

function arrayKind(holder: Record<string, unknown>, key: string): { kind: string; items: Record<string, unknown>[] } {
  if (!(key in holder)) return { kind: 'missing', items: [] };
  const value = holder[key];
  if (!Array.isArray(value)) return { kind: `unexpected ${JSON.stringify(value)}`, items: [] };
  return { kind: value.length === 0 ? 'empty' : 'present', items: value.filter(isObject) };
}

/** Re-reads `<out>/ambassadors/` into the shape of the manifest's `ambassadors` section. */
function rereadAmbassadors(dir: string): Record<string, unknown> {
  const c = {
    files: 0, json: {} as Counts, user_id: {} as Counts, documents_with_fields_counted: 0, email: {} as Counts,
    joined_at: {} as Counts, advocacy_programs: {} as Counts, programs: 0, brand: {} as Counts, program_id: {} as Counts,
    total_sales_attributed: {} as Counts, tasks_completed: {} as Counts, tasks: 0, task_id: {} as Counts, platform: {} as Counts,
    metrics: {} as Counts,
  };
  const filesPerId = new Map<string, number>();
  for (const file of filesUnder(dir)) {
    c.files++;
    const text = readFileSync(file, 'utf8');
    let doc: unknown;
    let json: string;
    try {
      doc = JSON.parse(text);
      json = 'valid';
    } catch {
      try {
        doc = JSON.parse(jsonrepair(text));
      } catch {
        doc = undefined;
      }
      json = !isObject(doc) ? 'unrepairable'
        : /^\{\s*'/.test(text) ? 'single_quotes'
          : /:\s*NaN\b/.test(text) ? 'bare_nan'
            : !text.trimEnd().endsWith('}') ? 'truncated' : 'trailing_comma';
    }
    bump(c.json, json);
    if (!isObject(doc)) continue;

    const userId = doc.user_id;
    bump(c.user_id, !('user_id' in doc) ? 'missing' : userId === null ? 'null'
      : typeof userId !== 'string' ? 'unexpected' : userId.trim() === '' ? 'empty' : userId.trim() !== userId ? 'padded' : 'ok');
    if (typeof userId === 'string' && userId.trim() !== '') filesPerId.set(userId.trim(), (filesPerId.get(userId.trim()) ?? 0) + 1);
    if (json === 'truncated') continue;

    c.documents_with_fields_counted++;
    const email = doc.email;
    bump(c.email, email === null ? 'null' : typeof email !== 'string' ? 'unexpected'
      : !EMAIL.test(email.trim().toLowerCase()) ? 'invalid' : email.trim() !== email ? 'padded'
        : email.toLowerCase() !== email ? 'mixed_case' : 'ok');
    const joined = doc.joined_at;
    bump(c.joined_at, joined === null ? 'null' : typeof joined !== 'string' ? 'unexpected'
      : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(joined) ? 'iso_utc'
        : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(joined) ? 'iso_offset'
          : /^\d{4}-\d{2}-\d{2}$/.test(joined) ? 'date_only' : 'garbage');
    const programs = arrayKind(doc, 'advocacy_programs');
    bump(c.advocacy_programs, programs.kind);
    for (const program of programs.items) {
      c.programs++;
      const brand = program.brand;
      bump(c.brand, typeof brand === 'number' ? 'numeric' : typeof brand !== 'string' ? 'unexpected'
        : brand.trim() !== brand ? 'padded' : 'ok');
      const programId = program.program_id;
      bump(c.program_id, programId === null ? 'null' : typeof programId !== 'string' ? 'unexpected'
        : programId === '' ? 'empty' : programId.trim() === '' ? 'blank' : 'ok');
      bump(c.total_sales_attributed, metricKind(program, 'total_sales_attributed', false));
      const tasks = arrayKind(program, 'tasks_completed');
      bump(c.tasks_completed, tasks.kind);
      for (const task of tasks.items) {
        c.tasks++;
        const taskId = task.task_id;
        bump(c.task_id, !('task_id' in task) ? 'missing' : taskId === null ? 'null' : typeof taskId !== 'string' ? 'unexpected'
          : taskId === '' ? 'empty' : 'ok');
        const platform = typeof task.platform === 'string' ? task.platform.trim().toLowerCase() : '';
        const canonical = CANONICAL_PLATFORMS[platform];
        bump(c.platform, canonical !== undefined ? (task.platform === canonical ? 'canonical' : 'variant')
          : platform === 'twitter' || platform === 'x' ? 'twitter_x' : 'other');
        for (const metric of ['likes', 'comments', 'shares', 'reach']) bump(c.metrics, metricKind(task, metric));
      }
    }
  }
  const shared = [...filesPerId.values()].filter((n) => n > 1);
  return { ...c, duplicate_user_id: { files: shared.reduce((a, b) => a + b, 0), ids: shared.length } };
}

/** Re-reads `<out>/pinterest/topics/` into the shape of the manifest's `pinterest` counts. */
function rereadPinterest(dir: string): Record<string, unknown> {
  const files: Counts = {};
  const lines: Counts = {};
  const redelivered: Counts = {};
  const unique: Record<string, Map<number, Record<string, unknown>>> = {};
  const topicDirs = readdirSync(join(dir, 'topics'));
  expect(topicDirs).toHaveLength(3);
  for (const topicDir of topicDirs) {
    const topic = topicDir.slice(topicDir.lastIndexOf('.') + 1);
    const seen = new Map<number, { text: string; file: string }>();
    files[topic] = 0;
    lines[topic] = 0;
    redelivered[topic] = 0;
    for (const file of filesUnder(join(dir, 'topics', topicDir))) {
      expect(relative(join(dir, 'topics', topicDir), file)).toMatch(/^partition=0\/[0-9a-f]+\.(pin|geo|user)\+0\+\d{10}\.json$/);
      files[topic]++;
      const texts = readFileSync(file, 'utf8').split('\n');
      expect(texts.pop()).toBe('');
      for (const text of texts) {
        lines[topic]++;
        const record = JSON.parse(text) as Record<string, unknown>;
        const ind = (topic === 'pin' ? record.index : record.ind) as number;
        const earlier = seen.get(ind);
        if (earlier) {
          // At-least-once delivery: the same record, byte for byte, in another file.
          expect(earlier.text).toBe(text);
          expect(earlier.file).not.toBe(file);
          redelivered[topic]++;
        } else {
          seen.set(ind, { text, file });
        }
      }
    }
    unique[topic] = new Map([...seen].map(([ind, { text }]) => [ind, JSON.parse(text) as Record<string, unknown>]));
  }
  const pins = [...(unique.pin ?? new Map()).values()];
  const kind = (value: unknown, placeholder: string): string => (value === placeholder ? 'placeholder' : 'ok');
  const c: Record<string, Counts> = {
    follower_count: {}, title: {}, description: {}, tag_list: {}, image_src: {}, poster_name: {}, category: {},
    age_group: {}, geo_year: {}, joined_year: {},
  };
  for (const pin of pins) {
    const followers = String(pin.follower_count);
    bump(c.follower_count!, /^\d+$/.test(followers) ? 'plain' : /^\d+k$/.test(followers) ? 'thousands'
      : /^\d+M$/.test(followers) ? 'millions' : followers === 'User Info Error' ? 'user_info_error' : 'unexpected');
    bump(c.title!, kind(pin.title, 'No Title Data Available'));
    bump(c.description!, pin.description === 'No description available Story format' ? 'placeholder_story'
      : kind(pin.description, 'No description available'));
    bump(c.tag_list!, kind(pin.tag_list, 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e'));
    bump(c.image_src!, kind(pin.image_src, 'Image src error.'));
    bump(c.poster_name!, kind(pin.poster_name, 'User Info Error'));
    bump(c.category!, String(pin.category));
    expect(pin.save_location).toBe(`Local save in /data/${String(pin.category)}`);
  }
  for (const geo of unique.geo?.values() ?? []) {
    expect(geo.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    bump(c.geo_year!, String(geo.timestamp).slice(0, 4));
  }
  for (const user of unique.user?.values() ?? []) {
    const age = user.age as number;
    bump(c.age_group!, age < 18 ? 'none' : age <= 24 ? '18-24' : age <= 35 ? '25-35' : age <= 50 ? '36-50' : '50+');
    bump(c.joined_year!, String(user.date_joined).slice(0, 4));
  }
  const inds = (topic: string): number[] => [...(unique[topic]?.keys() ?? [])].sort((a, b) => a - b);
  expect(inds('geo')).toEqual(inds('pin'));
  expect(inds('user')).toEqual(inds('pin'));
  return { records: pins.length, files, lines, redelivered, ...c };
}

/** The manifest section with zero counts dropped, since a re-read cannot see a kind that never occurs. */
function nonZero(section: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (isObject(value) && Object.values(value).every((v) => typeof v === 'number') && key !== 'duplicate_user_id') {
      out[key] = Object.fromEntries(Object.entries(value).filter(([, n]) => n !== 0));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The manifest's Pinterest counts, without the sink state that only `--append` reads. */
function pinterestCounts(manifest: Manifest): Record<string, unknown> {
  const counts: Record<string, unknown> = { ...manifest.pinterest };
  delete counts.sink;
  return nonZero(counts);
}

/** Observed shares against configured weights: within four standard deviations, plus a little for small weights. */
function expectRates(label: string, counts: Counts, weights: Readonly<Record<string, number>>): void {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  expect(total, label).toBeGreaterThan(500);
  for (const [kind, p] of Object.entries(weights)) {
    const observed = (counts[kind] ?? 0) / total;
    const tolerance = 4 * Math.sqrt((p * (1 - p)) / total) + 0.005;
    expect(Math.abs(observed - p), `${label}.${kind}: ${observed.toFixed(4)} vs ${p}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('generate-data', () => {
  let out: string;
  let manifest: Manifest;
  beforeAll(() => {
    out = join(tempDir(), 'data');
    manifest = generate({ out, scale: 30_000, seed: 7 });
  });

  it('writes the same bytes for the same arguments, and other bytes for another seed', () => {
    const a = join(tempDir(), 'a');
    const b = join(tempDir(), 'b');
    const c = join(tempDir(), 'c');
    generate({ out: a, scale: 3000, seed: 3 });
    generate({ out: b, scale: 3000, seed: 3 });
    generate({ out: c, scale: 3000, seed: 4 });
    const first = snapshot(a);
    expect(first.size).toBeGreaterThan(300);
    expect(snapshot(b)).toEqual(first);
    expect(snapshot(c).get('manifest.json')).not.toBe(first.get('manifest.json'));
  });

  it('writes n pins (with a geo and a user record each) and n/10 ambassadors', () => {
    expect(manifest.pinterest.records).toBe(30_000);
    expect(manifest.ambassadors.files).toBe(3000);
    expect(readdirSync(join(out, 'ambassadors'))).toHaveLength(3000);
    expect(manifest.pinterest.files.pin).toBeGreaterThan(20);
  });

  it('counts in the manifest what a re-read of the ambassador files finds', () => {
    expect(rereadAmbassadors(join(out, 'ambassadors'))).toEqual(nonZero(manifest.ambassadors));
  });

  it('counts in the manifest what a re-read of the Pinterest sink files finds', () => {
    expect(rereadPinterest(join(out, 'pinterest'))).toEqual(pinterestCounts(manifest));
  });

  it("meets tsdbt's JSON loader as planned: one record per file, repaired or rejected as the manifest says", async () => {
    const seen = { clean: 0, repaired: 0, rejected: 0 };
    for (const file of filesUnder(join(out, 'ambassadors'))) {
      const items = [];
      for await (const item of readJsonRecords((async function* () { yield readFileSync(file); })(), 'json')) items.push(item);
      expect(items, file).toHaveLength(1);
      const item = items[0];
      if (item?.kind === 'reject') seen.rejected++;
      else if (item?.repaired) seen.repaired++;
      else seen.clean++;
    }
    const { valid, unrepairable, ...repairable } = manifest.ambassadors.json;
    expect(seen).toEqual({ clean: valid, repaired: Object.values(repairable).reduce((a, b) => a + b, 0), rejected: unrepairable });
  });

  it('plants every defect at its configured rate', () => {
    const a = manifest.ambassadors;
    const r = RATES.ambassador;
    expectRates('json', a.json, r.json);
    const { duplicate, ok, ...userIdRest } = r.userId;
    expectRates('user_id', a.user_id, { ok: ok + duplicate, ...userIdRest });
    // A duplicate falls back to its own id when the file it would repeat has none to repeat.
    const repeating = (a.duplicate_user_id.files - a.duplicate_user_id.ids) / a.files;
    expect(repeating).toBeGreaterThan(duplicate * 0.5);
    expect(repeating).toBeLessThan(duplicate * 1.2);
    expectRates('email', a.email, r.email);
    expectRates('joined_at', a.joined_at, r.joinedAt);
    expectRates('advocacy_programs', a.advocacy_programs, r.programs);
    expectRates('brand', a.brand, r.brand);
    expectRates('program_id', a.program_id, r.programId);
    expectRates('task_id', a.task_id, r.taskId);
    expectRates('tasks_completed', a.tasks_completed, r.tasks);
    expectRates('total_sales_attributed', a.total_sales_attributed, r.totalSales);
    expectRates('platform', a.platform, r.platform);
    expectRates('metrics', a.metrics, r.metric);
    const p = manifest.pinterest;
    const rp = RATES.pinterest;
    expectRates('follower_count', p.follower_count, rp.followerCount);
    expectRates('title', p.title, rp.title);
    expectRates('description', p.description, rp.description);
    expectRates('tag_list', p.tag_list, rp.tagList);
    expectRates('image_src', p.image_src, rp.imageSrc);
    expectRates('poster_name', p.poster_name, rp.posterName);
    for (const topic of ['pin', 'geo', 'user'] as const) {
      expectRates(`redelivered.${topic}`, { yes: p.redelivered[topic], no: p.records - p.redelivered[topic] },
        { yes: rp.redelivery, no: 1 - rp.redelivery });
    }
    // Every age group, ages outside them, and years on both sides of the analyses' ranges.
    for (const n of Object.values(p.age_group)) expect(n).toBeGreaterThan(0);
    for (const n of Object.values(p.geo_year)) expect(n).toBeGreaterThan(0);
    for (const n of Object.values(p.joined_year)) expect(n).toBeGreaterThan(0);
  });

  it('appends new sink files only, deterministically, continuing the offsets', () => {
    const base = join(tempDir(), 'base');
    generate({ out: base, scale: 2000, seed: 5 });
    const before = snapshot(base);
    const copy = join(tempDir(), 'copy');
    cpSync(base, copy, { recursive: true });
    const stepwise = join(tempDir(), 'stepwise');
    cpSync(base, stepwise, { recursive: true });

    const appended = appendSinkFiles(base, 2);
    const after = snapshot(base);
    const added = [...after.keys()].filter((path) => !before.has(path));
    expect(added).toHaveLength(6);
    for (const path of added) expect(path).toMatch(/^pinterest\/topics\/[^/]+\.(pin|geo|user)\/partition=0\//);
    for (const [path, bytes] of before) if (path !== 'manifest.json') expect(after.get(path), path).toBe(bytes);
    expect(appended.pinterest.records).toBeGreaterThan(2000);
    expect(appended.generator.appends).toEqual([2]);
    expect(rereadPinterest(join(base, 'pinterest'))).toEqual(pinterestCounts(appended));

    appendSinkFiles(copy, 2);
    expect(snapshot(copy)).toEqual(after);
    appendSinkFiles(stepwise, 1);
    appendSinkFiles(stepwise, 1);
    const files = (dir: string) => new Map([...snapshot(dir)].filter(([path]) => path !== 'manifest.json'));
    expect(files(stepwise)).toEqual(files(base));
  });

  it('runs as npm run generate-data, writing what generate() writes', () => {
    const viaCli = join(tempDir(), 'cli');
    const viaApi = join(tempDir(), 'api');
    execFileSync(join('node_modules', '.bin', 'tsx'), ['scripts/generate-data.ts', '--scale', '500', '--seed', '9', '--out', viaCli],
      { stdio: 'pipe' });
    generate({ out: viaApi, scale: 500, seed: 9, issue8: true });
    expect(snapshot(viaCli)).toEqual(snapshot(viaApi));
    expect(() => generate({ out: viaApi, scale: 500, seed: 9 })).toThrow(/not empty/);
    expect(statSync(join(viaCli, 'manifest.json')).size).toBeGreaterThan(0);
  });
});
