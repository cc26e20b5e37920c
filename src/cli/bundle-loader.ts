/**
 * dist/tsdbt.mjs, what bin/tsdbt.js imports: runs the CLI's bundle (dist/cli.cjs) through V8's code cache.
 *
 * Node compiles every script it loads at each start, and Node 20 keeps no compile cache of its own
 * (`module.enableCompileCache` came in Node 22). Compiling the bundle and the functions a command calls cost about a
 * quarter of `tsdbt --version`'s instructions. So the bundle is run as one script whose compiled code V8 serialises
 * after a first command and reads back at every later start: V8 checks that it was made by the same V8 with the same
 * flags for a source of the same length, and the cache's name holds the bundle's hash, Node's version and flags.
 *
 * Built by scripts/build.mjs, which defines __TSDBT_BUNDLE_ID__ (the bundle's hash); it imports nothing of the bundle.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { tsdbtCacheDir } from '../util/cache-dir.js';

declare const __TSDBT_BUNDLE_ID__: string;

type Main = (argv: string[]) => Promise<number>;

const BUNDLE = fileURLToPath(new URL('./cli.cjs', import.meta.url));

/** What a cache is valid for besides the bundle: this Node, with these flags. */
const runtimeKey = createHash('sha256')
  .update(JSON.stringify([process.version, process.arch, process.execArgv, process.env.NODE_OPTIONS ?? '']))
  .digest('hex')
  .slice(0, 16);
/**
 * One cache per command: each holds the functions its first run compiled (a command's own are most of what it
 * compiles), and none is rewritten after.
 */
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? '';
const cacheName = `${__TSDBT_BUNDLE_ID__}-${runtimeKey}-${/^[a-z]{1,20}$/.test(command) ? command : 'other'}.bin`;
/** Beside the bundle (a rebuild removes it with dist/), else in the user's cache folder when dist/ is read-only. */
const cacheFolders = [join(dirname(BUNDLE), 'code-cache'), join(tsdbtCacheDir(), 'code-cache')];

function readCache(): Buffer | undefined {
  for (const folder of cacheFolders) {
    try {
      return readFileSync(join(folder, cacheName));
    } catch {
      // Not made yet, or not there.
    }
  }
  return undefined;
}

/** Writes the code cache whole (a temporary file, then a rename) in the first folder that takes it; never fails. */
function writeCache(data: Buffer): void {
  for (const folder of cacheFolders) {
    try {
      mkdirSync(folder, { recursive: true });
      const temporary = join(folder, `${cacheName}.${process.pid}.tmp`);
      writeFileSync(temporary, data);
      renameSync(temporary, join(folder, cacheName));
      pruneOthers(folder);
      return;
    } catch {
      // A read-only folder: try the next; without any, every start compiles, as without a cache.
    }
  }
}

/** Removes the caches of other builds (in the user's folder; a rebuild empties dist/'s); other flags' stay, so runs with and without a flag do not undo each other. */
function pruneOthers(folder: string): void {
  for (const name of readdirSync(folder)) if (!name.startsWith(`${__TSDBT_BUNDLE_ID__}-`)) rmSync(join(folder, name), { force: true });
}

const cachedData = readCache();
// The bundle is CommonJS in a function, as Node wraps a module, on the source's first line so its line numbers hold.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __tsdbtImportMeta) {${readFileSync(BUNDLE, 'utf8')}\n})`, {
  filename: BUNDLE,
  cachedData,
});
const bundleModule = { exports: {} as { main: Main } };
// In place of an ES module's import.meta, and its import(): a script's import() fails once its code came from the
// cache (src/util/import-external.ts), so this module, which sits beside the bundle, imports for it.
(script.runInThisContext() as (...args: unknown[]) => void)(bundleModule.exports, createRequire(BUNDLE), bundleModule, BUNDLE, dirname(BUNDLE), {
  url: pathToFileURL(BUNDLE).href,
  resolve: (specifier: string) => import.meta.resolve(specifier),
  import: (specifier: string) => import(specifier),
});
const cacheMissing = cachedData === undefined || script.cachedDataRejected === true;

/** Runs one invocation (see src/cli/main.ts); the first one with no usable cache leaves it for the next. */
export async function main(argv: string[]): Promise<number> {
  const code = await bundleModule.exports.main(argv);
  // After the command: the cache then holds the functions it compiled, not only the bundle's top level.
  if (cacheMissing) writeCache(script.createCachedData());
  return code;
}
