import { TsdbtError } from '../../core/errors.js';
import { Compiler } from '../../templating/compiler.js';
import { selectionOptions, type SelectionArgs } from '../options.js';
import { createSessionReporter, openSession, select, withAdapter } from '../session.js';
import { formatTable } from '../../util/table.js';
import { requireOne } from './compile.js';
import { projectForEnvironment } from '../environment-run.js';
import type { Command } from './command.js';
import type { ReadDatabase } from '../../templating/compile-time-database.js';

export const showCommand: Command<SelectionArgs & { inline?: string; limit: number; env?: string }> = {
  name: 'show',
  describe: 'Run a model\'s query, or an inline one, and print the first rows as a table, each value as PostgreSQL writes it (NULL for a null)',
  examples: [
    ['tsdbt show -s orders', 'preview a model without building it'],
    ['tsdbt show --inline "select count(*) from {{ref \'orders\'}}"', 'query the built models'],
    ['tsdbt show -s orders --env dev', "with virtual_environments: preview orders over dev's views"],
  ],
  options: (yargs) =>
    selectionOptions(yargs)
      .option('inline', { type: 'string', describe: 'A SQL template to run instead of a model' })
      .option('limit', { type: 'number', default: 5, describe: 'How many rows to print' })
      .option('env', { type: 'string', describe: "With virtual_environments: read this environment's views (refs name them)" }),
  async run(args, io) {
    if (args.inline === undefined && !args.select?.length) {
      throw new TsdbtError('usage', 'show needs --select MODEL or --inline "SQL"');
    }
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    const loaded = projectForEnvironment(session, args);
    const compiler = new Compiler(loaded.parsed, loaded.graph);
    const model = args.inline === undefined ? requireOne(select(session, args, ['model']), 'show') : undefined;
    const limit = Math.max(0, Math.floor(args.limit));
    const result = await withAdapter(session, async (adapter) => {
      const read: ReadDatabase = (work) => adapter.withConnection(work);
      const sql = model === undefined ? await compiler.compileInline(args.inline!, read) : (await compiler.compile(model, {}, read)).sql;
      return adapter.withConnection((connection) => connection.queryText(`select * from (\n${sql}\n) as tsdbt_show limit ${limit}`));
    });
    io.stdout(formatTable(result.fields.map((field) => field.name), result.rows));
    return 0;
  },
};
