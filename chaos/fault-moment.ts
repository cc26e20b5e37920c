import type { Rng } from '../scripts/generate-data/prng.js';

/**
 * When a fault strikes a run, in the run's own progress rather than in time from its start: a run that goes faster or
 * slower than the reference (the machine is shared, the other backend runs alongside, references are measured while
 * every lane prepares) still takes the fault while it works. `delayMs` after its `afterNodes`-th node finished (0:
 * after it started), the delay scaled by the run's pace against the reference's (`referenceMs`, when the reference's
 * `afterNodes`-th node finished); and at the end of its `latestAfterNodes`-th node at the latest, its last node
 * before the project's on-run-end hook: the hook's sleep keeps the run going while the fault strikes.
 */
export interface FaultMoment {
  afterNodes: number;
  delayMs: number;
  referenceMs: number;
  latestAfterNodes: number;
}

/**
 * A moment drawn uniformly over a reference run's time up to the end of its last node (`progressMs`: when each node
 * finished, in ms from the start, the on-run-end hook last), placed by the stretch between two nodes' ends it fell in.
 */
export function drawFaultMoment(rng: Rng, referenceProgressMs: readonly number[]): FaultMoment {
  const progressMs = referenceProgressMs.slice(0, -1);
  const at = rng.next() * (progressMs.at(-1) ?? 0);
  const afterNodes = progressMs.filter((ms) => ms <= at).length;
  const referenceMs = progressMs[afterNodes - 1] ?? 0;
  return { afterNodes, delayMs: Math.round(at - referenceMs), referenceMs, latestAfterNodes: progressMs.length };
}

/** How much a run's pace may stretch or shrink a delay: a first node held up by a lock says little of the rest. */
const PACE_BOUNDS = [0.25, 4] as const;

/** How a fault was injected: at the moment drawn, or at the latest (the run outpaced the delay). */
export type FaultStrike = 'as drawn' | 'at the latest';

/** `moment`, and when the fault struck if it did not as drawn. */
export function describeFault(moment: FaultMoment, struck: FaultStrike | undefined): string {
  const after = moment.afterNodes === 0 ? 'its start' : `its node ${moment.afterNodes} finished`;
  return `${moment.delayMs} ms after ${after}${struck === 'at the latest' ? ` (struck at the end of node ${moment.latestAfterNodes})` : ''}`;
}

/** Counts the nodes a run has finished, from its JSON log (`--log-format json`) as the output comes. */
export class NodeProgress {
  finished = 0;
  private scanned = 0;

  /** Reads the whole output so far; true when more nodes have finished since the last call. */
  update(stdout: string): boolean {
    const end = stdout.lastIndexOf('\n') + 1;
    if (end <= this.scanned) return false;
    const before = this.finished;
    for (const line of stdout.slice(this.scanned, end).split('\n')) if (line.includes('"event":"node_finished"')) this.finished++;
    this.scanned = end;
    return this.finished > before;
  }
}

/** Injects a fault once, at a FaultMoment of a run: told when the run starts, progresses and ends. */
export class FaultTimer {
  private timer?: NodeJS.Timeout;
  private done = false;
  /** How the fault was injected, if it was (before the run ended). */
  struck?: FaultStrike;

  constructor(
    private readonly moment: FaultMoment,
    private readonly inject: () => void,
  ) {}

  /** The run has started (0 nodes finished), or finished its `finished`-th node `elapsedMs` after it started. */
  reached(finished: number, elapsedMs: number): void {
    if (this.done) return;
    const { afterNodes, delayMs, referenceMs, latestAfterNodes } = this.moment;
    if (finished >= latestAfterNodes) this.fire('at the latest');
    else if (finished >= afterNodes && !this.timer) {
      const pace = afterNodes === 0 ? 1 : Math.min(Math.max(elapsedMs / referenceMs, PACE_BOUNDS[0]), PACE_BOUNDS[1]);
      this.timer = setTimeout(() => this.fire('as drawn'), delayMs * pace);
    }
  }

  /** The run has ended: no fault from now on. */
  ended(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private fire(struck: FaultStrike): void {
    if (this.done) return;
    this.ended();
    this.struck = struck;
    this.inject();
  }
}
