import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * PGlite's first start runs initdb (seconds); every test project gets a copy of one initialised data directory instead.
 * Kept between runs, keyed by PGlite's version.
 */
export default async function setup(project: TestProject): Promise<void> {
  // Process-level tests run bin/tsdbt.js, which loads dist/: build it from the sources under test.
  // TSDBT_TEST_SKIP_BUILD=1 skips it for test files that only run the CLI in-process.
  if (process.env.TSDBT_TEST_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, ['scripts/build.mjs'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: 'inherit',
    });
  }
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  const version = manifest.dependencies['@electric-sql/pglite'];
  const template = join(tmpdir(), `tsdbt-pglite-template-${version}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    const building = mkdtempSync(join(tmpdir(), 'tsdbt-pglite-building-'));
    const db = await PGlite.create(building);
    await db.query('select 1');
    await db.close();
    rmSync(template, { recursive: true, force: true });
    try {
      renameSync(building, template);
    } catch {
      cpSync(building, template, { recursive: true });
      rmSync(building, { recursive: true, force: true });
    }
  }
  project.provide('pgliteTemplate', template);
}
