import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { temporaryDir } from './temporary-dir.js';

/** A dbt project written for a test into a new temporary folder: its files by path. */
export function writeDbtProject(files: Record<string, string>): string {
  const dir = temporaryDir('tsdbt-dbt-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
