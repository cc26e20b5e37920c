import { setTimeout as sleep } from 'node:timers/promises';
import type { Rng } from '../scripts/generate-data/prng.js';
import type { ThrowawayCluster } from './cluster.js';
import { compareDatabaseStates, readDatabaseState, type DatabaseState } from './compare.js';
import type { BackendName, ChaosTarget } from './targets.js';
import { COMMANDS, type CommandName, type CommandRun, type StartState, type Workspace } from './workspace.js';

export interface TrialOutcome {
  /** Faults that actually hit a run (a kill timed after the run ended injects none). */
  faults: number;
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

/** SIGKILL `command` at a moment drawn uniformly over its uninterrupted duration, re-run it, compare. */
function killTrial(name: string, command: CommandName, starts: readonly StartState[]): TrialKind {
  return {
    name,
    backends: ['postgres', 'pglite'],
    async run({ workspace }, rng) {
      const start = rng.pick(starts);
      const reference = await workspace.reference(start, command);
      const killAt = Math.round(rng.next() * reference.durationMs);
      return withTarget(workspace, start, async (target) => {
        const failures: string[] = [];
        const interrupted = await workspace.run(target, COMMANDS[command], { killAfterMs: killAt });
        if (!interrupted.killed) expectSuccess(interrupted, `uninterrupted ${command}`, failures);
        const rerun = await workspace.run(target, COMMANDS[command]);
        expectSuccess(rerun, `re-run of ${command}`, failures);
        return {
          faults: interrupted.killed ? 1 : 0,
          failures,
          ...(await compareWith(target, reference.state)),
          summary: `${command} from ${start}, SIGKILL at ${killAt} ms of ~${reference.durationMs} ms${interrupted.killed ? '' : ' (it had ended)'}`,
        };
      });
    },
  };
}

/** Restart the server at a random moment of a build: the run must end with an error naming the server; then finish. */
const restartTrial: TrialKind = {
  name: 'restart',
  backends: ['postgres'],
  async run({ workspace, cluster }, rng) {
    if (!cluster) throw new Error('the restart trial needs the throwaway cluster');
    const start = rng.pick(['empty', 'v1'] as const);
    const reference = await workspace.reference(start, 'build');
    const restartAt = Math.round(rng.next() * reference.durationMs);
    const mode = rng.pick(['fast', 'immediate'] as const);
    const finishWithRetry = rng.chance(0.5);
    return withTarget(workspace, start, async (target) => {
      const failures: string[] = [];
      let restarted = false;
      let ended = false;
      const running = workspace.run(target, COMMANDS.build).finally(() => (ended = true));
      const restart = sleep(restartAt).then(() => {
        if (ended) return;
        restarted = true;
        cluster.restart(mode);
      });
      const [interrupted] = await Promise.all([running, restart]);
      if (interrupted.hung) failures.push(`build hung after a ${mode} restart at ${restartAt} ms`);
      else if (interrupted.code !== 0 && !`${interrupted.stdout}${interrupted.stderr}`.includes(`${cluster.host}:${cluster.port}`)) {
        failures.push(`build failed after a ${mode} restart without naming ${cluster.host}:${cluster.port}:\n${tail(interrupted)}`);
      }
      // Exit 2 is a run that never started (the server was down as it connected): it has no results to retry.
      const finish = finishWithRetry && interrupted.code !== 2 ? 'retry' : 'build';
      const rerun = await workspace.run(target, finish === 'retry' ? ['retry'] : COMMANDS.build);
      expectSuccess(rerun, finish, failures);
      return {
        faults: restarted ? 1 : 0,
        failures,
        ...(await compareWith(target, reference.state)),
        summary: `build from ${start}, ${mode} restart at ${restartAt} ms of ~${reference.durationMs} ms (exit ${interrupted.code}), then ${finish}`,
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
