/**
 * `tsdbt seed` of a CSV file, an NDJSON file (both beside `psql \copy` of the same file on PostgreSQL) and a folder
 * of one-record JSON files (first load, and a re-run with nothing changed), on PostgreSQL and on PGlite.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CSV_SEED,
  generateFileSeeds,
  generateSinkSeed,
  NDJSON_SEED,
  PGLITE_PATH,
  SEED_SCHEMA,
  SINK_SEED,
  writeProfiles,
  writeSeedProject,
} from '../generate-seeds.js';
import { runChecked, type Task } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { execSql, expectRowCount, LOCAL_PG, psqlCommand, skipUnlessReachable, sqlLiteral, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { SEED_TARGETS, verdict, type Verdict } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

/** Where tsdbt keeps which seed file was loaded as what (dropped with the seed schema before a first load). */
const META_SCHEMA = 'tsdbt_meta';

export type SeedEngine = 'postgres' | 'pglite';
export type SeedKind = 'csv' | 'ndjson' | 'sink';

/** One row of the seed table: tsdbt's figure, and psql's beside it where there is a baseline. */
export interface SeedFigure {
  label: string;
  tsdbt: Measurement;
  psql?: Measurement;
  /** tsdbt median / psql median. */
  ratio?: number;
  targetRatio?: number;
  /** Of the ratio when there is a baseline, else of tsdbt's median against its own target. */
  verdict: Verdict;
}

export interface SeedResult {
  name: string;
  engine: SeedEngine;
  kind: SeedKind;
  /** Rows, records or files. */
  n: number;
  figures: SeedFigure[];
}

export interface SeedBenchmarks {
  results: SeedResult[];
  skipped: Skipped[];
}

export interface SeedArgs {
  runs: number;
  seedRows: number;
  sinkFiles: number;
}

/** A single-file seed and its psql baseline: a table made after a tsdbt load, filled by `\copy` of the same file. */
interface FileSeed {
  kind: 'csv' | 'ndjson';
  name: string;
  file: string;
  unit: string;
  targetRatio: number;
  psqlTable: string;
  createPsqlTable: string;
  copyOptions: string;
}

const FILE_SEEDS: readonly FileSeed[] = [
  {
    kind: 'csv',
    ...CSV_SEED,
    unit: 'rows',
    targetRatio: SEED_TARGETS.csvRatio,
    psqlTable: `${SEED_SCHEMA}.${CSV_SEED.name}_psql`,
    createPsqlTable: `create table ${SEED_SCHEMA}.${CSV_SEED.name}_psql (like ${SEED_SCHEMA}.${CSV_SEED.name})`,
    copyOptions: 'format csv, header true',
  },
  {
    kind: 'ndjson',
    ...NDJSON_SEED,
    unit: 'records',
    targetRatio: SEED_TARGETS.ndjsonRatio,
    psqlTable: `${SEED_SCHEMA}.${NDJSON_SEED.name}_psql`,
    createPsqlTable: `create table ${SEED_SCHEMA}.${NDJSON_SEED.name}_psql (data jsonb)`,
    // Quote and delimiter bytes that never occur in the data: each line is one field, cast to jsonb.
    copyOptions: "format csv, quote e'\\x01', delimiter e'\\x02'",
  },
];

/** The database a benchmark loads into, as the CLI and the benchmark see it. */
interface SeedTarget {
  engine: SeedEngine;
  projectDir: string;
  profilesDir: string;
  /** Whether the targets apply (PostgreSQL); PGlite figures are shown beside them without a verdict. */
  judged: boolean;
  /** Untimed: no seed table and no load state is left, so the next `tsdbt seed` is a first load. */
  reset(): void;
  /** The psql `\copy` baseline of a file seed, if the engine has one; called after a tsdbt load made the seed table. */
  baseline?(seed: FileSeed): Task;
  /** Throws unless the table holds `rows` rows, where the engine can be queried from here. */
  expectRows?(table: string, rows: number): void;
}

/** One benchmark of the three; it runs once per engine. */
interface SeedBenchmark {
  kind: SeedKind;
  projectDir: string;
  measure(target: SeedTarget): SeedResult;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function figure(label: string, tsdbt: Measurement, psql?: Measurement, targetRatio?: number): SeedFigure {
  if (!psql) return { label, tsdbt, verdict: tsdbt.verdict };
  const ratio = tsdbt.summary.medianS / psql.summary.medianS;
  return { label, tsdbt, psql, ratio, targetRatio, verdict: verdict(ratio, targetRatio) };
}

/** `tsdbt seed --full-refresh -s NAME` (every run reloads) against the baseline, alternately, round by round. */
function measureFileSeed(target: SeedTarget, seed: FileSeed, n: number, runs: number): SeedResult {
  const label = `seed ${seed.kind} ${count(n)} ${seed.unit} (${target.engine})`;
  console.log(`\n${label}`);
  const cmd = tsdbtCommand('seed', target.projectDir, { profilesDir: target.profilesDir, select: seed.name, fullRefresh: true });
  console.log('  warm-up (untimed)');
  target.reset();
  runChecked(cmd);
  const baseline = target.baseline?.(seed);
  const [tsdbtSamples, psqlSamples] = measureTasks([{ label: `tsdbt seed -s ${seed.name}`, cmd }, ...(baseline ? [baseline] : [])], runs);
  for (const table of [`${SEED_SCHEMA}.${seed.name}`, ...(baseline ? [seed.psqlTable] : [])]) target.expectRows?.(table, n);
  const psql = psqlSamples && toMeasurement(`psql \\copy ${seed.kind} (${target.engine})`, n, psqlSamples);
  return {
    name: `seed-${seed.kind}-${target.engine}`,
    engine: target.engine,
    kind: seed.kind,
    n,
    figures: [figure(label, toMeasurement(label, n, tsdbtSamples!), psql, seed.targetRatio)],
  };
}

/** `tsdbt seed` of the folder seed from nothing, then again with nothing changed, round by round. */
function measureSink(target: SeedTarget, files: number, runs: number): SeedResult {
  const firstLabel = `sink ${count(files)} files first load (${target.engine})`;
  const rerunLabel = `sink re-run, nothing changed (${target.engine})`;
  console.log(`\nsink ${count(files)} files (${target.engine})`);
  const cmd = tsdbtCommand('seed', target.projectDir, { profilesDir: target.profilesDir });
  console.log('  warm-up (untimed)');
  target.reset();
  runChecked(cmd);
  const [first, rerun] = measureTasks(
    [
      { label: 'tsdbt seed (first load)', cmd, before: () => target.reset() },
      { label: 'tsdbt seed (re-run)', cmd },
    ],
    runs,
  );
  target.expectRows?.(`${SEED_SCHEMA}.${SINK_SEED.name}`, files);
  const rerunTargetS = target.judged ? SEED_TARGETS.sinkRerunS : undefined;
  return {
    name: `seed-sink-${target.engine}`,
    engine: target.engine,
    kind: 'sink',
    n: files,
    figures: [figure(firstLabel, toMeasurement(firstLabel, files, first!)), figure(rerunLabel, toMeasurement(rerunLabel, files, rerun!, rerunTargetS))],
  };
}

interface SeedProjects {
  /** `wide.csv` and `events.ndjson`. */
  files: string;
  /** The sink folder, the only seed of its project. */
  sink: string;
}

function generateSeedProjects(args: SeedArgs): SeedProjects {
  const projects = { files: join(WORK_DIR, 'seed-files'), sink: join(WORK_DIR, 'seed-sink') };
  console.log(`\nseed: generating ${projects.files} (${count(args.seedRows)} CSV rows, ${count(args.seedRows)} NDJSON records)`);
  generateFileSeeds(projects.files, args.seedRows);
  console.log(`seed: generating ${projects.sink} (${count(args.sinkFiles)} files)`);
  generateSinkSeed(projects.sink, args.sinkFiles);
  return projects;
}

function seedBenchmarks(projects: SeedProjects, args: SeedArgs): SeedBenchmark[] {
  return [
    ...FILE_SEEDS.map((seed) => ({
      kind: seed.kind,
      projectDir: projects.files,
      measure: (target: SeedTarget) => measureFileSeed(target, seed, args.seedRows, args.runs),
    })),
    { kind: 'sink', projectDir: projects.sink, measure: (target: SeedTarget) => measureSink(target, args.sinkFiles, args.runs) },
  ];
}

function psqlBaseline(server: PgServer, db: string, projectDir: string, seed: FileSeed): Task {
  execSql(server, db, seed.createPsqlTable);
  const copy = `\\copy ${seed.psqlTable} from ${sqlLiteral(join(projectDir, seed.file))} with (${seed.copyOptions})`;
  return { label: `psql \\copy ${seed.psqlTable}`, cmd: psqlCommand(server, db, ['-c', copy]), before: () => execSql(server, db, `truncate ${seed.psqlTable}`) };
}

function postgresTarget(server: PgServer, db: string, projectDir: string): SeedTarget {
  const profilesDir = join(projectDir, 'profiles', 'postgres');
  writeProfiles(profilesDir, { type: 'postgres', dbname: db, host: server.host, port: server.port, user: server.user });
  return {
    engine: 'postgres',
    projectDir,
    profilesDir,
    judged: true,
    reset: () => execSql(server, db, `drop schema if exists ${SEED_SCHEMA} cascade; drop schema if exists ${META_SCHEMA} cascade;`),
    baseline: (seed) => psqlBaseline(server, db, projectDir, seed),
    expectRows: (table, rows) => expectRowCount(server, db, table, rows),
  };
}

/** Each benchmark in a fresh database, dropped at the end. */
function runOnPostgres(server: PgServer, benchmarks: readonly SeedBenchmark[]): SeedResult[] {
  return benchmarks.map((benchmark) => {
    const db = `tsdbt_bench_seed_${benchmark.kind}_${process.pid}`;
    console.log(`\nseed ${benchmark.kind} on PostgreSQL: database ${db}`);
    return withDatabase(server, db, () => benchmark.measure(postgresTarget(server, db, benchmark.projectDir)));
  });
}

/** PGlite's first open runs initdb (seconds): done once, untimed, in a template project whose data directory is copied. */
function pgliteTemplate(): string {
  const dir = join(WORK_DIR, 'seed-pglite-template');
  const dataDir = join(dir, PGLITE_PATH);
  rmSync(dir, { recursive: true, force: true });
  writeSeedProject(dir, { type: 'pglite' });
  console.log(`\nPGlite: initialising a pristine data directory (untimed): ${dataDir}`);
  runChecked(tsdbtCommand('debug', dir, { profilesDir: dir }));
  if (!existsSync(dataDir)) throw new Error(`tsdbt debug with a pglite profile left no data directory at ${dataDir}`);
  return dataDir;
}

/** A pristine PGlite data directory and no target/: the next `tsdbt seed` starts from nothing, without initdb. */
function restorePglite(projectDir: string, templateDataDir: string): void {
  const dataDir = join(projectDir, PGLITE_PATH);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(join(projectDir, 'target'), { recursive: true, force: true });
  cpSync(templateDataDir, dataDir, { recursive: true });
}

function pgliteTarget(projectDir: string, templateDataDir: string): SeedTarget {
  const profilesDir = join(projectDir, 'profiles', 'pglite');
  writeProfiles(profilesDir, { type: 'pglite' });
  return { engine: 'pglite', projectDir, profilesDir, judged: false, reset: () => restorePglite(projectDir, templateDataDir) };
}

function runOnPglite(benchmarks: readonly SeedBenchmark[]): SeedResult[] {
  const templateDataDir = pgliteTemplate();
  return benchmarks.map((benchmark) => benchmark.measure(pgliteTarget(benchmark.projectDir, templateDataDir)));
}

export function runSeedBenchmarks(args: SeedArgs, server: PgServer = LOCAL_PG): SeedBenchmarks {
  const benchmarks = seedBenchmarks(generateSeedProjects(args), args);
  const skipped = skipUnlessReachable(server, 'seed-postgres', 'the seed benchmark on PostgreSQL (PGlite still runs)');
  const results = [...(skipped ? [] : runOnPostgres(server, benchmarks)), ...runOnPglite(benchmarks)];
  return { results, skipped: skipped ? [skipped] : [] };
}
