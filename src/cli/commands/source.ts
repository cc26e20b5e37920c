import { writeSources } from '../../artifacts/sources.js';
import type { SourceNode } from '../../core/nodes.js';
import { checksFreshness } from '../../freshness/thresholds.js';
import { selectionOptions, type SelectionArgs } from '../options.js';
import { createSessionReporter, openSession, saveManifest, select, withAdapter, type Session } from '../session.js';
import type { Command } from './command.js';

/** `tsdbt source freshness`: how old each source's newest row is, against its warn_after and error_after. */
export const sourceCommand: Command<SelectionArgs & { what: 'freshness' }> = {
  name: 'source',
  usage: 'source <what>',
  describe: "Check the freshness of sources: each one's newest loaded_at_field against its warn_after and error_after",
  examples: [
    ['tsdbt source freshness', 'every source with a loaded_at_field and a freshness'],
    ['tsdbt source freshness -s source:raw.orders', 'one source table'],
    ['tsdbt source freshness -s source:raw --threads 4', "the tables of source raw, four at a time"],
  ],
  options: (yargs) => selectionOptions(yargs.positional('what', { choices: ['freshness'] as const, describe: 'What to check about sources' })) as never,
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    saveManifest(session);
    const chosen = chosenSources(session, args);
    const sources = chosen.filter(checksFreshness);
    if (sources.length < chosen.length) {
      reporter.info(`Skipping ${chosen.length - sources.length} source table${chosen.length - sources.length === 1 ? '' : 's'} without a loaded_at_field or a freshness threshold`);
    }
    if (sources.length === 0) {
      reporter.info('No source has a loaded_at_field and a warn_after or error_after: nothing to check');
      return 0;
    }
    // Loaded only here: the other commands never pay for it.
    const { runFreshness, asNodeResult, failed } = await import('../../freshness/freshness-task.js');
    const summary = await withAdapter(session, (adapter) => {
      reporter.info(`Checking the freshness of ${sources.length} source table${sources.length === 1 ? '' : 's'} with ${adapter.description}`);
      return runFreshness(adapter, sources, args.threads ?? session.loaded.resolved.target.threads, reporter);
    });
    writeSources(session.paths, session.metadata, summary);
    reporter.runFinished({ results: summary.results.map(asNodeResult), elapsedSeconds: summary.elapsedSeconds, cancelled: false });
    return summary.results.some(failed) ? 1 : 0;
  },
};

/** Every source unless --select/--exclude say otherwise (sources are picked only when a selector names them). */
function chosenSources(session: Session, args: SelectionArgs): SourceNode[] {
  const ids = select(session, { ...args, select: args.select?.length ? args.select : ['resource_type:source'] }, ['source']);
  return [...ids].map((id) => session.loaded.parsed.sources.get(id)!);
}
