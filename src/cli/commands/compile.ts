import { compiledFileOf } from '../../artifacts/paths.js';
import { TsdbtError } from '../../errors.js';
import { Compiler } from '../../templating/compiler.js';
import { isEphemeral } from '../../materializations/registry.js';
import { selectionOptions, type SelectionArgs } from '../options.js';
import { createSessionReporter, flushArtifacts, openSession, saveManifest, select } from '../session.js';
import type { Command } from './command.js';

export const compileCommand: Command<SelectionArgs & { inline?: string }> = {
  name: 'compile',
  describe: 'Render the selected models, snapshots and data tests to SQL under target/compiled/ and write target/manifest.json; no database is touched',
  examples: [
    ['tsdbt compile', 'compile every model'],
    ['tsdbt compile -s +orders_daily', 'compile a model and everything upstream'],
    ['tsdbt compile --inline "select * from {{ref \'orders\'}}"', 'print the SQL of an inline template'],
  ],
  options: (yargs) => selectionOptions(yargs).option('inline', { type: 'string', describe: 'Compile this SQL template and print it' }),
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    const compiler = new Compiler(session.loaded.parsed, session.loaded.graph);
    if (args.inline !== undefined) {
      io.stdout(compiler.compileInline(args.inline));
      return 0;
    }
    const selected = select(session, args, ['model', 'snapshot', 'test']);
    let count = 0;
    for (const id of selected) {
      const node = session.loaded.parsed.nodes.get(id);
      // A TypeScript model's SQL exists only when it runs, as its code may query the database.
      if (!node || isEphemeral(node) || node.language === 'typescript') continue;
      const { sql } = compiler.compile(id);
      session.writers.compiled.write(session.paths.absolute(session.paths.compiledRelative(compiledFileOf(node))), `${sql}\n`);
      count++;
    }
    saveManifest(session);
    await flushArtifacts(session);
    reporter.info(`Compiled ${count} node${count === 1 ? '' : 's'} into ${session.paths.compiledRelative('').replace(/\/$/, '')}`);
    return 0;
  },
};

export function requireOne(selected: Set<string>, what: string): string {
  if (selected.size !== 1) {
    throw new TsdbtError('usage', `${what} needs exactly one model, and the selection matched ${selected.size}`, { hint: 'select one model by name: --select my_model' });
  }
  return [...selected][0]!;
}
