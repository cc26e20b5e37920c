import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TsdbtError } from '../core/errors.js';
import { listFiles } from '../util/files.js';
import { importModule } from '../util/import-module.js';
import type { HelperFunction, MacroDefinitions } from './environment.js';

const PARTIAL_EXTENSIONS = ['.sql'];
const HELPER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Reads the project's macros: `.sql` files become partials, functions exported by `.ts`/`.js` files become helpers. */
export async function loadMacros(root: string, macroPaths: string[], cacheDir: string): Promise<MacroDefinitions> {
  const macros: MacroDefinitions = { partials: new Map(), helpers: new Map() };
  const seen = new Map<string, string>();
  const claim = (name: string, file: string) => {
    const previous = seen.get(name);
    if (previous) throw new TsdbtError('config', `macro '${name}' is defined twice: in ${previous} and in ${file}`, { location: { file } });
    seen.set(name, file);
  };
  for (const dir of macroPaths) {
    for (const file of listFiles(root, dir, PARTIAL_EXTENSIONS)) {
      const name = basename(file, '.sql');
      claim(name, file);
      macros.partials.set(name, { file, source: readFileSync(join(root, file), 'utf8') });
    }
    for (const file of listFiles(root, dir, HELPER_EXTENSIONS).filter((f) => !f.endsWith('.d.ts'))) {
      const { exports } = await importModule(root, file, cacheDir);
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value !== 'function') continue;
        claim(name, file);
        macros.helpers.set(name, { file, fn: value as HelperFunction });
      }
    }
  }
  return macros;
}
