import { compiledFileOf } from '../../artifacts/paths.js';
import { TsdbtError } from '../../core/errors.js';
import { NODE_KINDS, RESOURCE_KINDS } from '../../core/node-kinds.js';
import { Compiler } from '../../templating/compiler.js';
import { isEphemeral } from '../../materializations/registry.js';
import { selectionOptions, type SelectionArgs } from '../options.js';
import { createSessionReporter, databaseOnDemand, flushArtifacts, openSession, saveManifest, select, type Session } from '../session.js';
import type { ReadDatabase } from '../../templating/compile-time-database.js';
import type { Command } from './command.js';
import { projectForEnvironment } from '../environment-run.js';

export const compileCommand: Command<SelectionArgs & { inline?: string; env?: string }> = {
  name: 'compile',
  describe: 'Render the selected models, snapshots and data tests to SQL under target/compiled/ and write target/manifest.json; the database is opened only for templates that read it while compiled (dbt_utils.star)',
  examples: [
    ['tsdbt compile', 'compile every model'],
    ['tsdbt compile -s +orders_daily', 'compile a model and everything upstream'],
    ['tsdbt compile --inline "select * from {{ref \'orders\'}}"', 'print the SQL of an inline template'],
  ],
  options: (yargs) =>
    selectionOptions(yargs)
      .option('inline', { type: 'string', describe: 'Compile this SQL template and print it' })
      .option('env', { type: 'string', describe: "With virtual_environments: compile refs to this environment's views" }),
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    const loaded = projectForEnvironment(session, args);
    const compiler = new Compiler(loaded.parsed, loaded.graph);
    const database = databaseOnDemand(session);
    let compiled: Map<string, string>;
    try {
      if (args.inline !== undefined) {
        io.stdout(await compiler.compileInline(args.inline, database.read));
        return 0;
      }
      compiled = await compileNodes(session, compiler, select(session, args, COMPILED_KINDS), database.read);
    } finally {
      await database.close();
    }
    saveManifest(session);
    await flushArtifacts(session);
    reporter.info(`Compiled ${compiled.size} node${compiled.size === 1 ? '' : 's'} into ${session.paths.compiledRelative('').replace(/\/$/, '')}`);
    return 0;
  },
};

/** The kinds of node that have SQL of their own to compile. */
const COMPILED_KINDS = NODE_KINDS.filter((kind) => RESOURCE_KINDS[kind].compiled);

/**
 * Renders the given nodes' SQL into target/compiled/ and returns it by unique id. Only models, snapshots and data
 * tests have SQL; ephemeral models have none of their own (they are CTEs of their readers), and a TypeScript model's
 * exists only when it runs, as its code may query the database. `read` is the database templates read while compiled
 * (dbt_utils.star).
 */
export async function compileNodes(session: Session, compiler: Compiler, ids: Iterable<string>, read: ReadDatabase): Promise<Map<string, string>> {
  const compiled = new Map<string, string>();
  for (const id of ids) {
    const node = session.loaded.parsed.nodes.get(id);
    if (!node || !RESOURCE_KINDS[node.resourceType].compiled || isEphemeral(node) || ('language' in node && node.language === 'typescript')) continue;
    const { sql } = await compiler.compile(id, {}, read);
    session.writers.compiled.write(session.paths.absolute(session.paths.compiledRelative(compiledFileOf(node))), `${sql}\n`);
    compiled.set(id, sql);
  }
  return compiled;
}

export function requireOne(selected: Set<string>, what: string): string {
  if (selected.size !== 1) {
    throw new TsdbtError('usage', `${what} needs exactly one model, and the selection matched ${selected.size}`, { hint: 'select one model by name: --select my_model' });
  }
  return [...selected][0]!;
}
