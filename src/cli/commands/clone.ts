import { selectionOptions, writerOptions, type SelectionArgs, type WriterArgs } from '../options.js';
import { closeUnusedDatabase, createSessionReporter, openSession, readStateRelations, select, withAdapter } from '../session.js';
import type { Command } from './command.js';
import { quoteRelation } from '../../adapters/sql.js';

/** `tsdbt clone --state DIR`: dbt's clone, as views onto the state's relations (zero-copy), or copies with --copy. */
export const cloneCommand: Command<SelectionArgs & WriterArgs & { fullRefresh: boolean; copy: boolean }> = {
  name: 'clone',
  describe: "Make each selected model, seed and snapshot a view onto the state manifest's relation (or, with --copy, a table of its rows), where this target has none",
  examples: [
    ['tsdbt clone --state prod-target/', "make this target's missing relations views onto production's"],
    ['tsdbt clone --state prod-target/ -s +orders --full-refresh', 'the same for orders and its upstream, replacing what this target has'],
    ['tsdbt clone --state prod-target/ -s resource_type:seed --copy', "copy production's seeds into tables of this target's"],
  ],
  options: (yargs) =>
    writerOptions(selectionOptions(yargs))
      .option('full-refresh', { type: 'boolean', default: false, describe: "Replace this target's existing relations too" })
      .option('copy', { type: 'boolean', default: false, describe: "Copy the state's rows into tables, placed as each node's config says, instead of making views" }),
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const stateRelations = readStateRelations(args, 'clone');
    // Loaded only when cloning, as `run` loads the runner: the commands that never write do not pay for it.
    const runnerModules = Promise.all([import('../../runner/clone.js'), import('../../runner/target-lock.js')]);
    const session = await openSession(args, reporter);
    try {
      const [{ cloneRelations }, { lockTarget }] = await runnerModules;
      const selected = select(session, args, ['model', 'seed', 'snapshot']);
      // In the DAG's order: a copy colocated with another node's table is made after that table.
      const nodes = session.loaded.graph.order.filter((id) => selected.has(id)).map((id) => session.loaded.parsed.nodes.get(id)!);
      const outcome = await withAdapter(session, async (adapter) => {
        const schemas = [...new Set(nodes.map((node) => node.relation.schema))];
        const lock = await lockTarget(adapter, schemas, { command: 'clone', timeoutMs: Math.max(0, args.lockTimeout) * 1000 });
        try {
          const copy = args.copy ? { distributed: adapter.capabilities.distributedTables, nodes: session.loaded.parsed.nodes.values() } : undefined;
          return await adapter.withConnection((connection) => cloneRelations(connection, nodes, stateRelations, { replace: args.fullRefresh, copy }));
        } finally {
          await lock.release();
        }
      });
      for (const { node, from } of outcome.cloned) reporter.info(`${quoteRelation(node.relation)}: ${args.copy ? 'a copy of' : 'a view onto'} ${quoteRelation(from)}`);
      reporter.info(`Cloned ${outcome.cloned.length}; kept ${outcome.kept.length} that this target has already${outcome.kept.length > 0 ? ' (--full-refresh replaces them)' : ''}`);
      return 0;
    } finally {
      await closeUnusedDatabase(session);
    }
  },
};
