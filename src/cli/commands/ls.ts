import { quoteRelation } from '../../adapters/sql.js';
import type { ResourceType } from '../../core/nodes.js';
import { selectionOptions, type SelectionArgs } from '../options.js';
import { createSessionReporter, openSession, select } from '../session.js';
import type { Command } from './command.js';

type Output = 'name' | 'path' | 'json' | 'selector';

export const lsCommand: Command<SelectionArgs & { output: Output; resourceType?: ResourceType[] }> = {
  name: 'ls',
  describe: 'List the nodes a selection matches',
  examples: [
    ['tsdbt ls -s +orders', 'what orders reads'],
    ['tsdbt ls --output json -s tag:nightly', 'nightly models as JSON lines'],
  ],
  options: (yargs) =>
    selectionOptions(yargs)
      .option('output', { alias: 'o', choices: ['name', 'path', 'json', 'selector'] as const, default: 'selector' as const })
      .option('resource-type', { type: 'string', array: true, choices: ['model', 'source', 'seed', 'test', 'snapshot'] }),
  async run(args, io) {
    const reporter = createSessionReporter({ ...args, quiet: true }, io);
    const session = await openSession(args, reporter);
    const selected = select(session, args, args.resourceType);
    const nodes = session.loaded.graph.order.filter((id) => selected.has(id)).map((id) => session.loaded.graph.nodes.get(id)!);
    const lines = nodes.map((node) => {
      if (args.output === 'name') return node.name;
      if (args.output === 'path') return node.originalFilePath;
      if (args.output === 'selector') return node.fqn.join('.');
      return JSON.stringify({
        unique_id: node.uniqueId,
        resource_type: node.resourceType,
        name: node.name,
        original_file_path: node.originalFilePath,
        relation_name: quoteRelation(node.relation),
        config: 'config' in node ? node.config : { tags: node.tags },
      });
    });
    // One write: a line at a time, printing 10,000 nodes cost more than selecting them.
    if (lines.length > 0) io.stdout(lines.join('\n'));
    return 0;
  },
};
