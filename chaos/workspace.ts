import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli, type SpawnedCli } from '../test/helpers/spawn-cli.js';
import { readDatabaseState, type DatabaseState } from './compare.js';
import { FaultTimer, NodeProgress, type FaultMoment, type FaultStrike } from './fault-moment.js';
import type { FrozenCli } from './frozen-cli.js';
import { BACKFILL_ARGS, CHAOS_NOW, writeChaosProject, type DataVersion } from './project.js';
import type { ChaosTarget, TargetFactory } from './targets.js';

/** The commands a trial interrupts, each run on the project at version 2. */
export const COMMANDS = { build: ['build'], seed: ['seed'], backfill: BACKFILL_ARGS } as const;
export type CommandName = keyof typeof COMMANDS;

/**
 * What a target holds before a trial's command:
 * - `empty`: nothing (a first build);
 * - `v1`: a build of version 1 (the command is then incremental work on every model and seed);
 * - `v1+v2 seeds`: a build of version 1 with version 2's seeds loaded (a backfill then rewrites every batch).
 */
export type StartState = 'empty' | 'v1' | 'v1+v2 seeds';

/** Any run longer than this is a hang: the chaos project builds in a few seconds. */
export const HANG_LIMIT_MS = 90_000;

export interface CommandRun extends SpawnedCli {
  /** Still running after HANG_LIMIT_MS, and SIGKILLed. */
  hung: boolean;
  /** How the run's fault was injected, if it was before the run ended. */
  struck?: FaultStrike;
  /** When the run started and ended (ms since the epoch). */
  startedAt: number;
  endedAt: number;
  /** When each node finished, in ms from the start. */
  progressMs: number[];
}

/** A fault to inject into a run at a moment of its progress; `kill` signals the run's process. */
export interface Fault {
  at: FaultMoment;
  inject(kill: (signal: NodeJS.Signals) => void): void;
}

export interface Reference {
  state: DatabaseState;
  /** When each node of the uninterrupted command finished, in ms from its start: faults are drawn over them. */
  progressMs: number[];
}

/**
 * One backend's chaos project (both versions), its starting states and its reference builds, each made once and
 * kept for every trial that needs it.
 */
export class Workspace {
  private readonly starts = new Map<StartState, Promise<ChaosTarget | undefined>>();
  private readonly references = new Map<string, Promise<Reference>>();

  /**
   * Writes the project into `projectRoot` (v1/ and v2/), for a profile that reaches PostgreSQL on `postgresPort`;
   * runs the CLI `cli`.
   */
  constructor(
    readonly targets: TargetFactory,
    private readonly projectRoot: string,
    postgresPort: number | undefined,
    private readonly cli: FrozenCli,
  ) {
    for (const version of [1, 2] as const) writeChaosProject(this.projectDir(version), version, postgresPort);
  }

  get backend() {
    return this.targets.backend;
  }

  projectDir(version: DataVersion): string {
    return join(this.projectRoot, `v${version}`);
  }

  /** A new target holding `start`. */
  async prepare(start: StartState): Promise<ChaosTarget> {
    return this.targets.create(await this.startState(start));
  }

  /** The state `command` leaves on `start` when nothing goes wrong, and how long it takes. */
  reference(start: StartState, command: CommandName): Promise<Reference> {
    const key = `${start}|${command}`;
    let reference = this.references.get(key);
    if (!reference) {
      reference = (async () => {
        const target = await this.prepare(start);
        try {
          const run = await this.run(target, COMMANDS[command]);
          if (run.code !== 0) throw new Error(`reference ${command} on ${start} (${this.backend}) failed:\n${run.stdout}\n${run.stderr}`);
          return { state: await target.connect(readDatabaseState), progressMs: run.progressMs };
        } finally {
          await this.targets.remove(target);
        }
      })();
      this.references.set(key, reference);
    }
    return reference;
  }

  /**
   * Runs the CLI on `target`, on the project at `version` (2 unless given), with `fault` injected at its moment. The
   * log is JSON, for the run's progress.
   */
  async run(target: ChaosTarget, args: readonly string[], options: { version?: DataVersion; fault?: Fault } = {}): Promise<CommandRun> {
    let hung = false;
    const startedAt = Date.now();
    const progress = new NodeProgress();
    const progressMs: number[] = [];
    const { fault } = options;
    let timer: FaultTimer | undefined;
    const result = await spawnCli([...args, '--project-dir', this.projectDir(options.version ?? 2), '--target', this.backend, '--log-format', 'json'], {
      cli: this.cli.script,
      signal: this.cli.stopping.signal,
      env: { ...target.env, TSDBT_NOW: CHAOS_NOW },
      killAfterMs: HANG_LIMIT_MS,
      onKill: () => (hung = true),
      onSpawn: (kill) => {
        timer = fault && new FaultTimer(fault.at, () => fault.inject(kill));
        timer?.reached(0, 0);
      },
      onStdout: (stdout) => {
        if (!progress.update(stdout)) return;
        const elapsedMs = Date.now() - startedAt;
        while (progressMs.length < progress.finished) progressMs.push(elapsedMs);
        timer?.reached(progress.finished, elapsedMs);
      },
    });
    timer?.ended();
    return { ...result, hung, struck: timer?.struck, startedAt, endedAt: Date.now(), progressMs };
  }

  /**
   * Removes the last run's results: trials share the project folder, and `tsdbt retry` must see what this trial's
   * runs wrote (or that they wrote nothing), never an earlier trial's results.
   */
  forgetLastRun(): void {
    for (const version of [1, 2] as const) rmSync(join(this.projectDir(version), 'target/run_results.json'), { force: true });
  }

  private startState(start: StartState): Promise<ChaosTarget | undefined> {
    let made = this.starts.get(start);
    if (!made) {
      made = (async () => {
        if (start === 'empty') return undefined;
        const target = await this.targets.create(start === 'v1' ? undefined : await this.startState('v1'));
        const run = await this.run(target, start === 'v1' ? COMMANDS.build : COMMANDS.seed, { version: start === 'v1' ? 1 : 2 });
        if (run.code !== 0) throw new Error(`preparing ${start} (${this.backend}) failed:\n${run.stdout}\n${run.stderr}`);
        return target;
      })();
      this.starts.set(start, made);
    }
    return made;
  }
}
