import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { TestBackend } from './backends.js';
import { closePgliteQueries } from './pglite-queries.js';
import { temporaryDir } from './temporary-dir.js';
import { spawnCli as spawnCliProcess, type CliResult, type SpawnedCli, type SpawnOptions } from './spawn-cli.js';

export type { CliResult, SpawnOptions } from './spawn-cli.js';

/** The CLI as a child process (see spawn-cli.ts), once the databases tests queried are closed for it. */
export async function spawnCli(args: string[], options?: SpawnOptions): Promise<SpawnedCli> {
  await closePgliteQueries();
  return spawnCliProcess(args, options);
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

export const DEFAULT_PROJECT_FILE = 'name: test_project\nprofile: test\n';

/** A project in a temporary folder, made of the given files (a tsdbt_project.yml is added unless given). */
export function makeProject(files: Record<string, string>, backend?: TestBackend, schema = 'analytics'): TestProject {
  const dir = temporaryDir('tsdbt-test-');
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
  await closePgliteQueries();
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (line) => out.push(line), stderr: (line) => err.push(line), colors: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/**
 * The seconds a run refused by a writer lock says it waited ("waited 1.2 s"), NaN if it does not say. At least its
 * --lock-timeout; how much more depends on how busy the machine is, so tests check the lower bound only.
 */
export function lockWaitSeconds(stderr: string): number {
  return Number(/waited (\d+\.\d) s/.exec(stderr)?.[1]);
}
