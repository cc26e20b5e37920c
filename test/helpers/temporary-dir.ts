import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
// Registered when this module is first imported, so it runs after the afterAll hooks registered later (vitest runs
// them in reverse): project.ts closes the PGlite databases it queried before their folders go.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new folder under os.tmpdir() (in memory during `npm test`, see vitest.config.ts), removed after the test file. */
export function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
