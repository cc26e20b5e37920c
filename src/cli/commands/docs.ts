import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { TsdbtError } from '../../core/errors.js';
import { Compiler } from '../../templating/compiler.js';
import { createSessionReporter, flushArtifacts, openSession, saveManifest, withAdapter } from '../session.js';
import { readEnvironment, virtualRunOf } from '../environment-run.js';
import { compileNodes } from './compile.js';
import type { Command } from './command.js';

interface DocsArgs {
  what: 'generate' | 'serve';
  port: number;
  host: string;
  env?: string;
}

/** `tsdbt docs generate` writes the catalog, the column lineage and the static site; `tsdbt docs serve` serves it. */
export const docsCommand: Command<DocsArgs> = {
  name: 'docs',
  usage: 'docs <what>',
  describe: 'Generate the documentation site (target/docs: lineage graph down to columns, catalog, last run), or serve it',
  examples: [
    ['tsdbt docs generate', 'write target/catalog.json, target/lineage.json and target/docs/ (open index.html directly, or serve it)'],
    ['tsdbt docs generate --env dev', 'with virtual_environments: document the dev environment, its views and the version each shows'],
    ['tsdbt docs serve', 'serve target/docs on http://127.0.0.1:8080'],
    ['tsdbt docs serve --port 9000 --host 0.0.0.0', 'on another port, reachable from other machines'],
  ],
  options: (yargs) =>
    yargs
      .positional('what', { choices: ['generate', 'serve'] as const, describe: 'What to do with the docs' })
      .option('port', { type: 'number', default: 8080, describe: 'serve: the port to listen on' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'serve: the address to listen on (loopback by default)' })
      .option('env', { type: 'string', describe: "generate, with virtual_environments: the environment to document (default: the project's default_environment, prod)" }) as never,
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    const docsDir = session.paths.folder('docs');
    if (args.what === 'serve') {
      if (!existsSync(docsDir)) {
        throw new TsdbtError('usage', `there is no ${relative(process.cwd(), docsDir) || docsDir} to serve`, { hint: 'run `tsdbt docs generate` first' });
      }
      const { serveDocs } = await import('../../docs/serve-docs.js');
      return serveDocs(docsDir, { port: args.port, host: args.host }, reporter);
    }
    const started = performance.now();
    const virtual = virtualRunOf(session, args);
    // Loaded only here: the other commands never pay for the lineage parser or the site.
    const { generateDocs } = await import('../../docs/generate-docs.js');
    const generated = await withAdapter(session, async (adapter) => {
      // In a project with virtual environments, the environment's views are documented (refs compiled to them too,
      // so that lineage resolves them), each with the version it shows.
      const environment = virtual ? { name: virtual.environment, ...(await readEnvironment(session, adapter, virtual)) } : undefined;
      const documented = environment ? { ...session, loaded: environment.project } : session;
      const compiler = new Compiler(documented.loaded.parsed, documented.loaded.graph);
      const compiled = await compileNodes(documented, compiler, documented.loaded.parsed.nodes.keys(), (work) => adapter.withConnection(work));
      saveManifest(session);
      return generateDocs(documented, adapter, compiled, environment);
    });
    await flushArtifacts(session);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    reporter.info(
      `Documented ${generated.nodes} nodes (${generated.relationsFound} relations found in the database, column lineage of ${generated.lineageModels} models) `
      + `in ${seconds}s: ${relative(process.cwd(), generated.docsDir) || generated.docsDir}/index.html`,
    );
    return 0;
  },
};
