import { expect } from 'vitest';
import { spawnCli, type CliResult, type TestProject } from './project.js';

/**
 * Runs the CLI as a process (a SIGKILL must kill a process, not the test) and SIGKILLs it `delayMs` after its output
 * first matches `marker`; expects it to have died of that.
 */
export async function expectKilled(project: TestProject, args: string[], marker: RegExp, delayMs = 400): Promise<void> {
  let killing = false;
  const run = await spawnCli([...args, '--project-dir', project.dir, '--profiles-dir', project.dir], {
    onStdout: (output, kill) => {
      if (!killing && marker.test(output)) {
        killing = true;
        setTimeout(() => kill('SIGKILL'), delayMs);
      }
    },
  });
  expect(killing, run.stdout + run.stderr).toBe(true);
  expect(run.code, `the process ended by the kill, not by itself:\n${run.stdout}${run.stderr}`).toBe(128);
}

export async function expectOk(project: TestProject, ...args: string[]): Promise<CliResult> {
  const result = await project.run(...args);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return result;
}

/** Relations a run builds under a temporary name or moves aside: a killed run's must not outlive the next run. */
export const LEFTOVERS = "select relname from pg_class where relname like '%\\_\\_tsdbt\\_tmp\\_%' or relname like '%\\_\\_tsdbt\\_backup\\_%'";
