/**
 * `tsdbt build --threads 4` of the example project's ambassador and Pinterest pipelines (issue 7) on PostgreSQL, over
 * the inputs `npm run generate-data` writes at full scale (1,000,000 Pinterest posts, 100,000 ambassadors). The inputs
 * are generated once into `bench/.work/example-scale/` and reused while their manifest says the same scale and seed.
 */
import { profilesYml } from '../generate-project.js';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure, runChecked, type Sample } from './measure.js';
import { toMeasurement, type Measurement } from './measurement.js';
import { REPO_ROOT, WORK_DIR } from './paths.js';
import { LOCAL_PG, skipUnlessReachable, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { formatTable, megabytes, seconds } from './table.js';
import { tsdbtCommand } from './tsdbt.js';

const THREADS = 4;
const GENERATOR_SEED = 1;
const TARGET_SCHEMA = 'public';
const PROFILE = 'tsdbt_examples';
/** The example's inputs: the generator writes these folders, the seeds of seeds/seeds.yml read them. */
const INPUT_FOLDERS = ['ambassadors', 'pinterest'] as const;
/** What is copied from the repository (the seed walker does not follow symlinked folders, so nothing is linked). */
const PROJECT_FILES = ['tsdbt_project.yml', 'macros', 'models/ambassadors', 'models/pinterest', 'tests', 'seeds/seeds.yml'];
/** `tsdbt build` exits 1 when a data test fails: still a complete measurement if no node errored. */
const BUILD_EXIT_CODES = [0, 1];

type Status = 'success' | 'error' | 'skipped' | 'pass' | 'warn' | 'fail';

interface RunResultsFile {
  results: Array<{ unique_id: string; status: Status; message: string; failures: number | null; execution_time: number }>;
}

export interface NodeOutcome {
  uniqueId: string;
  status: Status;
  message: string;
  failures: number | null;
  executionS: number;
}

/** What one build did, from its target/run_results.json. */
export interface BuildOutcome {
  nodes: number;
  /** Per resource type (model, seed, test, ...), the number of nodes of each status. */
  byType: Record<string, Partial<Record<Status, number>>>;
  /** Every node that did not succeed or pass: failing tests, warnings, errors, skips (after a failing test upstream). */
  notPassed: NodeOutcome[];
  /** The slowest nodes, for a profile of where the time goes. */
  slowest: NodeOutcome[];
}

export interface ExampleScaleResult {
  name: string;
  scale: number;
  ambassadors: number;
  database: string;
  inputs: { generatedNow: boolean; generateS?: number; sizeMb: number };
  build: Measurement;
  /** The same build split in two, each part on a fresh database: `tsdbt seed`, then `tsdbt build --exclude resource_type:seed`. */
  seed?: Measurement;
  rest?: Measurement;
  outcome: BuildOutcome;
  restOutcome?: BuildOutcome;
}

function readManifest(path: string): { generator?: { scale?: number; seed?: number; appends?: unknown[] } } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { generator?: { scale?: number; seed?: number; appends?: unknown[] } };
  } catch {
    return undefined;
  }
}

function sizeMb(dir: string): number {
  const out = runChecked({ command: 'du', args: ['-sk', '-L', dir] });
  return Number(out.split(/\s+/)[0]) / 1024;
}

/**
 * Makes sure `<work>/project/seeds/{ambassadors,pinterest}` hold the generator's output for `scale`: generates into
 * `<work>/data` (which keeps the manifest, so the seed folder holds nothing else) and moves the folders into place.
 */
function ensureInputs(work: string, projectDir: string, scale: number): { generatedNow: boolean; generateS?: number } {
  const dataDir = join(work, 'data');
  const seedsDir = join(projectDir, 'seeds');
  const manifest = readManifest(join(dataDir, 'manifest.json'));
  const where = (folder: string) => [join(seedsDir, folder), join(dataDir, folder)].find((path) => existsSync(path));
  const reusable =
    manifest?.generator?.scale === scale &&
    manifest.generator.seed === GENERATOR_SEED &&
    (manifest.generator.appends ?? []).length === 0 &&
    INPUT_FOLDERS.every((folder) => where(folder) !== undefined);
  let generatedNow = false;
  let generateS: number | undefined;
  if (reusable) {
    console.log(`  reusing the inputs generated at scale ${scale} (${join(dataDir, 'manifest.json')})`);
  } else {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    console.log(`  generating the inputs: npm run generate-data -- --scale ${scale} --out ${dataDir}`);
    const sample = measure({
      command: join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      args: [join(REPO_ROOT, 'scripts', 'generate-data.ts'), '--scale', String(scale), '--seed', String(GENERATOR_SEED), '--out', dataDir],
      cwd: REPO_ROOT,
    });
    generatedNow = true;
    generateS = sample.wallS;
    console.log(`  generated in ${seconds(sample.wallS)} s`);
  }
  mkdirSync(seedsDir, { recursive: true });
  for (const folder of INPUT_FOLDERS) {
    if (!existsSync(join(seedsDir, folder))) renameSync(join(dataDir, folder), join(seedsDir, folder));
  }
  return { generatedNow, generateS };
}

/** Copies the repository's project files in (fresh each time, so edits to the models are picked up). */
function writeProject(projectDir: string, server: PgServer, db: string): void {
  for (const entry of PROJECT_FILES) {
    const target = join(projectDir, entry);
    rmSync(target, { recursive: true, force: true });
    cpSync(join(REPO_ROOT, entry), target, { recursive: true });
  }
  writeFileSync(join(projectDir, 'profiles.yml'), profilesYml({ name: PROFILE, host: server.host, port: server.port, user: server.user, dbname: db, schema: TARGET_SCHEMA, threads: THREADS }));
}

export function readOutcome(projectDir: string): BuildOutcome {
  const file = JSON.parse(readFileSync(join(projectDir, 'target', 'run_results.json'), 'utf8')) as RunResultsFile;
  const byType: BuildOutcome['byType'] = {};
  const nodes: NodeOutcome[] = file.results.map((r) => ({ uniqueId: r.unique_id, status: r.status, message: r.message, failures: r.failures, executionS: r.execution_time }));
  for (const node of nodes) {
    const type = node.uniqueId.split('.')[0] ?? 'unknown';
    const counts = (byType[type] ??= {});
    counts[node.status] = (counts[node.status] ?? 0) + 1;
  }
  return {
    nodes: nodes.length,
    byType,
    notPassed: nodes.filter((n) => n.status !== 'success' && n.status !== 'pass'),
    slowest: [...nodes].sort((a, b) => b.executionS - a.executionS).slice(0, 10),
  };
}

/**
 * A build with an errored node did not do its work: no measurement. Nodes skipped because a data test upstream failed
 * (dbt's build semantics) are accepted and reported; any skip in a build that also has an error fails with it.
 */
function checkComplete(what: string, outcome: BuildOutcome): void {
  const errors = outcome.notPassed.filter((n) => n.status === 'error');
  if (errors.length === 0) return;
  const broken = outcome.notPassed.filter((n) => n.status === 'error' || n.status === 'skipped');
  const lines = broken.map((n) => `  ${n.status} ${n.uniqueId}: ${n.message.split('\n')[0]}`);
  throw new Error(`${what}: ${errors.length} node(s) errored (${broken.length - errors.length} skipped):\n${lines.join('\n')}`);
}

function logOutcome(outcome: BuildOutcome): void {
  const types = Object.entries(outcome.byType).map(([type, counts]) => `${type} ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  console.log(`    ${outcome.nodes} nodes: ${types.join('; ')}`);
  for (const n of outcome.notPassed) console.log(`    ${n.status} ${n.uniqueId}${n.failures !== null ? ` (${n.failures} failing rows)` : ''}: ${n.message.split('\n')[0]}`);
  console.log(`    slowest: ${outcome.slowest.slice(0, 5).map((n) => `${n.uniqueId.split('.').at(-1)} ${seconds(n.executionS)} s`).join(', ')}`);
}

export function runExampleScaleBenchmark(scale: number, runs: number, server: PgServer = LOCAL_PG, onPartial?: (r: ExampleScaleResult) => void): ExampleScaleResult | Skipped {
  const name = 'example-scale';
  const skipped = skipUnlessReachable(server, name, 'the example-scale benchmark');
  if (skipped) return skipped;
  const work = join(WORK_DIR, name);
  const projectDir = join(work, 'project');
  const db = `tsdbt_bench_example_${process.pid}`;
  console.log(`\nexample project at scale ${scale} (${Math.floor(scale / 10)} ambassadors): ${projectDir}; database ${db}`);
  const generated = ensureInputs(work, projectDir, scale);
  writeProject(projectDir, server, db);
  const inputs = { ...generated, sizeMb: sizeMb(join(projectDir, 'seeds')) };
  const cli = (command: 'build' | 'seed', exclude?: string) => tsdbtCommand(command, projectDir, { profilesDir: projectDir, threads: THREADS, exclude });
  const timed = (label: string, command: 'build' | 'seed', exclude?: string): Sample => {
    // Each run starts without target/ (no parse cache) as well as on an empty database.
    rmSync(join(projectDir, 'target'), { recursive: true, force: true });
    const sample = measure(cli(command, exclude), command === 'build' ? BUILD_EXIT_CODES : [0]);
    console.log(`  ${label}: ${seconds(sample.wallS)} s, ${megabytes(sample.peakKb / 1024)} MB`);
    return sample;
  };

  const builds: Sample[] = [];
  let outcome: BuildOutcome | undefined;
  for (let round = 1; round <= runs; round++) {
    const sample = withDatabase(server, db, () => timed(`tsdbt build --threads ${THREADS} ${round}/${runs}`, 'build'));
    outcome = readOutcome(projectDir);
    logOutcome(outcome);
    checkComplete(`build ${round}/${runs}`, outcome);
    builds.push(sample);
  }
  const result: ExampleScaleResult = {
    name,
    scale,
    ambassadors: Math.floor(scale / 10),
    database: db,
    inputs,
    build: toMeasurement(`tsdbt build --threads ${THREADS}`, scale, builds),
    outcome: outcome!,
  };
  onPartial?.(result);

  const seeds: Sample[] = [];
  const rest: Sample[] = [];
  let restOutcome: BuildOutcome | undefined;
  for (let round = 1; round <= runs; round++) {
    withDatabase(server, db, () => {
      seeds.push(timed(`tsdbt seed ${round}/${runs}`, 'seed'));
      rest.push(timed(`tsdbt build --threads ${THREADS} --exclude resource_type:seed ${round}/${runs}`, 'build', 'resource_type:seed'));
    });
    restOutcome = readOutcome(projectDir);
    logOutcome(restOutcome);
    checkComplete(`build without seeds ${round}/${runs}`, restOutcome);
  }
  return {
    ...result,
    seed: toMeasurement('tsdbt seed', scale, seeds),
    rest: toMeasurement(`tsdbt build --threads ${THREADS} --exclude resource_type:seed`, scale, rest),
    restOutcome,
  };
}

export function exampleScaleTable(result: ExampleScaleResult): string {
  const rows = [result.build, result.seed, result.rest]
    .filter((m): m is Measurement => m !== undefined)
    .map((m) => [m.label, seconds(m.summary.medianS), seconds(m.summary.minS), seconds(m.summary.maxS), megabytes(m.summary.medianPeakMb)]);
  const table = formatTable(
    [{ header: `example project, ${result.scale} posts / ${result.ambassadors} ambassadors (${megabytes(result.inputs.sizeMb)} MB of inputs), PostgreSQL` }, { header: 'median s', align: 'right' }, { header: 'min s', align: 'right' }, { header: 'max s', align: 'right' }, { header: 'peak MB', align: 'right' }],
    rows,
  );
  const statuses = Object.entries(result.outcome.byType).map(([type, counts]) => `${type}: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  const notPassed = result.outcome.notPassed.map((n) => `  ${n.status} ${n.uniqueId}${n.failures !== null ? ` (${n.failures} rows)` : ''}`);
  return [table, `nodes (last build): ${statuses.join('; ')}`, ...notPassed].join('\n');
}
