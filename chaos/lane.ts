/**
 * One backend's lane of a chaos run, in a process of its own (run.ts forks it): the lanes run side by side, and what
 * one does on its main thread (PGlite's WASM opening a copy, a folder copied or removed) never delays another's fault
 * timers. Runs the lane's trials in order, prints a line per trial, and sends its tallies to run.ts.
 *
 *   (forked by run.ts) lane.ts LANE_SPEC_JSON
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, rngFor } from '../scripts/generate-data/prng.js';
import { ThrowawayCluster } from './cluster.js';
import { FrozenCli } from './frozen-cli.js';
import { runLoaderTrials } from './loader-fuzz.js';
import { PgliteTargets, PostgresTargets } from './targets.js';
import { emptyTally, LOADERS, type LaneReport, type LaneSpec, type Tally } from './lane-protocol.js';
import { TRIAL_KINDS, type TrialContext, type TrialKind } from './trials.js';
import { Workspace } from './workspace.js';

const spec = JSON.parse(process.argv[2]!) as LaneSpec;
const cli = new FrozenCli(spec.cliDir);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // Every run still going is SIGKILLed; run.ts removes the folders.
    cli.stopping.abort();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
const cluster = spec.cluster && ThrowawayCluster.attach(spec.cluster);
const tallies: Array<[string, Tally]> = [];
const targets = spec.backend === 'postgres' ? new PostgresTargets(cluster!) : await PgliteTargets.create(mkdir(join(spec.dir, 'targets')));
const context: TrialContext = { workspace: new Workspace(targets, mkdir(join(spec.dir, 'project')), cluster?.port, cli), cluster };
try {
  for (const { kind, count } of spec.trials) {
    const tally = emptyTally();
    tallies.push([`${kind} [${spec.backend}]`, tally]);
    const kindStarted = Date.now();
    if (kind === LOADERS) await runLoaders(count, join(spec.dir, 'loaders'), tally);
    else {
      const trialKind = TRIAL_KINDS.find((k) => k.name === kind)!;
      const trialSeeds = spec.replay !== undefined ? [spec.replay] : Array.from({ length: count }, (_, i) => rngFor(spec.seed, `${kind}/${spec.backend}`, i).int(0, 2 ** 31 - 1));
      for (const trialSeed of trialSeeds) await runTrial(trialKind, trialSeed, tally);
    }
    tally.seconds += (Date.now() - kindStarted) / 1000;
  }
} finally {
  await targets.close();
}
process.send!({ tallies } satisfies LaneReport, () => process.exit(0));

async function runTrial(kind: TrialKind, trialSeed: number, tally: Tally): Promise<void> {
  const label = `${kind.name} [${spec.backend}] trial seed ${trialSeed}`;
  const outcome = await kind.run(context, new Rng(trialSeed));
  tally.trials++;
  tally.faults += outcome.faults;
  tally.landed += outcome.landed;
  tally.recordsLost += outcome.recordsLost;
  if (outcome.mismatches.length > 0) tally.mismatches++;
  if (outcome.failures.length > 0) tally.failures++;
  const problems = [...outcome.mismatches.map((m) => `mismatch: ${m}`), ...outcome.failures.map((f) => `failure: ${f}`)];
  if (problems.length === 0) {
    console.log(`ok    ${label}: ${outcome.summary}`);
    return;
  }
  console.log(`FAIL  ${label}: ${outcome.summary}, ${outcome.recordsLost} records lost`);
  for (const problem of problems) console.log(`        ${problem.replace(/\n/g, '\n        ')}`);
  console.log(`        replay: npm run chaos -- --kinds ${kind.name} --backends ${spec.backend} --replay ${trialSeed}`);
}

/** Corrupted-input trials: chaos/loader-fuzz.ts, on the same cluster or PGlite. */
async function runLoaders(count: number, workDir: string, tally: Tally): Promise<void> {
  const result = await runLoaderTrials({
    seed: spec.replay ?? spec.seed,
    trials: spec.replay !== undefined ? 1 : count,
    backend: spec.backend,
    pgUrl: cluster?.url(),
    workDir,
    cli: cli.script,
    log: (line) => console.log(`      loaders [${spec.backend}] ${line}`),
  });
  tally.trials += result.trials;
  tally.faults += result.faults;
  // A corrupted input is read by the command whatever happens: every one lands.
  tally.landed += result.faults;
  tally.mismatches += result.mismatches;
  tally.recordsLost += result.recordsLost;
}

function mkdir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
