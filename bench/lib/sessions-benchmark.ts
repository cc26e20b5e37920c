/**
 * The example project's sessions pipeline (issue 8, pipeline C) on PostgreSQL at scale: N generated interactions
 * (user ids drawn from the original metadata sample, which is loaded unchanged as user_metadata when it is on this
 * machine). After one more day is appended and seeded (untimed), the daily run of the two incremental models
 * (`tsdbt run -s fct_interactions user_sessions`: the new day and its one-day lookback) is timed against their full
 * refresh, alternately; then the daily run of the whole pipeline (gold tables and tests included) for context.
 */
import { profilesYml } from '../generate-project.js';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendInteractionDays, writeInteractions, type InteractionCounts } from '../../scripts/generate-data/interactions.js';
import { runChecked } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { REPO_ROOT, WORK_DIR } from './paths.js';
import { LOCAL_PG, queryValue, skipUnlessReachable, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { formatTable, megabytes, seconds } from './table.js';
import { INCREMENTAL_TARGETS, verdict, type Verdict } from './targets.js';
import { tsdbtCommand, type CliOptions } from './tsdbt.js';

const THREADS = 4;
const GENERATOR_SEED = 1;
const PROFILE = 'tsdbt_examples';
const INCREMENTAL_MODELS = 'fct_interactions user_sessions';
const PROJECT_FILES = ['tsdbt_project.yml', 'macros', 'models/sessions', 'tests/sessions', 'seeds/interactions.yml'];
const METADATA_SAMPLE = join(REPO_ROOT, '..', 'shared', 'data', 'notes_analytics', 'user_metadata_sample.csv');
const DAY_MS = 86_400_000;

export interface SessionsResult {
  name: string;
  /** Interactions generated (before the appended day). */
  scale: number;
  days: number;
  database: string;
  metadata: string;
  fullRefresh: Measurement;
  incremental: Measurement;
  /** incremental median / full refresh median, as a fraction. */
  ratio: number;
  target: number;
  verdict: Verdict;
  dailyPipeline: Measurement;
  sessions: number;
}

/** The morning after a UTC date: when a daily run of that date's export happens. */
const morningAfter = (date: string): string => new Date(Date.parse(`${date}T06:00:00Z`) + DAY_MS).toISOString();

/** Generates `<work>/data/interactions` once per scale (the counts kept beside it) and returns the counts. */
function ensureInputs(work: string, scale: number, metadata: string | undefined): InteractionCounts {
  const countsFile = join(work, 'data', `counts-${scale}.json`);
  if (existsSync(countsFile)) {
    console.log(`  reusing the interactions generated at scale ${scale} (${countsFile})`);
    return JSON.parse(readFileSync(countsFile, 'utf8')) as InteractionCounts;
  }
  rmSync(join(work, 'data'), { recursive: true, force: true });
  mkdirSync(join(work, 'data'), { recursive: true });
  const started = process.hrtime.bigint();
  const counts = writeInteractions(GENERATOR_SEED, scale, join(work, 'data', 'interactions'), metadata);
  console.log(`  generated ${counts.events} interactions over ${counts.days} days in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
  writeFileSync(countsFile, JSON.stringify(counts));
  return counts;
}

/** A fresh project each time: the repository's pipeline C files and a copy of the generated interactions. */
function writeProject(projectDir: string, dataDir: string, metadata: string | undefined, server: PgServer, db: string): void {
  rmSync(projectDir, { recursive: true, force: true });
  for (const entry of PROJECT_FILES) cpSync(join(REPO_ROOT, entry), join(projectDir, entry), { recursive: true });
  cpSync(dataDir, join(projectDir, 'seeds', 'interactions'), { recursive: true });
  if (metadata) {
    rmSync(join(projectDir, 'seeds', 'interactions', 'user_metadata.csv'));
    symlinkSync(metadata, join(projectDir, 'seeds', 'interactions', 'user_metadata.csv'));
  }
  writeFileSync(join(projectDir, 'profiles.yml'), profilesYml({ name: PROFILE, host: server.host, port: server.port, user: server.user, dbname: db, schema: 'public', threads: THREADS }));
}

export function runSessionsBenchmark(scale: number, runs: number, server: PgServer = LOCAL_PG): SessionsResult | Skipped {
  const name = 'sessions';
  const skipped = skipUnlessReachable(server, name, 'the sessions benchmark');
  if (skipped) return skipped;
  const work = join(WORK_DIR, name);
  const projectDir = join(work, 'project');
  const db = `tsdbt_bench_sessions_${process.pid}`;
  const metadata = existsSync(METADATA_SAMPLE) ? METADATA_SAMPLE : undefined;
  console.log(`\nsessions pipeline at ${scale} interactions: ${projectDir}; database ${db}; metadata ${metadata ?? 'synthetic'}`);
  const counts = ensureInputs(work, scale, metadata);
  writeProject(projectDir, join(work, 'data', 'interactions'), metadata, server, db);
  const cli = (command: 'run' | 'seed' | 'build', now: string, options: CliOptions = {}) =>
    tsdbtCommand(command, projectDir, { profilesDir: projectDir, threads: THREADS, ...options, env: { TSDBT_NOW: now } });

  return withDatabase(server, db, () => {
    console.log('  seed and first build (untimed)');
    runChecked(cli('build', morningAfter(counts.last_date)));
    // The next day's export lands (in the project's copy) and is seeded, untimed: what the timed runs then process.
    appendInteractionDays(GENERATOR_SEED, scale, join(projectDir, 'seeds', 'interactions'), counts, 1);
    const now = morningAfter(counts.last_date);
    runChecked(cli('seed', now));
    const [full, daily] = measureTasks(
      [
        { label: `${INCREMENTAL_MODELS} --full-refresh`, cmd: cli('run', now, { select: INCREMENTAL_MODELS, fullRefresh: true }) },
        { label: `${INCREMENTAL_MODELS} (daily run: 2 batches each)`, cmd: cli('run', now, { select: INCREMENTAL_MODELS }) },
      ],
      runs,
    );
    const [pipeline] = measureTasks([{ label: 'daily run of the whole pipeline (tsdbt build -s path:models/sessions)', cmd: cli('build', now, { select: 'path:models/sessions', exclude: 'resource_type:seed' }) }], runs);
    const sessions = Number(queryValue(server, db, 'select count(*) from incremental.user_sessions'));
    const fullRefresh = toMeasurement(`full refresh of ${INCREMENTAL_MODELS}`, scale, full!);
    const incremental = toMeasurement(`daily run of ${INCREMENTAL_MODELS} (the new day + 1 day of lookback)`, scale, daily!);
    const ratio = incremental.summary.medianS / fullRefresh.summary.medianS;
    return {
      name,
      scale,
      days: counts.days,
      database: db,
      metadata: metadata ?? 'synthetic',
      fullRefresh,
      incremental,
      ratio,
      target: INCREMENTAL_TARGETS.maxRatio,
      verdict: verdict(ratio, INCREMENTAL_TARGETS.maxRatio),
      dailyPipeline: toMeasurement('daily build of pipeline C (incremental models, gold tables, tests)', scale, pipeline!),
      sessions,
    };
  });
}

export function sessionsTable(result: SessionsResult): string {
  const rows = [result.fullRefresh, result.incremental, result.dailyPipeline].map((m) => [
    m.label, seconds(m.summary.medianS), seconds(m.summary.minS), seconds(m.summary.maxS), megabytes(m.summary.medianPeakMb),
  ]);
  const table = formatTable(
    [{ header: `sessions pipeline, ${result.scale.toLocaleString('en-US')} interactions over ${result.days} days, PostgreSQL` }, { header: 'median s', align: 'right' }, { header: 'min s', align: 'right' }, { header: 'max s', align: 'right' }, { header: 'peak MB', align: 'right' }],
    rows,
  );
  const ratio = `daily run / full refresh: ${(result.ratio * 100).toFixed(1)}% (target <= ${(result.target * 100).toFixed(0)}%: ${result.verdict}); ${result.sessions.toLocaleString('en-US')} sessions`;
  return `${table}\n${ratio}`;
}
