/** Running child processes: measured (wall time + peak RSS via /usr/bin/time) or just checked. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME_BIN = '/usr/bin/time';
const MAX_BUFFER = 512 * 1024 * 1024;
const TIMEOUT_MS = 15 * 60 * 1000;

export interface Command {
  command: string;
  args: string[];
  cwd?: string;
  /** Variables added to the inherited environment (e.g. TSDBT_NOW, which pins a run's clock). */
  env?: Readonly<Record<string, string>>;
}

/** One timed execution of a command. */
export interface Sample {
  /** Wall time measured with process.hrtime around spawnSync, in seconds. */
  wallS: number;
  /** Wall time as reported by /usr/bin/time (%e, 10 ms resolution), in seconds. */
  timeWallS: number;
  /** Peak resident set size of the child as reported by /usr/bin/time (%M), in KB. */
  peakKb: number;
}

/** A child process that exited non-zero (or could not be started); carries its output so it can be shown. */
export class CommandFailed extends Error {
  constructor(
    readonly cmd: Command,
    readonly status: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`command failed (exit ${status ?? 'signal'}): ${describe(cmd)}`);
    this.name = 'CommandFailed';
  }
}

export function describe(cmd: Command): string {
  const env = Object.entries(cmd.env ?? {}).map(([name, value]) => `${name}=${value}`);
  return [...env, cmd.command, ...cmd.args].map((a) => (/^[\w./:=,@+-]+$/.test(a) ? a : `'${a}'`)).join(' ');
}

function spawn(cmd: Command): SpawnSyncReturns<string> {
  const env = cmd.env && { ...process.env, ...cmd.env };
  return spawnSync(cmd.command, cmd.args, { cwd: cmd.cwd, env, encoding: 'utf8', maxBuffer: MAX_BUFFER, timeout: TIMEOUT_MS });
}

function failure(cmd: Command, result: SpawnSyncReturns<string>): CommandFailed {
  const stderr = [result.stderr ?? '', result.error ? String(result.error) : ''].filter(Boolean).join('\n');
  return new CommandFailed(cmd, result.status, result.stdout ?? '', stderr);
}

/** Runs a command untimed; throws CommandFailed unless it exits 0. Returns its stdout. */
export function runChecked(cmd: Command): string {
  const result = spawn(cmd);
  if (result.error || result.status !== 0) throw failure(cmd, result);
  return result.stdout;
}

/** `/usr/bin/time -o FILE` writes "Command exited with non-zero status N" first on failure; the figures are on the last line. */
export function parseTimeOutput(text: string): { timeWallS: number; peakKb: number } {
  const last = text.trim().split('\n').at(-1) ?? '';
  const [elapsed, peak] = last.trim().split(/\s+/).map(Number);
  if (elapsed === undefined || peak === undefined || Number.isNaN(elapsed) || Number.isNaN(peak)) {
    throw new Error(`cannot parse /usr/bin/time output: ${JSON.stringify(text)}`);
  }
  return { timeWallS: elapsed, peakKb: peak };
}

/**
 * Runs a command once under `/usr/bin/time -f '%e %M'`; throws CommandFailed unless it exits with one of `accepted`
 * (by default only 0; `tsdbt build` exits 1 when a data test fails, which can still be a complete measurement).
 */
export function measure(cmd: Command, accepted: readonly number[] = [0]): Sample {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbt-bench-'));
  const timeFile = join(dir, 'time.txt');
  try {
    const wrapped: Command = { command: TIME_BIN, args: ['-f', '%e %M', '-o', timeFile, cmd.command, ...cmd.args], cwd: cmd.cwd, env: cmd.env };
    const start = process.hrtime.bigint();
    const result = spawn(wrapped);
    const wallS = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.error || result.status === null || !accepted.includes(result.status)) throw failure(cmd, result);
    return { wallS, ...parseTimeOutput(readFileSync(timeFile, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Something to measure repeatedly: `before` runs untimed ahead of each measurement (e.g. to reset state). */
export interface Task {
  label: string;
  cmd: Command;
  before?: () => void;
}

/**
 * Measures every task `runs` times, round by round (task 1, task 2, ..., then again), so that a noisy
 * period of a shared machine hits all tasks alike. Returns the samples per task, in task order.
 */
export function measureRounds(
  tasks: readonly Task[],
  runs: number,
  onSample?: (task: Task, round: number, sample: Sample) => void,
): Sample[][] {
  const samples: Sample[][] = tasks.map(() => []);
  for (let round = 1; round <= runs; round++) {
    tasks.forEach((task, i) => {
      task.before?.();
      const sample = measure(task.cmd);
      samples[i]!.push(sample);
      onSample?.(task, round, sample);
    });
  }
  return samples;
}
