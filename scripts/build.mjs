// Bundles the CLI into ES modules: Node then loads a few files instead of resolving hundreds (start-up is most of a
// small command's time), and code splitting keeps the database layer out of commands that never connect.
// PGlite stays outside for its WASM assets, esbuild for its binary.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { tsdbt: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['@electric-sql/pglite', 'pg-native', 'esbuild'],
  // Bundled CommonJS packages (pg, handlebars, yargs' helpers) call require.
  banner: { js: "import { createRequire as __tsdbtCreateRequire } from 'node:module'; const require = __tsdbtCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
