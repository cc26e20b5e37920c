import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { TestBackend } from './backends.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestProject {
  dir: string;
  /** Runs the CLI in this process, against this project and its profile. */
  run(...args: string[]): Promise<CliResult>;
  write(path: string, content: string): void;
  read(path: string): string;
  remove(path: string): void;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

const projects: string[] = [];
afterAll(() => {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export const DEFAULT_PROJECT_FILE = 'name: test_project\nprofile: test\n';

/** A project in a temporary folder, made of the given files (a tsdbt_project.yml is added unless given). */
export function makeProject(files: Record<string, string>, backend?: TestBackend, schema = 'analytics'): TestProject {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbt-test-'));
  projects.push(dir);
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  write('tsdbt_project.yml', DEFAULT_PROJECT_FILE);
  for (const [path, content] of Object.entries(files)) write(path, content);
  if (backend) write('profiles.yml', backend.profile(dir, schema));
  return {
    dir,
    run: (...args) => runCli([...args, '--project-dir', dir, ...(backend ? ['--profiles-dir', dir] : [])]),
    write,
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    remove: (path) => rmSync(join(dir, path), { recursive: true, force: true }),
    query: (sql, params) => {
      if (!backend) throw new Error('this test project has no backend');
      return backend.query(dir, sql, params);
    },
  };
}

export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (line) => out.push(line), stderr: (line) => err.push(line), colors: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The real executable, built from the current sources by the global setup. */
const bin = fileURLToPath(new URL('../../bin/tsdbt.js', import.meta.url));

/** Runs the CLI as a child process, for what only a process shows: exit codes, signals, stray output. */
export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onStdout?: (output: string, kill: (signal: NodeJS.Signals) => void) => void;
  /** SIGKILL the process after this long, if it is still running. */
  killAfterMs?: number;
  onKill?: () => void;
}

export function spawnCli(args: string[], options: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}
