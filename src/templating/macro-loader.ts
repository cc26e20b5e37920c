import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TsdbtError } from '../errors.js';
import { listFiles, writeFileAtomic } from '../util/files.js';
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
      const module = await importModule(root, file, cacheDir);
      for (const [name, value] of Object.entries(module)) {
        if (typeof value !== 'function') continue;
        claim(name, file);
        macros.helpers.set(name, { file, fn: value as HelperFunction });
      }
    }
  }
  return macros;
}

/** TypeScript is bundled with esbuild into the cache first (relative imports included), keyed by content hash. */
export async function importModule(root: string, file: string, cacheDir: string): Promise<Record<string, unknown>> {
  const absolute = join(root, file);
  try {
    if (!['.ts', '.mts'].includes(extname(file))) return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [absolute],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const out = join(cacheDir, `${basename(file, extname(file))}-${hash}.mjs`);
    writeFileAtomic(out, code);
    return (await import(pathToFileURL(out).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TsdbtError) throw error;
    const first = (error as { errors?: Array<{ text: string; location?: { line: number; column: number } }> }).errors?.[0];
    throw new TsdbtError('compile', `cannot load ${file}: ${first?.text ?? (error as Error).message}`, {
      location: { file, line: first?.location?.line, column: first?.location ? first.location.column + 1 : undefined },
      cause: error,
    });
  }
}
