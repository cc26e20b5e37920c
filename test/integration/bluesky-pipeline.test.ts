/**
 * The example project's time-zone clustering pipeline (models/bluesky/, issue 8, pipeline D) on generated posts:
 * analysis.activity_clusters must be the k-means computed here from the generated ndjson files themselves (each line
 * parsed as the loader does, one point per post, test/helpers/plain-kmeans.ts), placed in regions read from
 * seeds/lookups/timezone_regions.csv in file order; regional_activity_clusters its per-region summary. A second run
 * with another cluster_count shows the upsert: regions seen again are updated, the others keep their last row.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonrepair } from 'jsonrepair';
import { afterAll, expect, it } from 'vitest';
import { generate } from '../../scripts/generate-data/generate.js';
import type { Manifest } from '../../scripts/generate-data/manifest.js';
import { circularGap, plainKMeans } from '../helpers/plain-kmeans.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** Two files (50,000 posts a file), a few seconds to load on either backend. */
const POSTS = 60_000;

// ---------------------------------------------------------------------------------------------------------------------
// The generated inputs, once for both backends.

const generated = mkdtempSync(join(tmpdir(), 'tsdbt-bluesky-'));
afterAll(() => rmSync(generated, { recursive: true, force: true }));
let manifest: Manifest | undefined;
function inputs(): Manifest {
  manifest ??= generate({ out: generated, scale: POSTS, seed: 11, issue8: true });
  return manifest;
}

// ---------------------------------------------------------------------------------------------------------------------
// The expected results, from the files.

/** Every line the loader makes a record of: JSON.parse, else jsonrepair then JSON.parse, and an object. */
function posts(dir: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ndjson')).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        try {
          value = JSON.parse(jsonrepair(line));
        } catch {
          continue;
        }
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    }
  }
  return out;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Seconds since UTC midnight of a valid created_at, fraction dropped; undefined when invalid: not the ISO form with
 * Z or an offset, or a field out of range (a month day that does not exist, hour 25, offset beyond 14 hours).
 */
function utcSecondOfDay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_INSTANT.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offset = m[8]!;
  const date = new Date(Date.UTC(year, month - 1, day));
  const dayExists = year > 0 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!dayExists || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const ms = Date.parse(value);
  return Math.floor((((ms % 86_400_000) + 86_400_000) % 86_400_000) / 1000);
}

/** timezone_regions.csv, in file order. */
function regions(): Array<{ region: string; offset: number }> {
  const [header, ...lines] = readFileSync(join(repo, 'seeds', 'lookups', 'timezone_regions.csv'), 'utf8').trim().split('\n');
  expect(header).toBe('region,utc_offset_hours');
  return lines.map((line) => {
    const [region, offset] = line.split(',');
    return { region: region!, offset: Number(offset) };
  });
}

interface ClusterRow {
  cluster_id: number;
  center_hour_utc: number;
  post_count: number;
  region: string;
  confidence: number;
}

function expectedClusters(seconds: number[], k: number): ClusterRow[] {
  const zones = regions();
  return plainKMeans(seconds.map((s) => s / 3600), k).map(({ index, centerHour, count }) => {
    let region = 'Unknown';
    let confidence = 0;
    let matched = false;
    for (const zone of zones) {
      const local = (centerHour + zone.offset + 24) % 24;
      if (local < 9 || local > 17) continue;
      const c = 1 - Math.abs(local - 13) / 4;
      if (!matched || c > confidence) [region, confidence, matched] = [zone.region, c, true];
    }
    return { cluster_id: index, center_hour_utc: centerHour, post_count: count, region, confidence };
  });
}

interface RegionRow {
  region: string;
  clusters: number;
  post_count: number;
  avg_confidence: number;
}

function expectedRegions(clusters: ClusterRow[]): RegionRow[] {
  const byRegion = new Map<string, ClusterRow[]>();
  for (const c of clusters) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);
  return [...byRegion].map(([region, members]) => ({
    region,
    clusters: members.length,
    post_count: members.reduce((s, c) => s + c.post_count, 0),
    avg_confidence: members.reduce((s, c) => s + c.confidence, 0) / members.length,
  }));
}

// ---------------------------------------------------------------------------------------------------------------------
// The built tables.

async function actualClusters(project: TestProject): Promise<ClusterRow[]> {
  const rows = await project.query<Record<string, unknown>>('select * from analysis.activity_clusters order by cluster_id');
  return rows.map((r) => ({
    cluster_id: Number(r.cluster_id),
    center_hour_utc: Number(r.center_hour_utc),
    post_count: Number(r.post_count),
    region: String(r.region),
    confidence: Number(r.confidence),
  }));
}

function checkClusters(actual: ClusterRow[], expected: ClusterRow[]): void {
  expect(actual.map(({ cluster_id, post_count, region }) => ({ cluster_id, post_count, region }))).toEqual(
    expected.map(({ cluster_id, post_count, region }) => ({ cluster_id, post_count, region })),
  );
  actual.forEach((row, i) => {
    expect(circularGap(row.center_hour_utc, expected[i]!.center_hour_utc), `cluster ${row.cluster_id}: centre`).toBeLessThan(1e-9);
    expect(Math.abs(row.confidence - expected[i]!.confidence), `cluster ${row.cluster_id}: confidence`).toBeLessThan(1e-9);
  });
}

interface StoredRegion extends RegionRow {
  updated_at: Date;
}

async function actualRegions(project: TestProject): Promise<Map<string, StoredRegion>> {
  const rows = await project.query<Record<string, unknown>>('select * from analysis.regional_activity_clusters');
  return new Map(
    rows.map((r) => [
      String(r.region),
      { region: String(r.region), clusters: Number(r.clusters), post_count: Number(r.post_count), avg_confidence: Number(r.avg_confidence), updated_at: new Date(r.updated_at as Date) },
    ]),
  );
}

function checkRegion(actual: StoredRegion | undefined, expected: RegionRow): void {
  expect(actual, expected.region).toBeDefined();
  const { avg_confidence, ...exact } = expected;
  expect({ region: actual!.region, clusters: actual!.clusters, post_count: actual!.post_count }).toEqual(exact);
  expect(Math.abs(actual!.avg_confidence - avg_confidence), `${expected.region}: avg_confidence`).toBeLessThan(1e-9);
}

function statuses(project: TestProject): Record<string, string> {
  const parsed = JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string }> };
  return Object.fromEntries(parsed.results.map((r) => [r.unique_id, r.status]));
}

describeBackends('example project: the time-zone clustering pipeline', (backend) => {
  it('clusters the generated posts as a plain k-means of the files does, and upserts the regional summary', async () => {
    const { bluesky: counts } = inputs();
    expect(counts).toBeDefined();
    const project = makeProject(
      { 'tsdbt_project.yml': 'name: bluesky_test\nprofile: test\nmodel-paths: [models]\nseed-paths: [seeds]\nmacro-paths: [macros]\n' },
      backend,
    );
    cpSync(join(generated, 'bluesky'), join(project.dir, 'seeds', 'bluesky'), { recursive: true });
    cpSync(join(repo, 'seeds', 'bluesky.yml'), join(project.dir, 'seeds', 'bluesky.yml'));
    cpSync(join(repo, 'seeds', 'lookups'), join(project.dir, 'seeds', 'lookups'), { recursive: true });
    cpSync(join(repo, 'models', 'bluesky'), join(project.dir, 'models', 'bluesky'), { recursive: true });
    cpSync(join(repo, 'macros'), join(project.dir, 'macros'), { recursive: true });

    // The files, read here: as many posts as the generator counted, as many valid instants, per UTC hour too.
    const all = posts(join(project.dir, 'seeds', 'bluesky'));
    expect(all.length).toBe(counts!.posts);
    const seconds = all.map((p) => utcSecondOfDay(p.created_at)).filter((s): s is number => s !== undefined);
    expect(seconds.length).toBe(counts!.created_at.utc_z + counts!.created_at.offset);
    const perHour = new Array<number>(24).fill(0);
    for (const s of seconds) perHour[Math.floor(s / 3600)]!++;
    expect(perHour).toEqual(counts!.utc_hour);

    const build = await project.run('build');
    expect(build.stderr).toBe('');
    expect(build.code, build.stdout).toBe(0);
    const first = statuses(project);
    for (const [id, status] of Object.entries(first)) expect(status, id).toMatch(/^(success|pass)$/);
    expect(Object.keys(first).filter((id) => id.startsWith('unit_test.'))).toHaveLength(2);

    const [loaded] = await project.query<{ raw: number; rejects: number; posts: number; valid: number; regions: number }>(
      'select (select count(*)::int from raw.bluesky_posts_raw) as raw, (select count(*)::int from raw.bluesky_posts_raw__rejects) as rejects, '
        + '(select count(*)::int from analytics.bluesky_posts) as posts, (select count(created_at)::int from analytics.bluesky_posts) as valid, '
        + '(select count(*)::int from lookup.timezone_regions) as regions',
    );
    expect(loaded).toEqual({ raw: counts!.posts, rejects: counts!.line.unrepairable, posts: counts!.posts, valid: seconds.length, regions: 17 });

    const expected24 = expectedClusters(seconds, 24);
    // Enough clusters that the upsert below has regions to lose.
    expect(new Set(expected24.map((c) => c.region)).size).toBeGreaterThan(4);
    checkClusters(await actualClusters(project), expected24);
    const regions24 = await actualRegions(project);
    const expectedRegions24 = expectedRegions(expected24);
    expect([...regions24.keys()].sort()).toEqual(expectedRegions24.map((r) => r.region).sort());
    for (const row of expectedRegions24) checkRegion(regions24.get(row.region), row);

    // Four clusters: fewer regions. The ones seen again are updated, the others keep the first run's row.
    const rerun = await project.run('run', '--vars', '{cluster_count: 4}');
    expect(rerun.stderr).toBe('');
    expect(rerun.code, rerun.stdout).toBe(0);
    const expected4 = expectedClusters(seconds, 4);
    checkClusters(await actualClusters(project), expected4);
    const regions4 = await actualRegions(project);
    const expectedRegions4 = expectedRegions(expected4);
    const seenAgain = new Set(expectedRegions4.map((r) => r.region));
    expect([...regions4.keys()].sort(), 'no region is deleted, none added but the new ones').toEqual([...new Set([...regions24.keys(), ...seenAgain])].sort());
    expect(seenAgain.size).toBeGreaterThan(0);
    expect([...regions24.keys()].filter((r) => !seenAgain.has(r)).length, 'regions not seen again').toBeGreaterThan(0);
    const firstUpdate = Math.max(...[...regions24.values()].map((r) => r.updated_at.getTime()));
    for (const row of expectedRegions4) {
      checkRegion(regions4.get(row.region), row);
      expect(regions4.get(row.region)!.updated_at.getTime(), `${row.region}: updated`).toBeGreaterThan(firstUpdate);
    }
    // The values changed for the regions seen again (fewer, larger clusters) ...
    expect(expectedRegions4.some((row) => regions24.get(row.region)?.post_count !== row.post_count)).toBe(true);
    // ... and the others are exactly as the first run left them.
    for (const [region, row] of regions24) if (!seenAgain.has(region)) expect(regions4.get(region), region).toEqual(row);
  });
});
