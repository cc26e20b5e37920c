/**
 * `--only embedded-start`: what a command pays to start on the embedded database (PGlite), whole-process with peak
 * memory: `tsdbt --version` (no database), `tsdbt show --inline 'select 1'` on an existing data directory, a one-model
 * `tsdbt run` on it, and the same run with no `.tsdbt` yet (a new database). Each against plain PGlite doing the same
 * (bench/plain-pglite.mjs: default options, a new data directory runs initdb) and against `psql -c 'select 1'` on the
 * PostgreSQL server. Targets (issue 16): `show` at most `--version` + 1 s; the new-database run under 3 s.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { runChecked, type Command, type Task } from './measure.js';
import { CLI_PATH, REPO_ROOT, WORK_DIR } from './paths.js';
import { LOCAL_PG, psqlCommand, skipUnlessReachable, type PgServer, type Skipped } from './postgres.js';
import { formatTable, megabytes, seconds } from './table.js';

export const SHOW_OVER_VERSION_TARGET_S = 1;
export const NEW_DATABASE_TARGET_S = 3;

export interface EmbeddedStartFigure {
  label: string;
  tsdbt: Measurement;
  /** Plain PGlite doing the same; none for `--version`, which opens no database. */
  plain?: Measurement;
  /** tsdbt median / plain PGlite median. */
  ratioToPlain?: number;
  /** tsdbt median / `psql -c 'select 1'` median. */
  ratioToPsql?: number;
}

export interface EmbeddedStartResult {
  name: 'embedded-start';
  figures: EmbeddedStartFigure[];
  psql: Measurement | Skipped;
}

function makeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'tsdbt_project.yml'), 'name: embedded_start\nprofile: embedded_start\n');
  writeFileSync(join(dir, 'profiles.yml'), 'embedded_start:\n  target: dev\n  outputs:\n    dev:\n      type: pglite\n      path: .tsdbt/pglite\n      schema: public\n');
  writeFileSync(join(dir, 'models/one.sql'), 'select 1 as one\n');
}

function cli(dir: string, args: string[]): Command {
  return { command: process.execPath, args: [CLI_PATH, ...args, '--project-dir', dir, '--profiles-dir', dir], cwd: dir };
}

function plainPglite(dataDir: string): Command {
  return { command: process.execPath, args: [join(REPO_ROOT, 'bench/plain-pglite.mjs'), dataDir], cwd: REPO_ROOT };
}

export function runEmbeddedStartBenchmark(runs: number, server: PgServer = LOCAL_PG): EmbeddedStartResult {
  const dir = join(WORK_DIR, 'embedded-start');
  const plainDir = join(WORK_DIR, 'embedded-start-plain');
  makeProject(dir);
  const plainExisting = join(plainDir, 'existing');
  const plainNew = join(plainDir, 'new');
  rmSync(plainDir, { recursive: true, force: true });
  mkdirSync(plainDir, { recursive: true });
  // Untimed: the existing databases, and the template cache a new tsdbt database is copied from.
  runChecked(cli(dir, ['run']));
  runChecked(plainPglite(plainExisting));
  const newDatabase = () => rmSync(join(dir, '.tsdbt'), { recursive: true, force: true });

  const tasks: Task[] = [
    { label: '--version', cmd: { command: process.execPath, args: [CLI_PATH, '--version'], cwd: dir } },
    { label: 'show existing', cmd: cli(dir, ['show', '--inline', 'select 1']) },
    { label: 'plain open existing', cmd: plainPglite(plainExisting) },
    { label: 'run existing', cmd: cli(dir, ['run']) },
    { label: 'run new database', cmd: cli(dir, ['run']), before: newDatabase },
    { label: 'plain new database', cmd: plainPglite(plainNew), before: () => rmSync(plainNew, { recursive: true, force: true }) },
  ];
  const unreachable = skipUnlessReachable(server, 'embedded-start-psql', "the psql -c 'select 1' reference of the embedded-start benchmark");
  if (!unreachable) tasks.push({ label: "psql -c 'select 1'", cmd: psqlCommand(server, 'postgres', ['-c', 'select 1']) });
  const samples = measureTasks(tasks, runs);
  const [version, show, plainOpen, runExisting, runNew, plainCreate, psqlSamples] = tasks.map((task, i) => toMeasurement(task.label, 1, samples[i]!));
  // The database the runs leave is the one the next section would find: start it fresh next time.
  newDatabase();
  rmSync(plainDir, { recursive: true, force: true });

  const psql = psqlSamples ?? unreachable!;
  const figure = (label: string, tsdbt: Measurement, plain?: Measurement): EmbeddedStartFigure => ({
    label,
    tsdbt,
    plain,
    ratioToPlain: plain && tsdbt.summary.medianS / plain.summary.medianS,
    ratioToPsql: 'skipped' in psql ? undefined : tsdbt.summary.medianS / psql.summary.medianS,
  });
  return {
    name: 'embedded-start',
    figures: [
      figure('tsdbt --version', version!),
      figure("tsdbt show --inline 'select 1', existing database", show!, plainOpen),
      figure('tsdbt run of one model, existing database', runExisting!, plainOpen),
      figure('tsdbt run of one model, new database', runNew!, plainCreate),
    ],
    psql,
  };
}

/** The bars: `show` within 1 s of `--version`, and a new database's one-model run under 3 s. */
export function embeddedStartMissed(result: EmbeddedStartResult): string[] {
  const [version, show, , runNew] = result.figures.map((f) => f.tsdbt.summary.medianS);
  const missed: string[] = [];
  if (show! - version! > SHOW_OVER_VERSION_TARGET_S) missed.push(`embedded show is ${seconds(show! - version!)} s over --version (target <= ${SHOW_OVER_VERSION_TARGET_S} s)`);
  if (runNew! > NEW_DATABASE_TARGET_S) missed.push(`embedded new-database run took ${seconds(runNew!)} s (target < ${NEW_DATABASE_TARGET_S} s)`);
  return missed;
}

export function embeddedStartTable(result: EmbeddedStartResult): string {
  const ratio = (value?: number) => (value === undefined ? '-' : `${value.toFixed(2)}x`);
  const rows = result.figures.map((f) => [
    f.label,
    seconds(f.tsdbt.summary.medianS),
    megabytes(f.tsdbt.summary.medianPeakMb),
    f.plain ? seconds(f.plain.summary.medianS) : '-',
    f.plain ? megabytes(f.plain.summary.medianPeakMb) : '-',
    ratio(f.ratioToPlain),
    ratio(f.ratioToPsql),
  ]);
  const psql = 'skipped' in result.psql ? `SKIPPED: ${result.psql.skipped}` : `${seconds(result.psql.summary.medianS)} s, ${megabytes(result.psql.summary.medianPeakMb)} MB`;
  const table = formatTable(
    [
      { header: 'embedded start (medians)' },
      { header: 'tsdbt s', align: 'right' },
      { header: 'peak MB', align: 'right' },
      { header: 'plain PGlite s', align: 'right' },
      { header: 'peak MB', align: 'right' },
      { header: 'vs PGlite', align: 'right' },
      { header: 'vs psql', align: 'right' },
    ],
    rows,
  );
  return `${table}\npsql -c 'select 1' on PostgreSQL: ${psql}`;
}
