import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

/** Node's WebAssembly global: the ES library tsdbt is typed against has the types of the namespace, not the value. */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

/**
 * PGlite's PostgreSQL, compiled. tsdbt compiles it itself, instead of leaving it to PGlite.create, so that the compile
 * (on V8's threads) runs while a new database is copied from the template (on libuv's), and so that the template's
 * initdb and the database share one compiled module.
 *
 * V8 compiles PGlite's 9 MB of WASM with its baseline compiler, then recompiles the hot functions with its optimising
 * one in the background: at start-up that is about half of the CPU and 70 MB more memory, and on a short command it
 * never pays back (heavy queries run some 20-30% faster once optimised). tsdbt keeps the baseline code unless
 * TSDBT_PGLITE_OPTIMIZE=1. The flag is read when a module is compiled, so it is set first.
 */
export async function compilePgliteWasm(env: NodeJS.ProcessEnv = process.env): Promise<WebAssembly.Module> {
  if (env.TSDBT_PGLITE_OPTIMIZE !== '1') setFlagsFromString('--liftoff-only');
  // The package exports no path to its WASM: it sits beside the entry point, where PGlite itself looks for it.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // Read at once (9 MB from the page cache, milliseconds): read in chunks, it would wait behind the parse's work.
  return wasm.compile(readFileSync(join(dirname(entry), 'pglite.wasm')));
}
