import { dialectOf } from '../../adapters/registry.js';
import { writeRunResults } from '../../artifacts/run-results.js';
import { isEphemeral } from '../../materializations/registry.js';
import { countResources } from '../../parser/resource-counts.js';
import { countByStatus } from '../../core/results.js';
import { buildOptions, parseEventTimeRange, type BuildArgs } from '../options.js';
import { closeUnusedDatabase, createSessionReporter, flushArtifacts, openSession, readStateRelations, saveManifest, select, withAdapter } from '../session.js';
import type { Command } from './command.js';
import type { CliIO } from '../io.js';
import type { GlobalArgs } from '../options.js';
import type { ResourceType } from '../../core/nodes.js';
import { NODE_KINDS, RESOURCE_KINDS } from '../../core/node-kinds.js';
import type { TimeRange } from '../../core/render.js';
import type { Session } from '../session.js';
import { environmentSchemas, prepareEnvironmentRun, virtualRunOf, type PlanReview } from '../environment-run.js';

/** `tsdbt retry`: which nodes to run again, and for microbatch models which batches. */
export type RetryPlanner = (session: Session) => { selected: Set<string>; batches: Map<string, TimeRange[]> };

/** `run`, `seed`, `snapshot` and `build`: build the selected nodes of these resource types in DAG order. */
export async function runNodes(args: GlobalArgs & BuildArgs, io: CliIO, command: string, resourceTypes: ResourceType[], retry?: RetryPlanner, review?: PlanReview): Promise<number> {
  const reporter = createSessionReporter(args, io);
  // Loaded only by the commands that build (compile and ls never pay for the database layer), while the project is parsed.
  const runnerModules = Promise.all([import('../../runner/run-task.js'), import('../../runner/target-lock.js'), import('../../runner/leftovers.js'), import('../../runner/deferral.js')]);
  const adapterOptions = { lockTimeoutMs: Math.max(0, args.lockTimeout) * 1000 };
  // The database opens while the project is parsed; closed here if the command ends before withAdapter takes it.
  const session = await openSession(args, reporter, adapterOptions);
  try {
    // A big project's manifest takes a while to write: it is written once the first node runs, or at the end.
    let manifestSaved = false;
    const saveManifestOnce = () => {
      if (!manifestSaved) saveManifest(session);
      manifestSaved = true;
    };
    const plan = retry?.(session);
    if (plan?.selected.size === 0) {
      saveManifestOnce();
      reporter.info('Nothing to retry: every node of the last run succeeded');
      return 0;
    }
    const virtual = virtualRunOf(session, args);
    const selected = plan?.selected ?? select(session, args, resourceTypes);
    const eventTimeRange = parseEventTimeRange(args);
    const stateRelations = args.defer || args.favorState ? readStateRelations(args) : undefined;
    const [{ runTask }, { lockTarget }, { dropLeftovers }, { deferredRelations }] = await runnerModules;
    const controller = new AbortController();
    // The exit code names the signal, as a shell's does: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(exitCodeOf(signal));
      signalled = signal;
      reporter.warn(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: cancelling running queries (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once)`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await withAdapter(session, async (adapter) => {
        reporter.info(`Running with ${adapter.description}, target '${session.loaded.resolved.target.name}'`);
        reporter.found(countResources(session.loaded.parsed));
        const schemas = virtual ? environmentSchemas(session.loaded, virtual) : writtenSchemas(session);
        const lock = await lockTarget(adapter, schemas, {
          command,
          timeoutMs: Math.max(0, args.lockTimeout) * 1000,
          onWait: (holder) => reporter.info(`Waiting up to ${args.lockTimeout} s for another tsdbt writing to this target: ${holder}`),
        });
        try {
          const dropped = await dropLeftovers(adapter, schemas);
          if (dropped.length > 0) reporter.info(`Dropped ${dropped.length} relation${dropped.length === 1 ? '' : 's'} an interrupted run left behind: ${dropped.join(', ')}`);
          const deferred = stateRelations
            ? await adapter.withConnection((connection) => deferredRelations(connection, session.loaded.parsed.nodes.values(), selected, stateRelations, args.favorState === true))
            : undefined;
          if (deferred && deferred.size > 0) reporter.info(`Deferring ${deferred.size} unselected node${deferred.size === 1 ? '' : 's'} to --state ${args.state}`);
          const prepared = virtual
            ? await prepareEnvironmentRun({ session, adapter, virtual, selected, command, reporter, lockTimeoutMs: adapterOptions.lockTimeoutMs, range: eventTimeRange, review })
            : { loaded: session.loaded, selected, finish: async () => undefined };
          // A plan shown and not applied: nothing ran, so no run results replace the last run's.
          if (!prepared) return undefined;
          const summary = await runTask({
            loaded: prepared.loaded,
            adapter,
            selected: prepared.selected,
            reporter,
            paths: session.paths,
            writers: session.writers,
            threads: args.threads ?? session.loaded.resolved.target.threads,
            fullRefresh: args.fullRefresh,
            failFast: args.failFast,
            eventTimeRange,
            retryBatches: plan?.batches,
            whileRunning: saveManifestOnce,
            deferred,
            signal: controller.signal,
            retries: Math.max(0, Math.floor(args.retries ?? retriesOf(session) ?? 0)),
          });
          await prepared.finish(summary);
          return summary;
        } finally {
          await lock.release();
        }
      });
      if (!summary) return 0;
      await flushArtifacts(session);
      writeRunResults(session.paths, session.metadata, summary, {
        command,
        select: args.select ?? [],
        exclude: args.exclude ?? [],
        full_refresh: args.fullRefresh,
        event_time_start: args.eventTimeStart,
        event_time_end: args.eventTimeEnd,
        vars: args.vars,
        target: args.target,
        threads: args.threads,
        state: args.state,
        defer: args.defer,
        favor_state: args.favorState,
      });
      reporter.runFinished(summary);
      if (summary.cancelled) return exitCodeOf(signalled ?? 'SIGINT');
      const counts = countByStatus(summary.results);
      return counts.error + counts.fail > 0 ? 1 : 0;
    } finally {
      saveManifestOnce();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await closeUnusedDatabase(session);
  }
}

const exitCodeOf = (signal: NodeJS.Signals): number => (signal === 'SIGTERM' ? 143 : 130);

/** Every schema the project writes to (its models, seeds, snapshots and stored test failures): the writer lock's scope. */
function writtenSchemas(session: Session): string[] {
  const schemas = new Set([session.loaded.resolved.target.schema]);
  for (const node of session.loaded.parsed.nodes.values()) if (!isEphemeral(node)) schemas.add(node.relation.schema);
  return [...schemas];
}

/** The profile's `retries` (dbt-postgres's key), the default for --retries, where the target's dialect takes one. */
function retriesOf(session: Session): number | undefined {
  const { target } = session.loaded.resolved;
  return dialectOf(target).profile.retries(target);
}

export const runCommand: Command<BuildArgs> = {
  name: 'run',
  describe: 'Build the selected models in the database, in dependency order',
  examples: [
    ['tsdbt run', 'build every model'],
    ['tsdbt run -s tag:nightly --threads 4', 'build the models tagged nightly, four at a time'],
    ['tsdbt run -s state:modified+ --state prod-target/', 'build what changed since a production run, and what reads it'],
    ['tsdbt run -s state:modified --defer --state prod-target/', 'build what changed; unselected upstream models missing here are read from the production run'],
  ],
  options: (yargs) => buildOptions(yargs),
  run: (args, io) => runNodes(args, io, 'run', ['model']),
};

export const seedCommand: Command<BuildArgs> = {
  name: 'seed',
  describe: 'Load the seeds: CSV files as tables (COPY), JSON and NDJSON files and folders as jsonb rows, new and changed files only',
  examples: [
    ['tsdbt seed', 'load every seed'],
    ['tsdbt seed -s pins --full-refresh', 'reload one seed from all its files'],
  ],
  options: (yargs) => buildOptions(yargs),
  run: (args, io) => runNodes(args, io, 'seed', ['seed']),
};

export const snapshotCommand: Command<BuildArgs> = {
  name: 'snapshot',
  describe: 'Record the history of the selected snapshots: a new row version for each new or changed key (SCD type 2)',
  examples: [
    ['tsdbt snapshot', 'take every snapshot'],
    ['tsdbt snapshot -s orders_snapshot', 'take one snapshot'],
    ['tsdbt build -s +orders_snapshot', 'the snapshot after the seeds and models it reads'],
  ],
  options: (yargs) => buildOptions(yargs),
  run: (args, io) => runNodes(args, io, 'snapshot', ['snapshot']),
};

export const buildCommand: Command<BuildArgs> = {
  name: 'build',
  describe: "Load seeds, build models, take snapshots and run tests in one pass, in dependency order: a node's tests run right after it, and a failing one skips what is downstream",
  examples: [['tsdbt build', 'build the whole project'], ['tsdbt build -s +orders', 'orders and everything it reads, seeds included']],
  options: (yargs) => buildOptions(yargs),
  run: (args, io) => runNodes(args, io, 'build', [...NODE_KINDS]),
};

export const testCommand: Command<BuildArgs> = {
  name: 'test',
  describe: "Run the data tests (and unit tests) of the selection: each passes, warns or fails on its failing rows",
  examples: [
    ['tsdbt test', 'every test'],
    ['tsdbt test -s orders', "orders' tests"],
    ['tsdbt test -s test_type:unit', 'only unit tests'],
  ],
  options: (yargs) => buildOptions(yargs),
  run: (args, io) => runNodes(args, io, 'test', NODE_KINDS.filter((kind) => RESOURCE_KINDS[kind].isTest)),
};
