import { accessSync, constants, statSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/longest-first-sequencer.js';

function writableDir(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where tests make their temporary projects (os.tmpdir() in the test processes and the CLIs they spawn). A PGlite data
 * directory is about a thousand files, copied in and removed again for every test project: in memory (/dev/shm) that
 * is several times faster than on a busy disk. TSDBT_TEST_TMPDIR chooses another place.
 */
const testTmpDir = process.env.TSDBT_TEST_TMPDIR ?? (writableDir('/dev/shm') ? '/dev/shm' : undefined);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // A worker runs file after file with the modules it loaded (PGlite, pg, libpg-query, the CLI): importing them
    // anew for each file cost more CPU than the two cores can spare. test/file-setup.ts undoes, after each file, what
    // it left in the process (open databases, temporary folders, environment variables, registered secrets).
    isolate: false,
    setupFiles: ['test/file-setup.ts'],
    // The longest files first (test/file-durations.json), so that no long file starts last while the others idle.
    sequence: { sequencer: LongestFirstSequencer },
    // Test files spend much of their time waiting (on the PostgreSQL server, on CLI child processes, on PGlite's
    // file I/O): three at once keep two cores busy where vitest's default (cores - 1) runs them one after another.
    maxWorkers: 3,
    // Limits that catch a hang, not a slow machine: under load, with three files at once, a test may take several
    // times its quiet duration. How fast things are is `npm run bench`'s business.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // expect.poll (the browser tests wait for the page with it) gives up after 1 s by default, less than a loaded
    // machine may take to lay a graph out; as long as a page action may wait (test/helpers/browser.ts).
    expect: { poll: { timeout: 120_000 } },
    env: testTmpDir ? { TMPDIR: testTmpDir } : {},
  },
});
