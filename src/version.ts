import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own package.json, found by walking up: this module runs from src/, dist/ or a chunk in dist/chunks/. */
function readPackageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) throw new Error('tsdbt: its package.json is missing');
  }
}

export const TSDBT_VERSION: string = readPackageVersion();
