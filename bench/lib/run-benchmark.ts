/** `tsdbt run --threads 4` of N views on PostgreSQL against one psql session running the same compiled SQL. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateProject } from '../generate-project.js';
import { buildViewScript } from './manifest.js';
import { runChecked } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { createRawEvents, LOCAL_PG, psqlCommand, resetSchema, skipUnlessReachable, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { RUN_OVERHEAD_TARGET_MS, verdict, type Verdict } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

const THREADS = 4;
const RAW_ROWS = 1000;
const TARGET_SCHEMA = 'bench';

export interface RunResult {
  name: string;
  n: number;
  database: string;
  tsdbt: Measurement;
  psql: Measurement;
  /** tsdbt median / psql median. */
  ratio: number;
  /** (tsdbt median - psql median) / N, in milliseconds. */
  overheadMsPerModel: number;
  overheadTargetMs: number;
  verdict: Verdict;
}

export type { Skipped } from './postgres.js';

export function overheadMsPerModel(toolS: number, psqlS: number, n: number): number {
  return ((toolS - psqlS) / n) * 1000;
}

function measureAgainstPsql(server: PgServer, db: string, projectDir: string, n: number, runs: number): RunResult {
  const reset = () => resetSchema(server, db, TARGET_SCHEMA);
  const tsdbt = tsdbtCommand('run', projectDir, { profilesDir: projectDir, threads: THREADS });

  console.log('  tsdbt run warm-up (untimed; writes target/manifest.json)');
  reset();
  runChecked(tsdbt);

  const { script, models } = buildViewScript(projectDir);
  if (models !== n) throw new Error(`manifest lists ${models} models, expected ${n}`);
  const scriptPath = join(projectDir, 'psql-baseline.sql');
  writeFileSync(scriptPath, script);
  const psql = psqlCommand(server, db, ['-f', scriptPath]);
  console.log(`  psql warm-up (untimed; ${scriptPath})`);
  reset();
  runChecked(psql);

  const [tsdbtSamples, psqlSamples] = measureTasks(
    [
      { label: `tsdbt run --threads ${THREADS}`, cmd: tsdbt, before: reset },
      { label: 'psql -f script', cmd: psql, before: reset },
    ],
    runs,
  );
  const tsdbtM = toMeasurement(`run tsdbt --threads ${THREADS}`, n, tsdbtSamples!);
  const psqlM = toMeasurement('run psql baseline', n, psqlSamples!);
  const overhead = overheadMsPerModel(tsdbtM.summary.medianS, psqlM.summary.medianS, n);
  return {
    name: `run-${n}`,
    n,
    database: db,
    tsdbt: tsdbtM,
    psql: psqlM,
    ratio: tsdbtM.summary.medianS / psqlM.summary.medianS,
    overheadMsPerModel: overhead,
    overheadTargetMs: RUN_OVERHEAD_TARGET_MS,
    verdict: verdict(overhead, RUN_OVERHEAD_TARGET_MS),
  };
}

export function runRunBenchmark(n: number, runs: number, server: PgServer = LOCAL_PG): RunResult | Skipped {
  const name = `run-${n}`;
  const skipped = skipUnlessReachable(server, name, 'the run benchmark');
  if (skipped) return skipped;
  const db = `tsdbt_bench_${process.pid}`;
  const projectDir = join(WORK_DIR, name);
  console.log(`\nrun, N=${n}: generating ${projectDir}; database ${db}`);
  generateProject(projectDir, { models: n, profile: { dbname: db, host: server.host, port: server.port, user: server.user, schema: TARGET_SCHEMA, threads: THREADS } });
  rmSync(join(projectDir, 'target'), { recursive: true, force: true });

  return withDatabase(server, db, () => {
    createRawEvents(server, db, RAW_ROWS);
    return measureAgainstPsql(server, db, projectDir, n, runs);
  });
}
