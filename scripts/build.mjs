// Bundles the CLI into one script, dist/cli.cjs: Node then loads one file instead of resolving hundreds (start-up is
// most of a small command's time), and dist/tsdbt.mjs runs it through V8's code cache (src/cli/bundle-loader.ts), so
// later starts compile nothing they compiled before. The modules a command imports on demand (the database layer, the
// runner, docs) are in the script but run only when imported. PGlite and libpg-query stay outside for their WASM
// assets, esbuild for its binary.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { build } from 'esbuild';

// zod's namespace re-exports its sixty locales, 370 KB that Node would parse at every start of the CLI; the CLI's
// messages are its own and English, so the bundle keeps zod's English one only.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(plugin) {
    plugin.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}zod${sep}`) ? { path: join(dirname(args.importer), '../locales/index.js'), namespace: 'zod-locales' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: dirname(args.path) }));
  },
};

// yargs measures help text with string-width and wraps it with wrap-ansi, whose modules build an Intl.Segmenter and
// Unicode-property regular expressions (emoji sets) when loaded: a fifth of `tsdbt --version`'s instructions, for a
// help text most commands never print. They are bundled as modules that load on first call instead.
const lazyHelpLayout = {
  name: 'lazy-help-layout',
  setup(plugin) {
    plugin.onResolve({ filter: /^(string-width|wrap-ansi)$/ }, async (args) => {
      if (args.pluginData === 'lazy') return undefined;
      const real = await plugin.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'lazy' });
      return { path: real.path, namespace: 'lazy-help-layout' };
    });
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-help-layout' }, (args) => ({
      contents: `export default (...args) => require(${JSON.stringify(args.path)}).default(...args);`,
      resolveDir: dirname(args.path),
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
const forNode = { bundle: true, platform: 'node', target: 'node20', outdir: 'dist', logLevel: 'warning' };
await build({
  ...forNode,
  entryPoints: { cli: 'src/cli/main.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  sourcemap: true,
  // Node compiles every loaded module at each start; without whitespace and with shorter syntax the bundle is
  // 30% smaller and `tsdbt --version` runs about 5% fewer instructions. Names stay, for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['@electric-sql/pglite', 'libpg-query', 'pg-native', 'esbuild'],
  plugins: [zodEnglishOnly, lazyHelpLayout],
  // The loader passes the bundle's URL, a resolver and an import() from dist/ (src/cli/bundle-loader.ts).
  define: { 'import.meta.url': '__tsdbtImportMeta.url', 'import.meta.resolve': '__tsdbtImportMeta.resolve', __TSDBT_IMPORT__: '__tsdbtImportMeta.import' },
});
// The loader is told the bundle's hash: a code cache is only valid for the bundle it was made from.
const bundleId = createHash('sha256').update(readFileSync('dist/cli.cjs')).digest('hex').slice(0, 16);
await build({
  ...forNode,
  entryPoints: { tsdbt: 'src/cli/bundle-loader.ts' },
  outExtension: { '.js': '.mjs' },
  format: 'esm',
  define: { __TSDBT_BUNDLE_ID__: JSON.stringify(bundleId) },
});

// The docs site (`tsdbt docs generate` copies dist/docs-site/ next to data.js): classic scripts, no modules, so the
// page works from file://, where Chromium refuses module scripts and workers loaded from files.
const browser = { bundle: true, minify: true, format: 'iife', target: 'es2020', platform: 'browser', logLevel: 'warning' };
// The graph layout runs in a worker (dagre on thousands of nodes would freeze the tab); the worker is embedded in
// app.js as text and started from a blob: URL, the one worker origin a file:// page may use.
const worker = await build({ ...browser, entryPoints: ['src/docs/site/layout/layout-worker.ts'], write: false });
await build({
  ...browser,
  entryPoints: { app: 'src/docs/site/main.ts' },
  outdir: 'dist/docs-site',
  define: { __TSDBT_LAYOUT_WORKER__: JSON.stringify(worker.outputFiles[0].text) },
});
copyFileSync('src/docs/site/index.html', 'dist/docs-site/index.html');
