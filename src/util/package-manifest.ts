import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface PackageManifest {
  name?: string;
  version: string;
}

/**
 * The nearest package.json at or above `dir` (named `name`, when given: a package's own folder may hold others'),
 * found by walking up, as Node resolves them; undefined when there is none.
 */
export function packageManifestAbove(dir: string, name?: string): PackageManifest | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const file = join(current, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
      if (name === undefined || manifest.name === name) return manifest;
    }
    if (dirname(current) === current) return undefined;
  }
}
