import { afterAll, vi } from 'vitest';
import { forgetSecrets } from '../src/redact.js';
import { closePgliteQueries } from './helpers/pglite-queries.js';
import { removeTemporaryDirs } from './helpers/temporary-dir.js';

/*
 * Run before each test file, in the worker that runs it. Workers run file after file with their modules loaded
 * (isolate: false in vitest.config.ts: loading them again for each file cost more than a minute of CPU), so what a
 * file leaves in the process is undone here, after the file's own afterAll hooks (registered later, run first):
 * - the PGlite databases the PGlite backend's queries opened, then the folders temporaryDir made;
 * - the environment variables and working directory, whatever the file's tests set and did not restore;
 * - fake timers;
 * - the secrets its in-process CLI runs or profiles registered (src/redact.ts), which would mask another file's output.
 */
const env = process.env;
const envBefore = { ...env };
const cwdBefore = process.cwd();

afterAll(async () => {
  await closePgliteQueries();
  removeTemporaryDirs();
  // A test may replace process.env with a plain object (profiles.test.ts does): the real one comes back.
  process.env = env;
  for (const name of Object.keys(env)) if (!(name in envBefore)) delete env[name];
  Object.assign(env, envBefore);
  if (process.cwd() !== cwdBefore) process.chdir(cwdBefore);
  vi.useRealTimers();
  forgetSecrets();
});
