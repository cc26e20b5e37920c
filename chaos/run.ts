/**
 * `npm run chaos`: seeded random fault-injection trials against the real CLI (a copy of bin/ and dist/ taken at the
 * start: `npm run build` first).
 *
 *   npm run chaos -- [--trials N] [--seed S] [--kinds kill-build,...] [--backends postgres,pglite] [--quick]
 *   npm run chaos -- --kinds kill-build --backends postgres --replay TRIAL_SEED     (one trial, as a failure printed it)
 *
 * PostgreSQL trials run on a throwaway cluster of the suite's own (never the shared server), PGlite trials in
 * temporary folders; the two backends run side by side, each in a process of its own (lane.ts). Prints, per kind
 * and in total, trials, faults injected and how many of them landed while the command ran, mismatches with the
 * reference build (trials whose final state differs), records lost and failures (a hang, an unexpected exit code, a
 * re-run that failed), and exits 1 unless the last three are 0 and at least LANDED_AT_LEAST of each kind's faults
 * landed. Everything it writes, the copy of the CLI included, goes to one temporary folder, removed at the end (on
 * SIGINT and SIGTERM too).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ThrowawayCluster } from './cluster.js';
import { FrozenCli } from './frozen-cli.js';
import { emptyTally, LOADERS, type LaneReport, type LaneSpec, type Tally } from './lane-protocol.js';
import type { BackendName } from './targets.js';
import { TRIAL_KINDS } from './trials.js';

/** A kind whose faults mostly miss the command tests nothing: the run fails below this share of faults landed. */
const LANDED_AT_LEAST = 0.8;
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

/** One backend's share of the plan: trial kinds, each with a number of trials. */
type Lane = Pick<LaneSpec, 'backend' | 'trials'>;

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
const cli = FrozenCli.copyTo(join(root, 'cli'));
let cluster: ThrowawayCluster | undefined;
const lanes = new Set<ChildProcess>();
const removeEverything = () => {
  // A lane SIGKILLs the runs it has going when it stops; they may not have exited yet, so their files can still
  // appear for a moment.
  for (const lane of lanes) lane.kill('SIGTERM');
  cli.remove();
  cluster?.remove();
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
  const reports = await Promise.all(plan().map((lane) => runLane(lane)));
  for (const report of reports) for (const [name, tally] of report.tallies) tallies.set(name, tally);
} finally {
  removeEverything();
}
report();
process.exit(exitCode);

/** Runs a lane in a process of its own (lane.ts) and waits for its tallies. */
function runLane(lane: Lane): Promise<LaneReport> {
  const spec: LaneSpec = {
    ...lane,
    seed,
    replay: options.replay === undefined ? undefined : Number(options.replay),
    dir: join(root, lane.backend),
    cliDir: cli.dir,
    cluster: cluster?.address,
  };
  // fork runs lane.ts with this process's node options, tsx's loader among them.
  const child = fork(fileURLToPath(new URL('./lane.ts', import.meta.url)), [JSON.stringify(spec)], { stdio: 'inherit' });
  lanes.add(child);
  return new Promise((resolve, reject) => {
    let report: LaneReport | undefined;
    child.on('message', (message) => (report = message as LaneReport));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      lanes.delete(child);
      if (report) resolve(report);
      else reject(new Error(`the ${lane.backend} lane ended without its tallies (${signal ?? `exit ${code}`})`));
    });
  });
}

function report(): void {
  const total: Tally = { ...emptyTally(), seconds: (Date.now() - started) / 1000 };
  const byKind = new Map<string, { faults: number; landed: number }>();
  for (const [name, tally] of tallies) {
    for (const key of ['trials', 'faults', 'landed', 'mismatches', 'recordsLost', 'failures'] as const) total[key] += tally[key];
    const kind = name.split(' ')[0]!;
    const faults = byKind.get(kind) ?? { faults: 0, landed: 0 };
    byKind.set(kind, { faults: faults.faults + tally.faults, landed: faults.landed + tally.landed });
  }
  const columns = ['trials', 'faults', 'landed', 'mismatches', 'records lost', 'failures', 'seconds'];
  const line = (name: string, t: Tally) =>
    [name.padEnd(26), ...[t.trials, t.faults, t.landed, t.mismatches, t.recordsLost, t.failures, t.seconds.toFixed(0)].map((value, i) => String(value).padStart(columns[i]!.length))].join(' ');
  console.log(`\n${['kind'.padEnd(26), ...columns].join(' ')}`);
  for (const [name, tally] of tallies) console.log(line(name, tally));
  console.log(line('total (wall clock)', total));
  const landing = [...byKind].map(([kind, { faults, landed }]) => ({ kind, faults, landed, enough: landed >= LANDED_AT_LEAST * faults }));
  console.log(`landed while the command ran: ${landing.map(({ kind, faults, landed }) => `${kind} ${landed}/${faults}`).join(', ')}`);
  const missed = landing.filter((kind) => !kind.enough);
  if (missed.length > 0) console.log(`too few faults landed (under ${LANDED_AT_LEAST * 100}%): ${missed.map((kind) => kind.kind).join(', ')}`);
  console.log(`seed ${seed}: npm run chaos -- --seed ${seed} --trials ${trialCount} --kinds ${kinds.join(',')} --backends ${backends.join(',')}`);
  if (total.mismatches > 0 || total.recordsLost > 0 || total.failures > 0 || missed.length > 0) exitCode = 1;
}

