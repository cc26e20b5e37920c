/**
 * The example project's Pinterest pipeline (models/pinterest/, issue 7, pipeline B) on generated data: every analysis
 * table is checked against results computed here, in TypeScript, from the generated sink files themselves (parsed,
 * deduplicated by ind, cleaned and analysed without the models' SQL). Then the generator appends a sink file and
 * `tsdbt seed` must load only it.
 */
import { cpSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { appendSinkFiles, generate } from '../../scripts/generate-data/generate.js';
import { readManifest } from '../../scripts/generate-data/manifest.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

// ---------------------------------------------------------------------------------------------------------------------
// The expected results, from the generated files.

interface Post {
  ind: number;
  category: string;
  poster_name: string | null;
  follower_count: number | null;
  country: string;
  post_year: number;
  age: number;
  join_year: number;
}

/** Every record of a topic's sink files, in file then line order (redelivered copies included). */
function topicRecords(seeds: string, topic: 'pin' | 'geo' | 'user'): Array<Record<string, unknown>> {
  const topics = join(seeds, 'pinterest', 'topics');
  const records: Array<Record<string, unknown>> = [];
  for (const dir of readdirSync(topics).filter((name) => name.endsWith(`.${topic}`)).sort()) {
    for (const partition of readdirSync(join(topics, dir)).sort()) {
      for (const file of readdirSync(join(topics, dir, partition)).sort()) {
        const text = readFileSync(join(topics, dir, partition, file), 'utf8');
        for (const line of text.split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      }
    }
  }
  return records;
}

/** One record per key; a redelivery must be an exact copy of the first delivery. */
function byInd(records: Array<Record<string, unknown>>, key: string): Map<number, Record<string, unknown>> {
  const out = new Map<number, Record<string, unknown>>();
  for (const record of records) {
    const ind = record[key] as number;
    const seen = out.get(ind);
    if (seen) expect(record).toEqual(seen);
    else out.set(ind, record);
  }
  return out;
}

function followers(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+k$/.test(text)) return Number(text.slice(0, -1)) * 1000;
  if (/^\d+M$/.test(text)) return Number(text.slice(0, -1)) * 1_000_000;
  return null;
}

function posts(seeds: string): Post[] {
  const pins = byInd(topicRecords(seeds, 'pin'), 'index');
  const geo = byInd(topicRecords(seeds, 'geo'), 'ind');
  const users = byInd(topicRecords(seeds, 'user'), 'ind');
  return [...pins.values()].map((pin) => {
    const ind = pin.index as number;
    const g = geo.get(ind)!;
    const u = users.get(ind)!;
    return {
      ind,
      category: pin.category as string,
      poster_name: pin.poster_name === 'User Info Error' ? null : (pin.poster_name as string),
      follower_count: followers(pin.follower_count as string),
      country: g.country as string,
      post_year: Number((g.timestamp as string).slice(0, 4)),
      age: u.age as number,
      join_year: Number((u.date_joined as string).slice(0, 4)),
    };
  });
}

function ageGroup(age: number): string | null {
  if (age >= 18 && age <= 24) return '18-24';
  if (age >= 25 && age <= 35) return '25-35';
  if (age >= 36 && age <= 50) return '36-50';
  if (age > 50) return '50+';
  return null;
}

function groupBy<T>(items: T[], key: (item: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Row = Record<string, string | number | null>;

/** The rows of each count tied for first: `top` of a group's counted values. */
function topCounts(items: Post[], label: string, key: (p: Post) => string | null, value: (p: Post) => string): Row[] {
  const rows: Row[] = [];
  for (const [group, members] of groupBy(items, key)) {
    const counts = new Map<string, number>();
    for (const m of members) counts.set(value(m), (counts.get(value(m)) ?? 0) + 1);
    const best = Math.max(...counts.values());
    for (const [category, count] of counts) if (count === best) rows.push({ [label]: group, category, category_count: count });
  }
  return rows;
}

function medians(items: Post[], key: (p: Post) => string | null, row: (group: string) => Row): Row[] {
  const known = items.filter((p) => p.follower_count !== null);
  return [...groupBy(known, key)].map(([group, members]) => ({ ...row(group), median_follower_count: median(members.map((m) => m.follower_count!)) }));
}

const inYears = (from: number, to: number) => (year: number) => year >= from && year <= to;

function expectedAnalyses(seeds: string): Record<string, Row[]> {
  const all = posts(seeds);
  const withFollowers = all.filter((p) => p.follower_count !== null);
  const topUsers: Row[] = [];
  for (const [country, members] of groupBy(withFollowers, (p) => p.country)) {
    const best = Math.max(...members.map((m) => m.follower_count!));
    const names = new Set(members.filter((m) => m.follower_count === best).map((m) => m.poster_name));
    for (const poster_name of names) topUsers.push({ country, poster_name, follower_count: best });
  }
  const overall = Math.max(...topUsers.map((r) => r.follower_count as number));
  const joined = all.filter((p) => inYears(2015, 2020)(p.join_year));
  const postsByYear = new Map<string, number>();
  for (const p of all.filter((x) => inYears(2018, 2022)(x.post_year))) {
    const k = JSON.stringify([p.post_year, p.category]);
    postsByYear.set(k, (postsByYear.get(k) ?? 0) + 1);
  }
  const usersByYear = new Map<number, number>();
  for (const p of joined) usersByYear.set(p.join_year, (usersByYear.get(p.join_year) ?? 0) + 1);
  return {
    pinterest_top_category_by_country: topCounts(all, 'country', (p) => p.country, (p) => p.category),
    pinterest_posts_by_category_year: [...postsByYear].map(([k, count]) => {
      const [post_year, category] = JSON.parse(k) as [number, string];
      return { post_year, category, category_count: count };
    }),
    pinterest_top_user_by_country: topUsers,
    pinterest_country_with_top_user: topUsers.filter((r) => r.follower_count === overall).map(({ country, follower_count }) => ({ country: country!, follower_count: follower_count! })),
    pinterest_top_category_by_age_group: topCounts(all, 'age_group', (p) => ageGroup(p.age), (p) => p.category),
    pinterest_median_followers_by_age_group: medians(all, (p) => ageGroup(p.age), (age_group) => ({ age_group })),
    pinterest_users_joined_by_year: [...usersByYear].map(([post_year, n]) => ({ post_year, number_users_joined: n })),
    pinterest_median_followers_by_join_year: medians(joined, (p) => String(p.join_year), (y) => ({ post_year: Number(y) })),
    pinterest_median_followers_by_age_group_join_year: medians(
      joined,
      (p) => (ageGroup(p.age) === null ? null : JSON.stringify([ageGroup(p.age), p.join_year])),
      (k) => {
        const [age_group, post_year] = JSON.parse(k) as [string, number];
        return { age_group, post_year };
      },
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The built tables.

/** Rows in a stable order, for comparing sets of rows whatever order they come in. */
const sorted = (rows: Row[]): Row[] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const TEXT_COLUMNS = new Set(['country', 'category', 'poster_name', 'age_group']);

/** A table's rows, numbers as numbers (bigint counts come back as strings from pg), columns in the table's order. */
async function tableRows(project: TestProject, table: string, columns: string[]): Promise<Row[]> {
  const rows = await project.query<Record<string, unknown>>(`select * from analysis.${table}`);
  return rows.map((row) => {
    const out: Row = {};
    for (const column of columns) {
      const value = row[column];
      out[column] = value === null || value === undefined ? null : TEXT_COLUMNS.has(column) ? String(value) : Number(value);
    }
    return out;
  });
}

async function checkAnalyses(project: TestProject, seeds: string): Promise<void> {
  const expected = expectedAnalyses(seeds);
  for (const [table, rows] of Object.entries(expected)) {
    expect(rows.length, `${table}: the generated data gives it rows`).toBeGreaterThan(0);
    const columns = Object.keys(rows[0]!);
    const actualColumns = await project.query<{ column_name: string }>(
      "select column_name from information_schema.columns where table_schema = 'analysis' and table_name = $1 order by ordinal_position",
      [table],
    );
    expect(actualColumns.map((c) => c.column_name), `${table}: exactly the listed columns`).toEqual(columns);
    const actual = await tableRows(project, table, columns);
    expect(new Set(actual.map((r) => JSON.stringify(r))).size, `${table}: a set, no duplicate rows`).toBe(actual.length);
    expect(sorted(actual), table).toEqual(sorted(rows));
  }
}

interface RunResult {
  unique_id: string;
  status: string;
  message: string;
}

function runResults(project: TestProject): Record<string, RunResult> {
  const parsed = JSON.parse(project.read('target/run_results.json')) as { results: RunResult[] };
  return Object.fromEntries(parsed.results.map((r) => [r.unique_id.split('.').slice(2).join('.'), r]));
}

describeBackends('example project: the Pinterest pipeline', (backend) => {
  it('builds the analysis tables the generated data implies, and re-seeding after an append loads only the new files', async () => {
    const project = makeProject(
      { 'tsdbt_project.yml': 'name: pinterest_test\nprofile: test\nmodel-paths: [models]\nseed-paths: [seeds]\nmacro-paths: [macros]\n' },
      backend,
    );
    const seeds = join(project.dir, 'seeds');
    generate({ out: seeds, scale: 500, seed: 7 });
    // The manifest is JSON: inside the seed path it would be loaded as a seed. It lives beside the project instead,
    // and goes back only while the generator appends.
    const manifest = join(project.dir, 'manifest.json');
    renameSync(join(seeds, 'manifest.json'), manifest);
    cpSync(join(repo, 'seeds', 'seeds.yml'), join(seeds, 'seeds.yml'));
    cpSync(join(repo, 'models', 'pinterest'), join(project.dir, 'models', 'pinterest'), { recursive: true });
    cpSync(join(repo, 'macros'), join(project.dir, 'macros'), { recursive: true });

    const build = await project.run('build');
    expect(build.stderr).toBe('');
    expect(build.code, build.stdout).toBe(0);
    const first = runResults(project);
    for (const [id, result] of Object.entries(first)) expect(result.status, id).toMatch(/^(success|pass)$/);
    // The unit tests ran (and passed, above).
    expect(Object.keys(first).filter((id) => /pinterest_pins_(follower_count|placeholders)$/.test(id))).toHaveLength(2);
    // One row per ind in the cleaned tables, whatever the redeliveries.
    const counts = await project.query<{ pins: number; geo: number; users: number }>(
      'select (select count(*)::int from analytics.pinterest_pins) as pins, (select count(*)::int from analytics.pinterest_geo) as geo, '
      + '(select count(*)::int from analytics.pinterest_users) as users',
    );
    expect(counts).toEqual([{ pins: 500, geo: 500, users: 500 }]);
    await checkAnalyses(project, seeds);

    // The sink writes one more file per topic: the next seed loads those three files and nothing else.
    const filesBefore = readdirSync(join(seeds, 'pinterest', 'topics')).length;
    expect(filesBefore).toBe(3);
    renameSync(manifest, join(seeds, 'manifest.json'));
    const before = readManifest(seeds);
    const after = appendSinkFiles(seeds, 1);
    renameSync(join(seeds, 'manifest.json'), manifest);
    const seed = await project.run('seed');
    expect(seed.code, seed.stdout).toBe(0);
    const reseeded = runResults(project);
    for (const topic of ['pin', 'geo', 'user'] as const) {
      const lines = after.pinterest.lines[topic] - before.pinterest.lines[topic];
      expect(reseeded[`pinterest_${topic}`]?.message, topic).toBe(`INSERT ${lines} (1 file loaded, ${before.pinterest.files[topic]} unchanged, 0 rejected)`);
      const [{ n }] = (await project.query<{ n: number }>(`select count(*)::int as n from raw.pinterest_${topic}`)) as [{ n: number }];
      expect(n, topic).toBe(after.pinterest.lines[topic]);
    }
    // And the models, rebuilt on the appended data, still agree with the files.
    const rebuild = await project.run('build');
    expect(rebuild.code, rebuild.stdout).toBe(0);
    const [{ pins }] = (await project.query<{ pins: number }>('select count(*)::int as pins from analytics.pinterest_pins')) as [{ pins: number }];
    expect(pins).toBe(after.pinterest.records);
    await checkAnalyses(project, seeds);
  });
});
