/**
 * `npm run chaos`: seeded random fault-injection trials against the real CLI (a copy of bin/ and dist/ taken at the
 * start: `npm run build` first).
 *
 *   npm run chaos -- [--trials N] [--seed S] [--kinds kill-build,...] [--backends postgres,pglite] [--quick]
 *   npm run chaos -- --kinds kill-build --backends postgres --replay TRIAL_SEED     (one trial, as a failure printed it)
 *
 * PostgreSQL trials run on a throwaway cluster of the suite's own (never the shared server), PGlite trials in
 * temporary folders; the two backends run side by side. Prints, per kind and in total, trials, faults injected,
 * mismatches with the reference build (trials whose final state differs), records lost and failures (a hang, an
 * unexpected exit code, a re-run that failed), and exits 1 unless the last three are 0.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng, rngFor } from '../scripts/generate-data/prng.js';
import { ThrowawayCluster } from './cluster.js';
import { FrozenCli } from './frozen-cli.js';
import { runLoaderTrials } from './loader-fuzz.js';
import { PgliteTargets, PostgresTargets, type BackendName } from './targets.js';
import { TRIAL_KINDS, type TrialContext, type TrialKind } from './trials.js';
import { Workspace } from './workspace.js';

const LOADERS = 'loaders';
const ALL_KINDS = [...TRIAL_KINDS.map((kind) => kind.name), LOADERS];

const { values: options } = parseArgs({
  options: {
    trials: { type: 'string' },
    seed: { type: 'string' },
    kinds: { type: 'string', default: ALL_KINDS.join(',') },
    backends: { type: 'string', default: 'postgres,pglite' },
    quick: { type: 'boolean', default: false },
    replay: { type: 'string' },
  },
});

/** The full run's size is the issue's (at least 200 trials, about 11 minutes on 2 cores); --quick takes about 3. */
const trialCount = Number(options.trials ?? (options.quick ? 48 : 240));
const seed = Number(options.seed ?? Math.floor(Math.random() * 2 ** 31));
const kinds = options.kinds.split(',');
const backends = options.backends.split(',') as BackendName[];
for (const kind of kinds) if (!ALL_KINDS.includes(kind)) throw new Error(`unknown trial kind '${kind}' (kinds: ${ALL_KINDS.join(', ')})`);

interface Tally {
  trials: number;
  faults: number;
  mismatches: number;
  recordsLost: number;
  failures: number;
  seconds: number;
}

/** One backend's share of the plan: trial kinds, each with a number of trials. */
interface Lane {
  backend: BackendName;
  trials: Array<{ kind: string; count: number }>;
}

/** A PGlite trial takes several times a PostgreSQL one (WASM, one connection): its kinds get a third of the share. */
const SHARE: Record<BackendName, number> = { postgres: 3, pglite: 1 };

function plan(): Lane[] {
  const units = kinds.flatMap((kind) => {
    const applies = kind === LOADERS ? backends : TRIAL_KINDS.find((k) => k.name === kind)!.backends.filter((b) => backends.includes(b));
    return applies.map((backend) => ({ kind, backend }));
  });
  const shares = units.reduce((sum, unit) => sum + SHARE[unit.backend], 0);
  const counts = units.map((unit) => Math.floor((trialCount * SHARE[unit.backend]) / shares));
  // What rounding down left over goes one by one to the units in order, so the plan has exactly trialCount trials.
  for (let i = 0, left = trialCount - counts.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % units.length, left--) counts[i]!++;
  return backends.map((backend) => ({
    backend,
    trials: units.flatMap((unit, i) => (unit.backend === backend ? [{ kind: unit.kind, count: counts[i]! }] : [])),
  }));
}

const root = mkdtempSync(join(tmpdir(), 'tsdbt-chaos-'));
const cli = new FrozenCli();
let cluster: ThrowawayCluster | undefined;
const removeEverything = () => {
  cli.remove();
  cluster?.remove();
  // The runs cli.remove() killed may not have exited yet: their files can still appear for a moment.
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    removeEverything();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const tallies = new Map<string, Tally>();
let exitCode = 0;
const started = Date.now();
try {
  console.log(`chaos: seed ${seed}, ${options.replay ? `replaying trial seed ${options.replay}` : `${trialCount} trials`}, kinds ${kinds.join(', ')}, backends ${backends.join(', ')}`);
  if (backends.includes('postgres')) {
    cluster = await ThrowawayCluster.create();
    console.log(`chaos: throwaway PostgreSQL cluster on ${cluster.host}:${cluster.port} (${cluster.dir})`);
  }
  await Promise.all(plan().map((lane) => runLane(lane)));
} finally {
  removeEverything();
}
report();
process.exit(exitCode);

async function runLane(lane: Lane): Promise<void> {
  const dir = join(root, lane.backend);
  const targets = lane.backend === 'postgres' ? new PostgresTargets(cluster!) : await PgliteTargets.create(mkdir(join(dir, 'targets')));
  const context: TrialContext = { workspace: new Workspace(targets, mkdir(join(dir, 'project')), cluster?.port, cli), cluster };
  try {
    for (const { kind, count } of lane.trials) {
      const tally = tallyFor(`${kind} [${lane.backend}]`);
      const kindStarted = Date.now();
      if (kind === LOADERS) await runLoaders(lane.backend, count, join(dir, 'loaders'), tally);
      else {
        const trialKind = TRIAL_KINDS.find((k) => k.name === kind)!;
        const trialSeeds = options.replay ? [Number(options.replay)] : Array.from({ length: count }, (_, i) => rngFor(seed, `${kind}/${lane.backend}`, i).int(0, 2 ** 31 - 1));
        for (const trialSeed of trialSeeds) await runTrial(trialKind, lane.backend, trialSeed, context, tally);
      }
      tally.seconds += (Date.now() - kindStarted) / 1000;
    }
  } finally {
    await targets.close();
  }
}

async function runTrial(kind: TrialKind, backend: BackendName, trialSeed: number, context: TrialContext, tally: Tally): Promise<void> {
  const label = `${kind.name} [${backend}] trial seed ${trialSeed}`;
  const outcome = await kind.run(context, new Rng(trialSeed));
  tally.trials++;
  tally.faults += outcome.faults;
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
  console.log(`        replay: npm run chaos -- --kinds ${kind.name} --backends ${backend} --replay ${trialSeed}`);
}

/** Corrupted-input trials: chaos/loader-fuzz.ts, on the same cluster or PGlite. */
async function runLoaders(backend: BackendName, count: number, workDir: string, tally: Tally): Promise<void> {
  const result = await runLoaderTrials({
    seed: options.replay ? Number(options.replay) : seed,
    trials: options.replay ? 1 : count,
    backend,
    pgUrl: cluster?.url(),
    workDir,
    cli: cli.script,
    log: (line) => console.log(`      loaders [${backend}] ${line}`),
  });
  tally.trials += result.trials;
  tally.faults += result.faults;
  tally.mismatches += result.mismatches;
  tally.recordsLost += result.recordsLost;
}

function tallyFor(name: string): Tally {
  let tally = tallies.get(name);
  if (!tally) tallies.set(name, (tally = { trials: 0, faults: 0, mismatches: 0, recordsLost: 0, failures: 0, seconds: 0 }));
  return tally;
}

function report(): void {
  const total: Tally = { trials: 0, faults: 0, mismatches: 0, recordsLost: 0, failures: 0, seconds: (Date.now() - started) / 1000 };
  const rows = [...tallies].map(([name, tally]) => {
    for (const key of ['trials', 'faults', 'mismatches', 'recordsLost', 'failures'] as const) total[key] += tally[key];
    return [name, tally] as const;
  });
  const line = (name: string, t: Tally) =>
    `${name.padEnd(26)} ${String(t.trials).padStart(6)} ${String(t.faults).padStart(7)} ${String(t.mismatches).padStart(10)} ${String(t.recordsLost).padStart(12)} ${String(t.failures).padStart(8)} ${t.seconds.toFixed(0).padStart(7)}`;
  console.log(`\n${'kind'.padEnd(26)} ${'trials'.padStart(6)} ${'faults'.padStart(7)} ${'mismatches'.padStart(10)} ${'records lost'.padStart(12)} ${'failures'.padStart(8)} ${'seconds'.padStart(7)}`);
  for (const [name, tally] of rows) console.log(line(name, tally));
  console.log(line('total (wall clock)', total));
  console.log(`seed ${seed}: npm run chaos -- --seed ${seed} --trials ${trialCount} --kinds ${kinds.join(',')} --backends ${backends.join(',')}`);
  if (total.mismatches > 0 || total.recordsLost > 0 || total.failures > 0) exitCode = 1;
}

function mkdir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
