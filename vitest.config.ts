import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Test files spend much of their time waiting (on the PostgreSQL server, on CLI child processes, on PGlite's
    // file I/O): three at once keep two cores busy where vitest's default (cores - 1) runs them one after another.
    maxWorkers: 3,
    // Limits that catch a hang, not a slow machine: under load, with three files at once, a test may take several
    // times its quiet duration. How fast things are is `npm run bench`'s business.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
