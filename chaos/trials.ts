import { setTimeout as sleep } from 'node:timers/promises';
import type { Rng } from '../scripts/generate-data/prng.js';
import type { ThrowawayCluster } from './cluster.js';
import { compareDatabaseStates, readDatabaseState, type DatabaseState } from './compare.js';
import { describeFault, drawFaultMoment } from './fault-moment.js';
import type { BackendName, ChaosTarget } from './targets.js';
import { COMMANDS, type CommandName, type CommandRun, type StartState, type Workspace } from './workspace.js';

export interface TrialOutcome {
  /** Faults the trial set out to inject. */
  faults: number;
  /** Of those, the faults that struck while the command ran (a kill timed after the run ended strikes nothing). */
  landed: number;
  mismatches: string[];
  recordsLost: number;
  /** What went wrong besides the final state: a hang, an unexpected exit, a lock clash, a failed re-run. */
  failures: string[];
  /** One line on what the trial did, for the log. */
  summary: string;
}

export interface TrialContext {
  workspace: Workspace;
  /** The throwaway cluster the PostgreSQL targets live on (restart trials restart it). */
  cluster?: ThrowawayCluster;
}

export interface TrialKind {
  name: string;
  backends: readonly BackendName[];
  run(context: TrialContext, rng: Rng): Promise<TrialOutcome>;
}

/** How a run refused by the writer lock (PostgreSQL's advisory lock, PGlite's lock file) explains itself. */
const LOCK_ERROR = /lock|in use by another tsdbt process/i;

/**
 * SIGKILL `command` at a moment of its progress drawn uniformly over its uninterrupted run (see FaultMoment), re-run
 * it, compare.
 */
function killTrial(name: string, command: CommandName, starts: readonly StartState[]): TrialKind {
  return {
    name,
    backends: ['postgres', 'pglite'],
    async run({ workspace }, rng) {
      const start = rng.pick(starts);
      const reference = await workspace.reference(start, command);
      const killAt = drawFaultMoment(rng, reference.progressMs);
      return withTarget(workspace, start, async (target) => {
        const failures: string[] = [];
        const interrupted = await workspace.run(target, COMMANDS[command], { fault: { at: killAt, inject: (kill) => kill('SIGKILL') } });
        const killed = interrupted.signal === 'SIGKILL' && !interrupted.hung;
        if (!killed) expectSuccess(interrupted, `uninterrupted ${command}`, failures);
        const rerun = await workspace.run(target, COMMANDS[command]);
        expectSuccess(rerun, `re-run of ${command}`, failures);
        return {
          faults: 1,
          landed: killed ? 1 : 0,
          failures,
          ...(await compareWith(target, reference.state)),
          summary: `${command} from ${start}, SIGKILL ${describeFault(killAt, interrupted.struck)}${killed ? '' : ' (it had ended)'}`,
        };
      });
    },
  };
}

/**
 * Restart the server at a moment of a build's progress: the build must end with an error naming the server, or
 * finish; then a retry or a re-run finishes. The restart landed if the build was still going when it ended or failed.
 */
const restartTrial: TrialKind = {
  name: 'restart',
  backends: ['postgres'],
  async run({ workspace, cluster }, rng) {
    if (!cluster) throw new Error('the restart trial needs the throwaway cluster');
    const start = rng.pick(['empty', 'v1'] as const);
    const reference = await workspace.reference(start, 'build');
    const restartAt = drawFaultMoment(rng, reference.progressMs);
    const mode = rng.pick(['fast', 'immediate'] as const);
    const finishWithRetry = rng.chance(0.5);
    return withTarget(workspace, start, async (target) => {
      const failures: string[] = [];
      let restart: Promise<number> | undefined;
      const interrupted = await workspace.run(target, COMMANDS.build, {
        fault: { at: restartAt, inject: () => (restart = cluster.restart(mode).then(() => Date.now())) },
      });
      const restartedAt = await restart;
      const landed = restartedAt !== undefined && (interrupted.code !== 0 || interrupted.endedAt >= restartedAt);
      const when = describeFault(restartAt, interrupted.struck);
      if (interrupted.hung) failures.push(`build hung after a ${mode} restart ${when}`);
      else if (interrupted.code !== 0 && !`${interrupted.stdout}${interrupted.stderr}`.includes(`${cluster.host}:${cluster.port}`)) {
        failures.push(`build failed after a ${mode} restart without naming ${cluster.host}:${cluster.port}:\n${tail(interrupted)}`);
      }
      // Exit 2 is a run that never started (the server was down as it connected): it has no results to retry.
      const finish = finishWithRetry && interrupted.code !== 2 ? 'retry' : 'build';
      const rerun = await workspace.run(target, finish === 'retry' ? ['retry'] : COMMANDS.build);
      expectSuccess(rerun, finish, failures);
      return {
        faults: 1,
        landed: landed ? 1 : 0,
        failures,
        ...(await compareWith(target, reference.state)),
        summary: `build from ${start}, ${mode} restart ${when}${landed ? '' : ' (the build had ended)'} (exit ${interrupted.code}), then ${finish}`,
      };
    });
  },
};

/** Two runs at once on one target: each finishes or stops on the writer lock (exit 2), never clashes; a last build finishes. */
const concurrentTrial: TrialKind = {
  name: 'concurrent',
  backends: ['postgres', 'pglite'],
  async run({ workspace }, rng) {
    const start = rng.pick(['empty', 'v1'] as const);
    const reference = await workspace.reference(start, 'build');
    const second = rng.pick(['build', 'seed'] as const);
    const stagger = rng.int(0, 500);
    return withTarget(workspace, start, async (target) => {
      const failures: string[] = [];
      const runs = await Promise.all([
        workspace.run(target, COMMANDS.build),
        sleep(stagger).then(() => workspace.run(target, COMMANDS[second])),
      ]);
      const outcomes = runs.map((run, i) => {
        const label = i === 0 ? 'build' : second;
        if (run.hung) failures.push(`${label} hung while another run held the target`);
        else if (run.code === 2 && LOCK_ERROR.test(run.stderr)) return 'locked out';
        else expectSuccess(run, `concurrent ${label}`, failures);
        return `exit ${run.code}`;
      });
      expectSuccess(await workspace.run(target, COMMANDS.build), 'last build', failures);
      return {
        faults: 1,
        // The two runs met: the second started before the first ended.
        landed: runs[1]!.startedAt < runs[0]!.endedAt ? 1 : 0,
        failures,
        ...(await compareWith(target, reference.state)),
        summary: `build and ${second} ${stagger} ms apart from ${start}: ${outcomes.join(', ')}`,
      };
    });
  },
};

export const TRIAL_KINDS: readonly TrialKind[] = [
  killTrial('kill-build', 'build', ['empty', 'v1']),
  killTrial('kill-seed', 'seed', ['empty', 'v1']),
  killTrial('kill-backfill', 'backfill', ['v1+v2 seeds']),
  restartTrial,
  concurrentTrial,
];

async function withTarget(workspace: Workspace, start: StartState, trial: (target: ChaosTarget) => Promise<TrialOutcome>): Promise<TrialOutcome> {
  workspace.forgetLastRun();
  const target = await workspace.prepare(start);
  try {
    return await trial(target);
  } finally {
    await workspace.targets.remove(target);
  }
}

async function compareWith(target: ChaosTarget, reference: DatabaseState) {
  return compareDatabaseStates(reference, await target.connect(readDatabaseState));
}

function expectSuccess(run: CommandRun, what: string, failures: string[]): void {
  if (run.hung) failures.push(`${what} hung`);
  else if (run.code !== 0) failures.push(`${what} exited ${run.code}:\n${tail(run)}`);
}

function tail(run: CommandRun): string {
  return `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-12).join('\n');
}
