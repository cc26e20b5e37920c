/**
 * The example project's sessions pipeline (models/sessions/, issue 8, pipeline C) on generated interactions: the
 * sessions and every gold table are checked against results computed here, in TypeScript, from the generated CSV
 * files (the silver rules, sessionising and aggregates, without the models' SQL). The original metadata sample is
 * loaded unchanged as user_metadata. Then the generator appends a day and a plain `tsdbt run` redoes only the
 * recent batches.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { appendInteractionDays, writeInteractions, type InteractionCounts } from '../../scripts/generate-data/interactions.js';
import { fraction, numericMismatch, type Fraction } from '../helpers/exact-decimal.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { sharedData } from '../helpers/shared-data.js';
import { describeBackends } from '../helpers/suite.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const metadataSample = sharedData('notes_analytics/user_metadata_sample.csv');
const DAY_MS = 86_400_000;
const ACTIONS = new Set(['page_view', 'edit', 'create', 'delete', 'share']);

// ---------------------------------------------------------------------------------------------------------------------
// The expected results, from the generated files.

interface Session {
  user_id: string;
  session_id: string;
  session_start: string;
  session_end: string;
  actions: number;
  duration_seconds: number;
  /** The duration in whole milliseconds: the averages are checked exactly from it. */
  duration_ms: number;
}

const csvRows = (path: string): string[][] =>
  readFileSync(path, 'utf8').split(/\r?\n/).slice(1).filter((line) => line !== '').map((line) => line.split(','));

/** The silver rules on both files: valid rows, each distinct row once, up to `before` (what a run at that time sees). */
function validEvents(dir: string, before: number): Array<{ user: string; ms: number }> {
  const distinct = new Set<string>();
  for (const file of ['user_interactions.csv', 'user_interactions_late.csv']) {
    for (const [user, timestamp, action, page, duration] of csvRows(join(dir, file))) {
      const ms = Number(duration);
      if (!user || !ACTIONS.has(action!) || duration === '' || !(ms >= 0 && ms <= 7_200_000)) continue;
      if (Date.parse(timestamp!) < before) distinct.add([user, timestamp, action, page, duration].join(','));
    }
  }
  return [...distinct].map((row) => {
    const [user, timestamp] = row.split(',');
    return { user: user!, ms: Date.parse(timestamp!) };
  });
}

function sessionise(events: Array<{ user: string; ms: number }>): Session[] {
  const byUser = new Map<string, number[]>();
  for (const { user, ms } of events) byUser.set(user, [...(byUser.get(user) ?? []), ms]);
  const sessions: Session[] = [];
  for (const [user, times] of byUser) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= times.length; i++) {
      const ends = i === times.length || times[i]! - times[i - 1]! >= 30 * 60_000 || Math.floor(times[i]! / DAY_MS) !== Math.floor(times[i - 1]! / DAY_MS);
      if (!ends) continue;
      const first = new Date(times[start]!).toISOString();
      sessions.push({
        user_id: user,
        session_id: createHash('md5').update(`${user}|${first}`).digest('hex'),
        session_start: first,
        session_end: new Date(times[i - 1]!).toISOString(),
        actions: i - start,
        duration_seconds: (times[i - 1]! - times[start]!) / 1000,
        duration_ms: times[i - 1]! - times[start]!,
      });
      start = i;
    }
  }
  return sessions;
}

/** dim_users' rule: per user, the latest join_date, then the smallest country, device and plan (byte order). */
function profiles(metadataFile: string): Map<string, { country: string; subscription_type: string }> {
  const precedes = (a: string[], b: string[]): boolean => {
    if (a[1] !== b[1]) return a[1]! > b[1]!;
    for (const i of [2, 3, 4]) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return false;
  };
  const best = new Map<string, string[]>();
  for (const row of csvRows(metadataFile)) {
    const seen = best.get(row[0]!);
    if (!seen || precedes(row, seen)) best.set(row[0]!, row);
  }
  return new Map([...best].map(([user, row]) => [user, { country: row[2]!, subscription_type: row[4]! }]));
}

type Row = Record<string, string | number | null | Fraction>;

function expectedGold(sessions: Session[], users: Map<string, { country: string; subscription_type: string }>): Record<string, Row[]> {
  const group = <K extends string>(keyOf: (s: Session) => K): Map<K, Session[]> => {
    const out = new Map<K, Session[]>();
    for (const s of sessions) out.set(keyOf(s), [...(out.get(keyOf(s)) ?? []), s]);
    return out;
  };
  const date = (s: Session) => s.session_start.slice(0, 10);
  const month = (s: Session) => `${s.session_start.slice(0, 7)}-01`;
  const distinctUsers = (list: Session[]) => new Set(list.map((s) => s.user_id)).size;
  const segments = group((s) => JSON.stringify([month(s), users.get(s.user_id)?.country ?? null, users.get(s.user_id)?.subscription_type ?? null]));
  return {
    daily_active_users: [...group(date)].map(([activity_date, list]) => ({ activity_date, active_users: distinctUsers(list) })),
    monthly_active_users: [...group(month)].map(([activity_month, list]) => ({ activity_month, active_users: distinctUsers(list) })),
    session_metrics_daily: [...group(date)].map(([activity_date, list]) => ({
      activity_date,
      sessions: list.length,
      avg_session_duration_seconds: fraction(list.reduce((sum, s) => sum + BigInt(s.duration_ms), 0n), BigInt(list.length) * 1000n),
      avg_actions_per_session: fraction(list.reduce((sum, s) => sum + BigInt(s.actions), 0n), BigInt(list.length)),
    })),
    active_users_by_segment: [...segments].map(([key, list]) => {
      const [activity_month, country, subscription_type] = JSON.parse(key) as [string, string | null, string | null];
      return { activity_month, country, subscription_type, active_users: distinctUsers(list) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The built tables.

const byKey = (rows: Row[]): Row[] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const ISO = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column}`;

async function builtSessions(project: TestProject): Promise<Session[]> {
  const rows = await project.query<Session>(
    `select user_id, session_id, ${ISO('session_start')}, ${ISO('session_end')}, actions, duration_seconds::float8 as duration_seconds,
            (duration_seconds * 1000)::bigint as duration_ms from incremental.user_sessions`,
  );
  return rows.map((row) => ({ ...row, actions: Number(row.actions), duration_seconds: Number(row.duration_seconds), duration_ms: Number(row.duration_ms) }));
}

const AVERAGES = ['avg_session_duration_seconds', 'avg_actions_per_session'];

/** Every column exactly; the averages, as stored (numeric text), against the exact fractions to their last digit. */
async function checkGold(project: TestProject, expected: Record<string, Row[]>): Promise<void> {
  for (const [table, rows] of Object.entries(expected)) {
    expect(rows.length, `${table}: the generated data gives it rows`).toBeGreaterThan(0);
    const columns = Object.keys(rows[0]!);
    const select = columns.map((c) => (/_(date|month)$/.test(c) || AVERAGES.includes(c) ? `${c}::text as ${c}` : /^(country|subscription_type)$/.test(c) ? c : `${c}::float8 as ${c}`));
    const actual = await project.query<Row>(`select ${select.join(', ')} from analysis.${table}`);
    const key = (row: Row): string => JSON.stringify(columns.filter((c) => !AVERAGES.includes(c)).map((c) => row[c]));
    expect(actual.map(key).sort(), table).toEqual(rows.map(key).sort());
    const exact = new Map(rows.map((row) => [key(row), row]));
    const mismatches = actual.flatMap((row) => AVERAGES.filter((c) => columns.includes(c)).flatMap((column) => {
      const problem = numericMismatch(String(row[column]), exact.get(key(row))![column] as Fraction);
      return problem === undefined ? [] : [`${table}.${column} at ${key(row)}: ${problem}`];
    }));
    expect(mismatches).toEqual([]);
  }
}

interface BatchedResult {
  unique_id: string;
  status: string;
  batch_results?: { successful: string[][]; failed: string[][] };
}

function batchesOf(project: TestProject, model: string): string[][] {
  const parsed = JSON.parse(project.read('target/run_results.json')) as { results: BatchedResult[] };
  const result = parsed.results.find((r) => r.unique_id.endsWith(`.${model}`))!;
  expect(result.status, model).toBe('success');
  expect(result.batch_results!.failed, model).toEqual([]);
  return result.batch_results!.successful;
}

/** The morning after `date` (a UTC date): a daily run at that time. */
const morningAfter = (date: string): Date => new Date(Date.parse(`${date}T06:00:00Z`) + DAY_MS);

async function runAt(project: TestProject, now: Date, ...args: string[]): Promise<string> {
  process.env.TSDBT_NOW = now.toISOString();
  try {
    const result = await project.run(...args);
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    return result.stdout;
  } finally {
    delete process.env.TSDBT_NOW;
  }
}

describeBackends('example project: the sessions pipeline', (backend) => {
  it('builds sessions and gold tables the generated interactions imply; a day appended later is processed in its own batches', async () => {
    const project = makeProject(
      { 'tsdbt_project.yml': 'name: sessions_test\nprofile: test\nmodel-paths: [models]\nseed-paths: [seeds]\nmacro-paths: [macros]\ntest-paths: [tests]\n' },
      backend,
    );
    const dir = join(project.dir, 'seeds', 'interactions');
    const scale = 8000;
    const counts: InteractionCounts = writeInteractions(11, scale, dir, existsSync(metadataSample) ? metadataSample : undefined);
    if (existsSync(metadataSample)) {
      // The original export in place of the generated one, read where it lies (the generated ids are drawn from it).
      rmSync(join(dir, 'user_metadata.csv'));
      symlinkSync(metadataSample, join(dir, 'user_metadata.csv'));
    }
    cpSync(join(repo, 'seeds', 'interactions.yml'), join(project.dir, 'seeds', 'interactions.yml'));
    cpSync(join(repo, 'models', 'sessions'), join(project.dir, 'models', 'sessions'), { recursive: true });
    cpSync(join(repo, 'tests', 'sessions'), join(project.dir, 'tests', 'sessions'), { recursive: true });
    cpSync(join(repo, 'macros'), join(project.dir, 'macros'), { recursive: true });

    const firstNow = morningAfter(counts.last_date);
    const build = await runAt(project, firstNow, 'build');
    expect(build).toMatch(/Completed successfully/);
    // A first build is one pass over [begin, now).
    const endOfNow = new Date(Date.parse(firstNow.toISOString().slice(0, 10)) + DAY_MS);
    expect(batchesOf(project, 'user_sessions')).toEqual([['2020-01-01T00:00:00.000Z', endOfNow.toISOString()]]);
    const metadataFile = join(dir, 'user_metadata.csv');
    const metadataRows = await project.query<{ n: number }>('select count(*)::int as n from raw.user_metadata');
    expect(metadataRows[0]!.n).toBe(csvRows(metadataFile).length);

    const users = profiles(metadataFile);
    let sessions = sessionise(validEvents(dir, endOfNow.getTime()));
    expect(byKey((await builtSessions(project)) as unknown as Row[])).toEqual(byKey(sessions as unknown as Row[]));
    await checkGold(project, expectedGold(sessions, users));
    // The planted 30:00 and 29:59 gaps are there to be split and kept.
    expect(counts.gap.exactly_30m).toBeGreaterThan(0);
    expect(counts.gap.just_under_30m).toBeGreaterThan(0);

    // The next day's export: new rows after the old ones, and that day's late rows in the late file.
    appendInteractionDays(11, scale, dir, counts, 1);
    await runAt(project, morningAfter(counts.last_date), 'seed');
    const nextNow = morningAfter(counts.last_date);
    const run = await runAt(project, nextNow, 'run');
    expect(run).toMatch(/Completed successfully/);
    const today = Date.parse(nextNow.toISOString().slice(0, 10));
    const recent = [[new Date(today - DAY_MS).toISOString(), new Date(today).toISOString()], [new Date(today).toISOString(), new Date(today + DAY_MS).toISOString()]];
    expect(batchesOf(project, 'fct_interactions')).toEqual(recent);
    expect(batchesOf(project, 'user_sessions')).toEqual(recent);
    sessions = sessionise(validEvents(dir, today + DAY_MS));
    expect(byKey((await builtSessions(project)) as unknown as Row[])).toEqual(byKey(sessions as unknown as Row[]));
    await checkGold(project, expectedGold(sessions, users));

    // A backfill of named days redoes exactly those batches, in parallel, and changes nothing.
    const backfill = await runAt(project, nextNow, 'run', '-s', 'user_sessions', '--event-time-start', counts.first_date, '--event-time-end', counts.last_date, '--threads', '4');
    expect(backfill).toMatch(/Completed successfully/);
    expect(batchesOf(project, 'user_sessions')).toHaveLength(counts.days - 1);
    expect(byKey((await builtSessions(project)) as unknown as Row[])).toEqual(byKey(sessions as unknown as Row[]));
  });

  it.skipIf(!existsSync(metadataSample))('loads the original metadata sample unchanged, one dim_users row per user', async () => {
    const project = makeProject({ 'tsdbt_project.yml': 'name: sessions_test\nprofile: test\nmodel-paths: [models]\nseed-paths: [seeds]\nmacro-paths: [macros]\n' }, backend);
    project.write('seeds/interactions/.keep', '');
    symlinkSync(metadataSample, join(project.dir, 'seeds', 'interactions', 'user_metadata.csv'));
    cpSync(join(repo, 'models', 'sessions', 'dim_users.sql'), join(project.dir, 'models', 'dim_users.sql'));
    cpSync(join(repo, 'macros'), join(project.dir, 'macros'), { recursive: true });
    // The project's declaration of user_metadata alone (the other seeds' files are not here).
    const properties = parse(readFileSync(join(repo, 'seeds', 'interactions.yml'), 'utf8')) as { seeds: Array<{ name: string }> };
    project.write('seeds/interactions.yml', stringify({ version: 2, seeds: properties.seeds.filter((seed) => seed.name === 'user_metadata') }));
    const result = await project.run('build', '-s', 'user_metadata', 'dim_users');
    expect(result.code, result.stdout).toBe(0);
    const rows = csvRows(metadataSample).map((row) => row.join(','));
    const loaded = await project.query<{ line: string }>("select concat_ws(',', user_id, join_date::text, country, device_type, subscription_type) as line from raw.user_metadata");
    expect(loaded.map((r) => r.line).sort()).toEqual([...rows].sort());
    const users = profiles(metadataSample);
    const dim = await project.query<{ user_id: string; country: string; subscription_type: string }>('select user_id, country, subscription_type from analytics.dim_users');
    expect(dim).toHaveLength(users.size);
    for (const row of dim) expect({ country: row.country, subscription_type: row.subscription_type }, row.user_id).toEqual(users.get(row.user_id));
  });
});
