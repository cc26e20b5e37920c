/**
 * How long `tsdbt build` takes to start executing on a project of 5,000 models and 15,000 data tests: the build
 * graph must add each test once, with edges to its node's direct children only (dbt's edges to every descendant
 * make such a project take minutes to start).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateProject, TESTS_PER_MODEL } from '../generate-project.js';
import { CommandFailed, runChecked, type Command, type Sample } from './measure.js';
import { toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { createRawEvents, LOCAL_PG, resetSchema, skipUnlessReachable, withDatabaseAsync, type PgServer, type Skipped } from './postgres.js';
import { seconds } from './table.js';
import { BUILD_START_TARGET_S } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

const THREADS = 4;
const TARGET_SCHEMA = 'bench';
/** A build that has not started a node by then is stuck: the benchmark fails rather than wait for ever. */
const START_TIMEOUT_MS = 5 * 60 * 1000;

export interface BuildStartResult {
  name: string;
  n: number;
  tests: number;
  database: string;
  /** From the spawn to the start of the first node (its `startedAt`): what the target is about. */
  firstNodeStarts: Measurement;
  /** From the spawn to the "Running with" line: parse, manifest and connection, before the build graph. */
  connected: Measurement;
  /** From the spawn to the arrival of the first node_finished line: an upper bound of the start. */
  firstNodeReported: Measurement;
  cold: { firstNodeStarts: Measurement };
}

interface StartSample {
  connectedS: number;
  startedS: number;
  reportedS: number;
  /** The child's peak RSS so far (VmHWM) when its first node was reported. */
  peakKb: number;
}

/** Linux's peak resident set size of a live process, in KB (0 where /proc cannot tell). */
function peakRssKb(pid: number | undefined): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `build --log-format json` and reads its events as they arrive: the "Running with" message, then the first
 * node_finished, whose `startedAt` says when the first node began. tsdbt's behaviour is untouched; the build is
 * killed right after, and the promise settles once the process is gone.
 */
export function observeBuildStart(cmd: Command): Promise<StartSample> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const origin = process.hrtime.bigint();
    const elapsedS = () => Number(process.hrtime.bigint() - origin) / 1e9;
    const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let connectedS: number | undefined;
    let sample: StartSample | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += `${line}\n`;
      if (sample) return;
      const event = JSON.parse(line) as { event?: string; message?: string; startedAt?: string };
      if (event.event === 'message' && event.message?.startsWith('Running with')) connectedS = elapsedS();
      if (event.event !== 'node_finished' || event.startedAt === undefined) return;
      const reportedS = elapsedS();
      sample = { connectedS: connectedS ?? reportedS, startedS: (Date.parse(event.startedAt) - spawnedAt) / 1000, reportedS, peakKb: peakRssKb(child.pid) };
      child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (sample) resolve(sample);
      else reject(new CommandFailed(cmd, code, stdout, `${stderr}\n(no node started within ${START_TIMEOUT_MS / 1000} s, or the build ended first)`));
    });
  });
}

function asSample(wallS: number, peakKb: number): Sample {
  return { wallS, timeWallS: wallS, peakKb };
}

/** Runs a build per task and round, alternately (as measureRounds does), each from an empty target schema. */
async function measureStarts(tasks: ReadonlyArray<{ label: string; cmd: Command; before: () => void }>, runs: number): Promise<StartSample[][]> {
  const samples: StartSample[][] = tasks.map(() => []);
  for (let round = 1; round <= runs; round++) {
    for (const [i, task] of tasks.entries()) {
      task.before();
      const sample = await observeBuildStart(task.cmd);
      samples[i]!.push(sample);
      console.log(`  ${task.label} ${round}/${runs}: connected ${seconds(sample.connectedS)} s, first node starts ${seconds(sample.startedS)} s, reported ${seconds(sample.reportedS)} s`);
    }
  }
  return samples;
}

export async function runBuildStartBenchmark(n: number, runs: number, server: PgServer = LOCAL_PG): Promise<BuildStartResult | Skipped> {
  const name = `build-start-${n}`;
  const skipped = skipUnlessReachable(server, name, 'the build-start benchmark');
  if (skipped) return skipped;
  const db = `tsdbt_bench_build_start_${process.pid}`;
  const projectDir = join(WORK_DIR, name);
  const tests = n * TESTS_PER_MODEL;
  console.log(`\nbuild start, N=${n} models, ${tests} tests: generating ${projectDir}; database ${db}`);
  generateProject(projectDir, { models: n, tests: true, profile: { dbname: db, host: server.host, port: server.port, user: server.user, schema: TARGET_SCHEMA, threads: THREADS } });
  const removeTarget = () => rmSync(join(projectDir, 'target'), { recursive: true, force: true });
  removeTarget();
  const build = tsdbtCommand('build', projectDir, { profilesDir: projectDir, threads: THREADS, logFormat: 'json' });

  return withDatabaseAsync(server, db, async () => {
    createRawEvents(server, db, 1000);
    const reset = () => resetSchema(server, db, TARGET_SCHEMA);
    console.log('  warm-up (untimed): a build started and killed, then a compile leaving a complete target/');
    reset();
    await observeBuildStart(build);
    runChecked(tsdbtCommand('compile', projectDir, { profilesDir: projectDir }));
    const [warm, cold] = await measureStarts(
      [
        { label: 'warm', cmd: build, before: reset },
        {
          label: 'cold (no target/)',
          cmd: build,
          before: () => {
            reset();
            removeTarget();
          },
        },
      ],
      runs,
    );
    const measurement = (label: string, samples: StartSample[], pick: (s: StartSample) => number, targetS?: number) =>
      toMeasurement(label, n, samples.map((s) => asSample(pick(s), s.peakKb)), targetS);
    return {
      name,
      n,
      tests,
      database: db,
      connected: measurement('build: spawn to "Running with"', warm!, (s) => s.connectedS),
      firstNodeStarts: measurement('build: spawn to first node start', warm!, (s) => s.startedS, BUILD_START_TARGET_S),
      firstNodeReported: measurement('build: spawn to first node reported', warm!, (s) => s.reportedS),
      cold: { firstNodeStarts: measurement('build (cold): spawn to first node start', cold!, (s) => s.startedS, BUILD_START_TARGET_S) },
    };
  });
}
