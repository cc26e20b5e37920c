import { createHash } from 'node:crypto';
import type { SourceMapPayload } from 'node:module';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { TsdbtError } from '../core/errors.js';
import { writeFileAtomic } from './files.js';
import { importExternal } from './import-external.js';

export interface ImportedModule {
  exports: Record<string, unknown>;
  /** Where the code runs from (the bundle for TypeScript), and its source map, to point errors back at the source. */
  url: string;
  sourceMap?: { payload: SourceMapPayload; dir: string };
}

/**
 * Imports a project's `.ts`/`.js` file (macros, TypeScript models). TypeScript is bundled with esbuild into the cache
 * first (relative imports included), keyed by content hash; packages stay imports, resolved from the project.
 */
export async function importModule(root: string, file: string, cacheDir: string): Promise<ImportedModule> {
  const absolute = join(root, file);
  try {
    if (!['.ts', '.mts'].includes(extname(file))) {
      const url = pathToFileURL(absolute).href;
      return { exports: await importExternal<Record<string, unknown>>(url), url };
    }
    const { build } = await importExternal<typeof import('esbuild')>('esbuild');
    const stem = basename(file, extname(file));
    const result = await build({
      entryPoints: [absolute],
      // Not written: names the output so the source map's paths are relative to the cache.
      outfile: join(cacheDir, `${stem}.mjs`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      plugins: [tsdbtsOwnKysely],
      sourcemap: 'external',
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles.find((output) => output.path.endsWith('.mjs'))!.text;
    const map = result.outputFiles.find((output) => output.path.endsWith('.map'))?.text;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const out = join(cacheDir, `${stem}-${hash}.mjs`);
    writeFileAtomic(out, code);
    (globalThis as Record<symbol, unknown>)[KYSELY] = await import('kysely');
    const url = pathToFileURL(out).href;
    return { exports: await importExternal<Record<string, unknown>>(url), url, sourceMap: map ? { payload: JSON.parse(map) as SourceMapPayload, dir: cacheDir } : undefined };
  } catch (error) {
    if (error instanceof TsdbtError) throw error;
    const first = (error as { errors?: Array<{ text: string; location?: { line: number; column: number } }> }).errors?.[0];
    throw new TsdbtError('compile', `cannot load ${file}: ${first?.text ?? (error as Error).message}`, {
      location: { file, line: first?.location?.line, column: first?.location ? first.location.column + 1 : undefined },
      cause: error,
    });
  }
}

/**
 * `kysely` is tsdbt's own copy, the one already loaded: a project needs no node_modules of its own for it, what the code
 * builds (`sql`...) is made by the same classes as the context's query builder, and no second copy (some 300 module
 * files) is loaded. The model's bundle reads it from a global tsdbt sets, since the bundle runs as a module of its own;
 * subpaths (`kysely/helpers/postgres`) resolve to the files of tsdbt's copy.
 */
const KYSELY = Symbol.for('tsdbt.kysely');

const tsdbtsOwnKysely: Plugin = {
  name: 'tsdbt-kysely',
  setup(build) {
    build.onResolve({ filter: /^kysely$/ }, () => ({ path: 'kysely', namespace: 'tsdbt-kysely' }));
    build.onLoad({ filter: /.*/, namespace: 'tsdbt-kysely' }, async () => {
      const names = Object.keys(await import('kysely')).filter((name) => name !== 'default');
      return { contents: `const kysely = globalThis[Symbol.for('tsdbt.kysely')];\n${names.map((name) => `export const ${name} = kysely.${name};`).join('\n')}\n` };
    });
    build.onResolve({ filter: /^kysely\/.+$/ }, (args) => ({ path: import.meta.resolve(args.path), external: true }));
  },
};
