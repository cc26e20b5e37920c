import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { pgliteTemplate } from '../src/adapters/pglite/pglite-template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * PGlite's first start runs initdb (seconds); every test project gets a copy of one initialised data directory instead:
 * the template tsdbt itself seeds new embedded databases from (src/adapters/pglite/pglite-template.ts), kept in the
 * cache folder between runs and keyed by PGlite's version.
 */
export default async function setup(project: TestProject): Promise<void> {
  // Process-level tests run bin/tsdbt.js, which loads dist/: build it from the sources under test.
  // TSDBT_TEST_SKIP_BUILD=1 skips it: for test files that only run the CLI in-process, and in .ci/run, where npm ci has
  // just built dist/ and chaos copies it meanwhile (a build removes dist/ first).
  if (process.env.TSDBT_TEST_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, ['scripts/build.mjs'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: 'inherit',
    });
  }
  project.provide('pgliteTemplate', await pgliteTemplate());
  // Said once here, not by each test file (test/helpers/backends.ts decides the skip).
  if (!process.env.TSDBT_TEST_CITUS_URL) console.warn('!!! TSDBT_TEST_CITUS_URL is not set: the Citus half of the integration tests did NOT run (set it to a coordinator whose workers are registered).');
}
