import type { ClusterAddress } from './cluster.js';
import type { BackendName } from './targets.js';

// What run.ts and a lane process (lane.ts) exchange.

/** The corrupted-input trials' kind (chaos/loader-fuzz.ts), beside the kinds of trials.ts. */
export const LOADERS = 'loaders';

/** What run.ts gives a lane: its trials, where to work, the CLI copy and the cluster. */
export interface LaneSpec {
  backend: BackendName;
  /** Trial kinds, each with a number of trials. */
  trials: Array<{ kind: string; count: number }>;
  seed: number;
  /** One trial seed to run instead (`--replay`). */
  replay?: number;
  dir: string;
  cliDir: string;
  cluster?: ClusterAddress;
}

export interface Tally {
  trials: number;
  faults: number;
  landed: number;
  mismatches: number;
  recordsLost: number;
  failures: number;
  seconds: number;
}

/** What a lane sends run.ts when it is done: a tally per kind, named `kind [backend]`. */
export interface LaneReport {
  tallies: Array<[string, Tally]>;
}

export function emptyTally(): Tally {
  return { trials: 0, faults: 0, landed: 0, mismatches: 0, recordsLost: 0, failures: 0, seconds: 0 };
}
