import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a run of the CLI printed, and how it ended. Outside vitest too: the chaos suite (chaos/) spawns the CLI the same way. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A run of the CLI as a child process. */
export interface SpawnedCli extends CliResult {
  /** The signal the process died of, if it did. */
  signal: NodeJS.Signals | null;
}

/** The real executable, built from the current sources by the global setup. */
const bin = fileURLToPath(new URL('../../bin/tsdbt.js', import.meta.url));

/** Runs the CLI as a child process, for what only a process shows: exit codes, signals, stray output. */
export interface SpawnOptions {
  /** The script to run instead of bin/tsdbt.js (the chaos suite runs a copy that a rebuild cannot change under it). */
  cli?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once the process is started, with a way to signal it (the chaos suite injects faults with it). */
  onSpawn?: (kill: (signal: NodeJS.Signals) => void) => void;
  onStdout?: (output: string, kill: (signal: NodeJS.Signals) => void) => void;
  /** SIGKILL the process after this long, if it is still running. */
  killAfterMs?: number;
  onKill?: () => void;
  /** SIGKILLs the process when aborted (a caller that is itself stopping). */
  signal?: AbortSignal;
}

export function spawnCli(args: string[], options: SpawnOptions = {}): Promise<SpawnedCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.cli ?? bin, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGKILL',
    });
    options.onSpawn?.((signal) => child.kill(signal));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.exitCode === null && child.kill('SIGKILL')) options.onKill?.();
          }, options.killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code: code ?? (signal ? 128 : -1), signal, stdout, stderr });
    });
  });
}
