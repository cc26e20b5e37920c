import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageManifestAbove } from './util/package-manifest.js';

/** The package's own package.json, found by walking up: this module runs from src/, or bundled in dist/cli.cjs. */
function readPackageVersion(): string {
  const manifest = packageManifestAbove(dirname(fileURLToPath(import.meta.url)));
  if (!manifest) throw new Error('tsdbt: its package.json is missing');
  return manifest.version;
}

export const TSDBT_VERSION: string = readPackageVersion();
