import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * The CLI of the sources under test, bundled to a file of this run's own. Not dist/: other work rebuilds it at any
 * moment (a trial that meets a half-written dist/ reports a crash that is none). The file lives under the repository's
 * node_modules/.cache so that the packages left outside the bundle (PGlite, for its WASM) resolve as from dist/.
 * Returns the path of a script to run with node, exactly as bin/tsdbt.js runs dist/.
 */
export async function buildTrialCli(): Promise<string> {
  const dir = join(REPO, 'node_modules/.cache/tsdbt-chaos', String(process.pid));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'tsdbt.mjs');
  await build({
    stdin: { contents: "import { main } from './src/cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n", resolveDir: REPO, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@electric-sql/pglite', 'libpg-query', 'pg-native', 'esbuild'],
    // Bundled CommonJS packages (pg, handlebars, yargs' helpers) call require.
    banner: { js: "import { createRequire as __tsdbtCreateRequire } from 'node:module'; const require = __tsdbtCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}
