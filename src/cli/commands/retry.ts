import { ArtifactPaths } from '../../artifacts/paths.js';
import { readRunResults, RUN_RESULTS_FILE, type RunResultsFile } from '../../artifacts/run-results.js';
import { loadProject } from '../../config/project.js';
import { TsdbtError } from '../../core/errors.js';
import type { TimeRange } from '../../core/render.js';
import { writerOptions, type GlobalArgs, type WriterArgs } from '../options.js';
import type { Session } from '../session.js';
import type { Command } from './command.js';
import { runNodes } from './run.js';

const RETRYABLE_COMMANDS = new Set(['run', 'seed', 'snapshot', 'test', 'build']);

export const retryCommand: Command<WriterArgs> = {
  name: 'retry',
  describe: 'Run again, with the same arguments, what failed or was skipped in the last run, seed, snapshot, test or build; of a microbatch model, only its failed batches',
  examples: [['tsdbt retry', 'finish the last run after fixing what failed']],
  options: (yargs) => writerOptions(yargs),
  run(args: GlobalArgs & WriterArgs, io) {
    const paths = new ArtifactPaths(loadProject(args.projectDir));
    const previous = readRunResults(paths);
    if (!previous) throw new TsdbtError('usage', `no ${paths.file(RUN_RESULTS_FILE)}: there is no earlier run to retry`);
    const command = previous.args.command ?? '';
    if (!RETRYABLE_COMMANDS.has(command)) {
      throw new TsdbtError('usage', `the last command was '${command || 'unknown'}', which retry does not repeat`, { hint: `retry repeats ${[...RETRYABLE_COMMANDS].join(', ')}` });
    }
    // The last run's arguments, except what this command line sets anew.
    const { args: last } = previous;
    const options = {
      fullRefresh: last.full_refresh ?? false,
      failFast: false,
      eventTimeStart: last.event_time_start,
      eventTimeEnd: last.event_time_end,
      vars: args.vars ?? last.vars,
      target: args.target ?? last.target,
      threads: args.threads ?? last.threads,
      state: last.state,
      defer: last.defer,
      favorState: last.favor_state,
    };
    return runNodes({ ...args, ...options }, io, command, [], (session) => retryPlan(session, previous));
  },
};

/** The nodes that errored or were skipped (and still exist); a microbatch node's failed batches. */
function retryPlan(session: Session, previous: RunResultsFile) {
  const selected = new Set<string>();
  const batches = new Map<string, TimeRange[]>();
  for (const result of previous.results) {
    if (!['error', 'fail', 'skipped'].includes(result.status) || !session.loaded.parsed.nodes.has(result.unique_id)) continue;
    selected.add(result.unique_id);
    const failed = result.batch_results?.failed ?? [];
    if (failed.length > 0) batches.set(result.unique_id, failed.map(([start, end]) => ({ start: new Date(start), end: new Date(end) })));
  }
  return { selected, batches };
}
