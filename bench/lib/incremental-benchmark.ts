/**
 * Incremental models on PostgreSQL: a sessionising model (window functions) over an event table of N rows, built
 * with merge and with microbatch. Per strategy, `tsdbt run --full-refresh` against an incremental run after 1% new
 * rows landed; and a 30-day microbatch backfill with --threads 4 against --threads 1, beside the same batches' SQL
 * run by 4 psql sessions against 1 (what PostgreSQL itself achieves in parallel).
 */
import { join } from 'node:path';
import { parallelPsqlCommand, writeBackfillScripts, type BackfillScripts } from './backfill-baseline.js';
import {
  BEGIN,
  DAYS,
  LANDING_TABLE,
  MERGE_MODEL,
  MICROBATCH_MODEL,
  MICROBATCH_SQL_HEADER,
  MODELS,
  NEW_DAY,
  newRowCount,
  NOW_BEFORE_NEW_DAY,
  NOW_IN_NEW_DAY,
  PROJECT_NAME,
  RAW_TABLE,
  rawDataSql,
  TARGET_SCHEMA,
  writeIncrementalProject,
} from './incremental-project.js';
import { describe, runChecked, type Command } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { expectRowCount, LOCAL_PG, psqlCommand, queryValue, skipUnlessReachable, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { INCREMENTAL_TARGETS, verdict, verdictAtLeast, type Verdict } from './targets.js';
import { tsdbtCommand, type CliOptions } from './tsdbt.js';

/** The pool the profile allows, and the --threads of every run but the single-threaded backfill. */
const THREADS = 4;
/** The backfill: 30 daily batches, [start, end). */
const BACKFILL = { start: BEGIN, end: '2024-01-31', days: 30 } as const;

/** A measurement against its baseline: a verdict when there is a target, context when there is none. */
export interface IncrementalFigure {
  label: string;
  measured: Measurement;
  baseline: Measurement;
  /**
   * `ratio`: measured median / baseline median, as a percentage (lower is better); `speedup`: baseline median /
   * measured median; `overhead`: measured median / baseline median, as a factor (tsdbt against psql).
   */
  kind: 'ratio' | 'speedup' | 'overhead';
  value: number;
  /** Absent for context figures (verdict '-'). */
  target?: number;
  verdict: Verdict;
}

/** The psql baseline of the backfill: where its scripts are and how they were run. */
export interface BackfillBaseline {
  scriptsDir: string;
  batches: number;
  /** The runner with 1 and with 4 sessions, as a shell would read them. */
  commands: string[];
}

export interface IncrementalResult {
  name: string;
  /** Rows of the event table before the increment. */
  n: number;
  newRows: number;
  database: string;
  figures: IncrementalFigure[];
  backfillBaseline: BackfillBaseline;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function ratioFigure(label: string, measured: Measurement, baseline: Measurement): IncrementalFigure {
  const value = measured.summary.medianS / baseline.summary.medianS;
  return { label, measured, baseline, kind: 'ratio', value, target: INCREMENTAL_TARGETS.maxRatio, verdict: verdict(value, INCREMENTAL_TARGETS.maxRatio) };
}

function speedupFigure(label: string, measured: Measurement, baseline: Measurement): IncrementalFigure {
  const value = baseline.summary.medianS / measured.summary.medianS;
  return { label, measured, baseline, kind: 'speedup', value, target: INCREMENTAL_TARGETS.backfillSpeedup, verdict: verdictAtLeast(value, INCREMENTAL_TARGETS.backfillSpeedup) };
}

/** A figure without a target: shown beside the verdicts to explain them. */
function contextFigure(label: string, kind: 'speedup' | 'overhead', measured: Measurement, baseline: Measurement): IncrementalFigure {
  const [m, b] = [measured.summary.medianS, baseline.summary.medianS];
  return { label, measured, baseline, kind, value: kind === 'speedup' ? b / m : m / b, verdict: '-' };
}

/** psql running each statement on its own (`-c` per statement): VACUUM cannot run inside the one transaction of a multi-statement -c. */
function psqlStatements(server: PgServer, db: string, statements: readonly string[]): Command {
  return psqlCommand(server, db, statements.flatMap((statement) => ['-c', statement]));
}

class IncrementalBench {
  private readonly targets = MODELS.map((model) => `${TARGET_SCHEMA}.${model}`);

  constructor(
    private readonly server: PgServer,
    private readonly db: string,
    private readonly projectDir: string,
    private readonly rows: number,
    private readonly runs: number,
  ) {}

  /** `tsdbt run -s MODEL --threads 4` with the clock pinned: the batches a microbatch run plans depend on "now". */
  private tsdbt(model: string, now: string, options: CliOptions = {}): Command {
    return tsdbtCommand('run', this.projectDir, { profilesDir: this.projectDir, threads: THREADS, select: model, ...options, env: { TSDBT_NOW: now } });
  }

  private exec(statements: readonly string[]): void {
    runChecked(psqlStatements(this.server, this.db, statements));
  }

  /**
   * Untimed, before each timed run: dirty pages of the previous run are written out now rather than by a checkpoint
   * in the middle of the next one.
   */
  private readonly checkpoint = () => this.exec(['checkpoint']);

  /** Untimed, before each backfill (tsdbt's or psql's): each replaces 30 days, so the target is vacuumed first. */
  private readonly prepareBackfill = () => this.exec([`vacuum ${TARGET_SCHEMA}.${MICROBATCH_MODEL}`, 'checkpoint']);

  /**
   * Untimed, before each incremental run: the new day's rows leave the raw table and both targets (vacuumed, as
   * autovacuum would have by the next load), then land again in the raw table. Not analyzed: 1% new rows would not
   * trigger autoanalyze either, so the planner sees the statistics an incremental run would see in production.
   */
  private readonly relandNewRows = () => {
    const tables = [RAW_TABLE, ...this.targets];
    this.exec([
      ...tables.map((table) => `delete from ${table} where event_time >= '${NEW_DAY}'`),
      `vacuum ${tables.join(', ')}`,
      `insert into ${RAW_TABLE} select * from ${LANDING_TABLE}`,
      'checkpoint',
    ]);
  };

  /** Both targets must hold exactly the raw table's rows: the runs timed were complete, not fast by missing rows. */
  private verifyTargets(when: string): void {
    const expected = Number(queryValue(this.server, this.db, `select count(*) from ${RAW_TABLE}`));
    for (const table of this.targets) expectRowCount(this.server, this.db, table, expected);
    console.log(`  checked ${when}: ${this.targets.join(' and ')} hold ${count(expected)} rows, as ${RAW_TABLE} does`);
  }

  generate(): void {
    console.log(`  generating ${RAW_TABLE} (${count(this.rows)} rows) and ${LANDING_TABLE} (${count(newRowCount(this.rows))}), untimed`);
    const start = process.hrtime.bigint();
    runChecked(psqlCommand(this.server, this.db, ['-c', rawDataSql(this.rows)]));
    console.log(`  generated in ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`);
  }

  /** Full refreshes of both models, alternately: the baselines. Leaves both targets built over the existing rows. */
  fullRefresh(): { merge: Measurement; microbatch: Measurement } {
    console.log('  first build of the project (untimed)');
    runChecked(tsdbtCommand('run', this.projectDir, { profilesDir: this.projectDir, threads: THREADS, env: { TSDBT_NOW: NOW_BEFORE_NEW_DAY } }));
    const [merge, microbatch] = measureTasks(
      [
        { label: `${MERGE_MODEL} --full-refresh`, cmd: this.tsdbt(MERGE_MODEL, NOW_BEFORE_NEW_DAY, { fullRefresh: true }), before: this.checkpoint },
        { label: `${MICROBATCH_MODEL} --full-refresh`, cmd: this.tsdbt(MICROBATCH_MODEL, NOW_BEFORE_NEW_DAY, { fullRefresh: true }), before: this.checkpoint },
      ],
      this.runs,
    );
    return {
      merge: toMeasurement(`merge: full refresh`, this.rows, merge!),
      microbatch: toMeasurement(`microbatch: full refresh (${DAYS} batches)`, this.rows, microbatch!),
    };
  }

  /** Incremental runs of both models after the new rows landed, alternately; then checks the row counts once. */
  incremental(): { merge: Measurement; microbatch: Measurement } {
    const newRows = newRowCount(this.rows);
    const [merge, microbatch] = measureTasks(
      [
        { label: `${MERGE_MODEL} (+${count(newRows)} rows)`, cmd: this.tsdbt(MERGE_MODEL, NOW_IN_NEW_DAY), before: this.relandNewRows },
        { label: `${MICROBATCH_MODEL} (+${count(newRows)} rows)`, cmd: this.tsdbt(MICROBATCH_MODEL, NOW_IN_NEW_DAY), before: this.relandNewRows },
      ],
      this.runs,
    );
    // The last timed microbatch run found the merge target reset, so bring both up to date before counting.
    runChecked(this.tsdbt(MERGE_MODEL, NOW_IN_NEW_DAY));
    this.verifyTargets('after the incremental runs');
    return {
      merge: toMeasurement(`merge: incremental (+${count(newRows)} rows)`, this.rows, merge!),
      microbatch: toMeasurement(`microbatch: incremental (+${count(newRows)} rows, 2 batches)`, this.rows, microbatch!),
    };
  }

  /**
   * The psql baseline's scripts, from what a tsdbt backfill just ran (its compiled batches and run statements in
   * target/): the 30 batches' SQL, one psql script each.
   */
  private backfillScripts(): BackfillScripts {
    const scripts = writeBackfillScripts(this.server, this.db, {
      projectDir: this.projectDir,
      projectName: PROJECT_NAME,
      schema: TARGET_SCHEMA,
      model: MICROBATCH_MODEL,
      eventTime: 'event_time',
      sqlHeader: MICROBATCH_SQL_HEADER,
      start: BACKFILL.start,
      days: BACKFILL.days,
    });
    console.log(`  psql baseline: ${scripts.files.length} batch scripts from tsdbt's compiled and run SQL in ${scripts.dir}`);
    return scripts;
  }

  /**
   * The same 30 batches by tsdbt with 1 and with 4 threads, and by psql with 1 and 4 sessions at a time, round by
   * round (so drift in the table's state or the machine hits all four alike), each after the same vacuum and
   * checkpoint. An untimed tsdbt backfill first writes the SQL the psql scripts are built from; its result is checked.
   */
  backfill(): { one: Measurement; four: Measurement; psqlOne: Measurement; psqlFour: Measurement; baseline: BackfillBaseline } {
    const range = { eventTimeStart: BACKFILL.start, eventTimeEnd: BACKFILL.end };
    const before = this.prepareBackfill;
    console.log(`  untimed backfill --threads ${THREADS} (writes the SQL of the psql baseline)`);
    before();
    runChecked(this.tsdbt(MICROBATCH_MODEL, NOW_IN_NEW_DAY, range));
    this.verifyTargets("after tsdbt's untimed backfill");
    const scripts = this.backfillScripts();
    const psql = [1, THREADS].map((sessions) => parallelPsqlCommand(this.server, this.db, scripts.listFile, sessions));
    const labels = [
      `backfill ${BACKFILL.days} days --threads 1`,
      `backfill ${BACKFILL.days} days --threads ${THREADS}`,
      `psql backfill ${BACKFILL.days} days 1 session`,
      `psql backfill ${BACKFILL.days} days ${THREADS} sessions`,
    ] as const;
    const [one, four, psqlOne, psqlFour] = measureTasks(
      [
        { label: labels[0], cmd: this.tsdbt(MICROBATCH_MODEL, NOW_IN_NEW_DAY, { ...range, threads: 1 }), before },
        { label: labels[1], cmd: this.tsdbt(MICROBATCH_MODEL, NOW_IN_NEW_DAY, range), before },
        { label: labels[2], cmd: psql[0]!, before },
        { label: labels[3], cmd: psql[1]!, before },
      ],
      this.runs,
    );
    this.verifyTargets('after the backfills');
    return {
      one: toMeasurement(`microbatch: ${labels[0]}`, this.rows, one!),
      four: toMeasurement(`microbatch: ${labels[1]}`, this.rows, four!),
      psqlOne: toMeasurement(labels[2], this.rows, psqlOne!),
      psqlFour: toMeasurement(labels[3], this.rows, psqlFour!),
      baseline: { scriptsDir: scripts.dir, batches: scripts.files.length, commands: psql.map(describe) },
    };
  }
}

export function runIncrementalBenchmark(rows: number, runs: number, server: PgServer = LOCAL_PG): IncrementalResult | Skipped {
  const name = `incremental-${rows}`;
  const skipped = skipUnlessReachable(server, name, 'the incremental benchmark');
  if (skipped) return skipped;
  const db = `tsdbt_bench_incremental_${process.pid}`;
  const projectDir = join(WORK_DIR, 'incremental');
  console.log(`\nincremental, N=${count(rows)}: project ${projectDir}; database ${db}`);
  writeIncrementalProject(projectDir, { dbname: db, host: server.host, port: server.port, user: server.user, threads: THREADS });

  return withDatabase(server, db, () => {
    const bench = new IncrementalBench(server, db, projectDir, rows, runs);
    bench.generate();
    const full = bench.fullRefresh();
    const incremental = bench.incremental();
    const backfill = bench.backfill();
    return {
      name,
      n: rows,
      newRows: newRowCount(rows),
      database: db,
      figures: [
        ratioFigure('merge: incremental / full refresh', incremental.merge, full.merge),
        ratioFigure('microbatch: incremental / full refresh', incremental.microbatch, full.microbatch),
        speedupFigure(`microbatch backfill ${BACKFILL.days} days: --threads 1 / --threads ${THREADS}`, backfill.four, backfill.one),
        contextFigure(`psql backfill ${BACKFILL.days} days: 1 session / ${THREADS} sessions`, 'speedup', backfill.psqlFour, backfill.psqlOne),
        contextFigure(`backfill ${BACKFILL.days} days: tsdbt --threads 1 / psql 1 session`, 'overhead', backfill.one, backfill.psqlOne),
        contextFigure(`backfill ${BACKFILL.days} days: tsdbt --threads ${THREADS} / psql ${THREADS} sessions`, 'overhead', backfill.four, backfill.psqlFour),
      ],
      backfillBaseline: backfill.baseline,
    };
  });
}
