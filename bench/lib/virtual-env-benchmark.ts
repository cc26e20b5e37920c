/**
 * Virtual environments (issue 20) on the example project (the committed samples) on PostgreSQL: README.md's loop timed
 * step by step, each run on fresh databases and fresh copies of the project. A plain in-place `tsdbt build` is the
 * baseline; then, with `virtual_environments: true`, `tsdbt plan prod` (every version built once), `plan dev` (a new
 * environment: nothing to compute), one analysis model given a column and `plan dev` again (that model only), and
 * `plan prod` promoting it (nothing to compute: its statement log must hold no CREATE TABLE AS). Each step's new
 * physical relations are counted in the database, so "computes nothing" is checked, not assumed.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleProject } from '../../test/helpers/example-files.js';
import { isCreateTableAs, isCreateView, loggedStatements } from '../../test/helpers/statement-log.js';
import { profilesYml } from '../generate-project.js';
import { measure, runChecked, type Sample, type Task } from './measure.js';
import { logSample, toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { LOCAL_PG, psqlCommand, skipUnlessReachable, withDatabase, type Skipped } from './postgres.js';
import { median } from './stats.js';
import { formatTable, megabytes, seconds } from './table.js';
import { tsdbtCommand, type CliOptions } from './tsdbt.js';

const NAME = 'virtual-env';
const PROFILE = 'tsdbt_examples';
const THREADS = 4;
/** The project's physical schema (the default of `virtual_environments: true`). */
const PHYSICAL_SCHEMA = 'tsdbt_physical';
const CHANGED_MODEL = join('models', 'pinterest', 'analysis', 'pinterest_median_followers_by_join_year.sql');
const PROMOTION_LOG = 'promotion.sql';

/** One step of the loop: its timings, and the physical relations it added in each run. */
export interface VirtualEnvStep {
  measurement: Measurement;
  /** Relations the step added to the physical schema, per run. */
  added: number[];
  /** What it should add (undefined: the first plan, which adds every version). */
  expected?: number;
}

export interface VirtualEnvResult {
  name: string;
  /** The baseline: `tsdbt build` of the project without virtual environments, in place. */
  plainBuild: Measurement;
  steps: VirtualEnvStep[];
  /** Median promotion wall time over the plain build's. */
  promotionOverBuild: number;
  /** Per run, in the promotion's statement log: CREATE TABLE ... AS (models computed; must be 0) and CREATE VIEW. */
  promotionCreateTableAs: number[];
  promotionCreateViews: number[];
}

interface StepTask extends Task {
  expected?: number;
}

/** The names of the relations (tables, views, materialized views) in the physical schema. */
function physicalRelations(db: string): Set<string> {
  const sql = `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '${PHYSICAL_SCHEMA}' and c.relkind in ('r', 'p', 'v', 'm')`;
  return new Set(runChecked(psqlCommand(LOCAL_PG, db, ['-A', '-t', '-c', sql])).split('\n').filter(Boolean));
}

/** A fresh copy of the example project in `dir`, building into database `db`; with the key when `virtual`. */
function prepareProject(dir: string, db: string, virtual: boolean): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyExampleProject(dir, PROFILE);
  writeFileSync(join(dir, 'profiles.yml'), profilesYml({ name: PROFILE, dbname: db, schema: 'public', threads: THREADS }));
  if (virtual) appendFileSync(join(dir, 'tsdbt_project.yml'), '\nvirtual_environments: true\n');
}

/** README.md's change: a column added to an analysis model, which nothing downstream reads (non-breaking). */
function addPostsColumn(dir: string): void {
  const file = join(dir, CHANGED_MODEL);
  const sql = readFileSync(file, 'utf8');
  const changed = sql.replace('as median_follower_count', 'as median_follower_count,\n    count(*) as posts');
  if (changed === sql) throw new Error(`${file} no longer selects median_follower_count: the benchmark's change does not apply`);
  writeFileSync(file, changed);
}

function loopSteps(dir: string): StepTask[] {
  const plan = (environment: string, options: CliOptions = {}) => tsdbtCommand('plan', dir, { profilesDir: dir, environment, autoApply: true, ...options });
  return [
    { label: 'plan prod --auto-apply (first: every version)', cmd: plan('prod') },
    { label: 'plan dev --auto-apply (new, from prod)', cmd: plan('dev'), expected: 0 },
    { label: 'plan dev --auto-apply (one model changed)', cmd: plan('dev'), expected: 1, before: () => addPostsColumn(dir) },
    { label: 'plan prod --auto-apply --log-sql (promotion)', cmd: plan('prod', { logSql: join(dir, PROMOTION_LOG) }), expected: 0 },
  ];
}

export function runVirtualEnvBenchmark(runs: number): VirtualEnvResult | Skipped {
  const unreachable = skipUnlessReachable(LOCAL_PG, NAME, 'the virtual-env benchmark');
  if (unreachable) return unreachable;
  const plainDir = join(WORK_DIR, NAME, 'plain');
  const virtualDir = join(WORK_DIR, NAME, 'virtual');
  const plainDb = `tsdbt_bench_venv_plain_${process.pid}`;
  const virtualDb = `tsdbt_bench_venv_${process.pid}`;
  console.log(`\nvirtual environments on the example project: ${virtualDir} (database ${virtualDb}), plain build in ${plainDir} (${plainDb})`);

  const plainTask: Task = { label: 'plain tsdbt build (in place)', cmd: tsdbtCommand('build', plainDir, { profilesDir: plainDir }) };
  const steps = loopSteps(virtualDir);
  const plainSamples: Sample[] = [];
  const stepSamples: Sample[][] = steps.map(() => []);
  const added: number[][] = steps.map(() => []);
  const createTableAs: number[] = [];
  const createViews: number[] = [];
  for (let round = 1; round <= runs; round++) {
    withDatabase(LOCAL_PG, plainDb, () => {
      prepareProject(plainDir, plainDb, false);
      const sample = measure(plainTask.cmd);
      logSample(plainTask, round, runs, sample);
      plainSamples.push(sample);
    });
    withDatabase(LOCAL_PG, virtualDb, () => {
      prepareProject(virtualDir, virtualDb, true);
      steps.forEach((step, i) => {
        step.before?.();
        const before = physicalRelations(virtualDb);
        const sample = measure(step.cmd);
        const after = physicalRelations(virtualDb);
        const fresh = [...after].filter((name) => !before.has(name));
        logSample(step, round, runs, sample);
        console.log(`    ${fresh.length} new physical relation(s)${step.expected !== undefined && fresh.length > 0 ? `: ${fresh.join(', ')}` : ''}`);
        stepSamples[i]!.push(sample);
        added[i]!.push(fresh.length);
      });
      const statements = loggedStatements(join(virtualDir, PROMOTION_LOG));
      createTableAs.push(statements.filter(isCreateTableAs).length);
      createViews.push(statements.filter(isCreateView).length);
      console.log(`    promotion log: ${createTableAs.at(-1)} CREATE TABLE AS, ${createViews.at(-1)} CREATE VIEW`);
    });
  }
  const plainBuild = toMeasurement(plainTask.label, runs, plainSamples);
  const measured = steps.map((step, i) => ({ measurement: toMeasurement(step.label, runs, stepSamples[i]!), added: added[i]!, expected: step.expected }));
  return {
    name: NAME,
    plainBuild,
    steps: measured,
    promotionOverBuild: measured.at(-1)!.measurement.summary.medianS / plainBuild.summary.medianS,
    promotionCreateTableAs: createTableAs,
    promotionCreateViews: createViews,
  };
}

/** Each run's count: `0/0/0`. */
const perRun = (values: readonly number[]) => values.join('/');

export function virtualEnvTable(result: VirtualEnvResult): string {
  const row = (m: Measurement, added: string) => [m.label, seconds(m.summary.medianS), seconds(m.summary.minS), seconds(m.summary.maxS), megabytes(m.summary.medianPeakMb), added];
  const table = formatTable(
    [{ header: 'example project, virtual environments' }, { header: 'median s', align: 'right' }, { header: 'min s', align: 'right' }, { header: 'max s', align: 'right' }, { header: 'peak MB', align: 'right' }, { header: 'new versions', align: 'right' }],
    [row(result.plainBuild, '-'), ...result.steps.map((step) => row(step.measurement, String(median(step.added))))],
  );
  return `${table}\npromotion / plain build: ${result.promotionOverBuild.toFixed(3)}x; promotion log: ${perRun(result.promotionCreateTableAs)} CREATE TABLE AS, ${perRun(result.promotionCreateViews)} CREATE VIEW`;
}

/** Correctness claims: a new environment and a promotion compute nothing, one changed model computes one version. */
export function virtualEnvMissed(result: VirtualEnvResult): string[] {
  const missed = result.steps
    .filter((step) => step.expected !== undefined && step.added.some((n) => n !== step.expected))
    .map((step) => `${step.measurement.label} added ${perRun(step.added)} physical relation(s), expected ${step.expected}`);
  if (result.promotionCreateTableAs.some((n) => n > 0)) missed.push(`promotion ran CREATE TABLE AS (${perRun(result.promotionCreateTableAs)})`);
  return missed;
}
