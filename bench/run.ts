/**
 * `npm run bench`: compile benchmark (N = 1,000 / 5,000 / 10,000 models, cold and warm), run benchmark (N = 200 views
 * on PostgreSQL, `tsdbt run --threads 4` against one psql session), seed benchmark (CSV, NDJSON and a folder of
 * JSON files, `tsdbt seed` against `psql \copy`, on PostgreSQL and PGlite) and incremental benchmark (a sessionising
 * model over 5,000,000 events on PostgreSQL: incremental runs against full refreshes, a microbatch backfill with 4
 * threads against 1, beside the same batches run by 4 psql sessions against 1) and build-start benchmark (5,000
 * models with 15,000 data tests on PostgreSQL: how soon `tsdbt build` starts its first node) and clustering benchmark
 * (pipeline D's `tsdbt run -s activity_clusters` over 2,100,000 posts on PostgreSQL) and embedded-start benchmark
 * (`--version`, opening an existing and a new PGlite database, against plain PGlite and psql) and in-process figures
 * (column lineage of 5,000 models, CSV scans: what unit tests check for correctness, timed here) and the example project
 * on Citus against one PostgreSQL (equal relations, and both build times) and virtual environments (the example
 * project's plan, new environment, one changed model and promotion, against a plain build). See bench/README.md.
 */
import { CommandFailed, describe } from './lib/measure.js';
import { parseBenchArgs, selected, USAGE, type BenchArgs } from './lib/args.js';
import { runBuildStartBenchmark, type BuildStartResult } from './lib/build-start-benchmark.js';
import { citusExampleMissed, citusExampleTable, runCitusExampleBenchmark, type CitusExampleResult } from './lib/citus-example-benchmark.js';
import { clusteringTable, runClusteringBenchmark, type ClusteringResult } from './lib/clustering-benchmark.js';
import { runSessionsBenchmark, sessionsTable, type SessionsResult } from './lib/sessions-benchmark.js';
import { docsTable, runDocsBenchmark, type DocsResult } from './lib/docs-benchmark.js';
import { embeddedStartMissed, embeddedStartTable, runEmbeddedStartBenchmark, type EmbeddedStartResult } from './lib/embedded-start-benchmark.js';
import { exampleScaleTable, runExampleScaleBenchmark, type ExampleScaleResult } from './lib/example-scale-benchmark.js';
import { realExportTable, runRealExportBenchmark, type RealExportResult } from './lib/real-export-benchmark.js';
import { runCompileBenchmark, type CompileResult } from './lib/compile-benchmark.js';
import { inProcessTable, runInProcessBenchmark, type InProcessResult } from './lib/in-process-benchmark.js';
import { runIncrementalBenchmark, type IncrementalFigure, type IncrementalResult } from './lib/incremental-benchmark.js';
import { withoutSamples } from './lib/measurement.js';
import { RESULTS_DIR } from './lib/paths.js';
import type { Skipped } from './lib/postgres.js';
import { buildStartTable, incrementalTables, mainTable, missedTargets, runTable, seedTable } from './lib/report.js';
import { machineInfo, writeResult, type MachineInfo } from './lib/results.js';
import { runRunBenchmark, type RunResult } from './lib/run-benchmark.js';
import { runSeedBenchmarks, type SeedFigure, type SeedResult } from './lib/seed-benchmark.js';
import { BUILD_START_TARGET_S, CLUSTERING_TARGET_S, COMPILE_REFERENCES, COMPILE_TARGET_S, IN_PROCESS_TARGETS_S, INCREMENTAL_TARGETS, LS_TARGET_S, RUN_OVERHEAD_TARGET_MS, RUN_REFERENCE, SEED_TARGETS } from './lib/targets.js';
import { preflight } from './lib/tsdbt.js';
import { runVirtualEnvBenchmark, virtualEnvMissed, virtualEnvTable, type VirtualEnvResult } from './lib/virtual-env-benchmark.js';

interface Results {
  compile: CompileResult[];
  run?: RunResult;
  seed: SeedResult[];
  incremental?: IncrementalResult;
  buildStart?: BuildStartResult;
  exampleScale?: ExampleScaleResult;
  realExport?: RealExportResult;
  clustering?: ClusteringResult;
  sessions?: SessionsResult;
  docs?: DocsResult;
  embeddedStart?: EmbeddedStartResult;
  inProcess?: InProcessResult;
  citusExample?: CitusExampleResult;
  virtualEnv?: VirtualEnvResult;
  skipped: Skipped[];
}

function isSkipped<T extends object>(result: T | Skipped): result is Skipped {
  return 'skipped' in result;
}

function saveResult(machine: MachineInfo, runs: number, result: { name: string }): void {
  writeResult(RESULTS_DIR, result.name, { machine, runs, ...result });
}

function runCompile(args: BenchArgs, machine: MachineInfo): CompileResult[] {
  return args.sizes.map((n) => {
    const result = runCompileBenchmark(n, args.runs);
    saveResult(machine, args.runs, result);
    return result;
  });
}

type SingleResults = Omit<Results, 'compile' | 'seed' | 'skipped'>;

/** A benchmark's result goes into the results and its file; a skipped one into the skipped list. */
function keepResult<K extends keyof SingleResults>(results: Results, key: K, result: NonNullable<SingleResults[K]> | Skipped, machine: MachineInfo, runs: number): void {
  if (isSkipped(result)) {
    results.skipped.push(result);
    return;
  }
  results[key] = result as Results[K];
  saveResult(machine, runs, result);
}

function runSeed(args: BenchArgs, machine: MachineInfo, results: Results): void {
  const { results: seed, skipped } = runSeedBenchmarks(args);
  for (const result of seed) saveResult(machine, args.runs, result);
  results.seed.push(...seed);
  results.skipped.push(...skipped);
}

function runRealExport(args: BenchArgs, machine: MachineInfo, results: Results): void {
  const result = runRealExportBenchmark(args.runs);
  keepResult(results, 'realExport', result, machine, args.runs);
  if (!isSkipped(result) && isSkipped(result.postgres)) results.skipped.push(result.postgres);
}

function printResults(args: BenchArgs, machine: MachineInfo, results: Results, missed: readonly string[]): void {
  console.log(`\n${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, ${args.runs} timed run(s) per figure\n`);
  if (selected(args, 'compile') || selected(args, 'run')) {
    console.log(mainTable(results.compile, results.run));
    console.log(`\n${runTable(results.run)}\n`);
  }
  if (results.seed.length > 0) console.log(`${seedTable(results.seed)}\n`);
  if (results.incremental) console.log(`${incrementalTables(results.incremental)}\n`);
  if (results.buildStart) console.log(`${buildStartTable(results.buildStart)}\n`);
  if (results.exampleScale) console.log(`${exampleScaleTable(results.exampleScale)}\n`);
  if (results.realExport) console.log(`${realExportTable(results.realExport)}\n`);
  if (results.clustering) console.log(`${clusteringTable(results.clustering)}\n`);
  if (results.sessions) console.log(`${sessionsTable(results.sessions)}\n`);
  if (results.docs) console.log(`${docsTable(results.docs)}\n`);
  if (results.embeddedStart) console.log(`${embeddedStartTable(results.embeddedStart)}\n`);
  if (results.inProcess) console.log(`${inProcessTable(results.inProcess)}\n`);
  if (results.citusExample) console.log(`${citusExampleTable(results.citusExample)}\n`);
  if (results.virtualEnv) console.log(`${virtualEnvTable(results.virtualEnv)}\n`);
  for (const skipped of results.skipped) console.log(`!!! ${skipped.name} SKIPPED: ${skipped.skipped}`);
  console.log(missed.length === 0 ? 'all targets met' : `targets MISSED: ${missed.join('; ')}`);
}

function seedFigureSummary(f: SeedFigure) {
  return { ...f, tsdbt: withoutSamples(f.tsdbt), psql: f.psql && withoutSamples(f.psql) };
}

function incrementalFigureSummary(f: IncrementalFigure) {
  return { ...f, measured: withoutSamples(f.measured), baseline: withoutSamples(f.baseline) };
}

function writeSummary(args: BenchArgs, machine: MachineInfo, results: Results, missed: string[]): string {
  const { compile, run, seed, incremental, buildStart, exampleScale, clustering, sessions, docs, embeddedStart, inProcess, citusExample, virtualEnv } = results;
  return writeResult(RESULTS_DIR, 'summary', {
    machine,
    args,
    targets: { compileS: COMPILE_TARGET_S, lsS: LS_TARGET_S, runOverheadMsPerModel: RUN_OVERHEAD_TARGET_MS, seed: SEED_TARGETS, incremental: INCREMENTAL_TARGETS, buildStartS: BUILD_START_TARGET_S, clusteringS: CLUSTERING_TARGET_S, inProcessS: IN_PROCESS_TARGETS_S },
    compile: compile.map(({ name, n, cold, warm, filesFloor, coldInMemory, ls, lsUncached }) => ({
      name,
      n,
      cold: withoutSamples(cold),
      warm: withoutSamples(warm),
      filesFloor: withoutSamples(filesFloor),
      coldInMemory: coldInMemory ? withoutSamples(coldInMemory) : null,
      ls: withoutSamples(ls),
      lsUncached: withoutSamples(lsUncached),
    })),
    run: run ? { ...run, tsdbt: withoutSamples(run.tsdbt), psql: withoutSamples(run.psql) } : null,
    seed: seed.map((r) => ({ ...r, figures: r.figures.map(seedFigureSummary) })),
    incremental: incremental ? { ...incremental, figures: incremental.figures.map(incrementalFigureSummary) } : null,
    buildStart: buildStart
      ? {
          ...buildStart,
          connected: withoutSamples(buildStart.connected),
          firstNodeStarts: withoutSamples(buildStart.firstNodeStarts),
          firstNodeReported: withoutSamples(buildStart.firstNodeReported),
          cold: { firstNodeStarts: withoutSamples(buildStart.cold.firstNodeStarts) },
        }
      : null,
    exampleScale: exampleScale
      ? {
          ...exampleScale,
          build: withoutSamples(exampleScale.build),
          seed: exampleScale.seed && withoutSamples(exampleScale.seed),
          rest: exampleScale.rest && withoutSamples(exampleScale.rest),
        }
      : null,
    clustering: clustering ? { ...clustering, run: withoutSamples(clustering.run) } : null,
    sessions: sessions
      ? { ...sessions, fullRefresh: withoutSamples(sessions.fullRefresh), incremental: withoutSamples(sessions.incremental), dailyPipeline: withoutSamples(sessions.dailyPipeline) }
      : null,
    docs: docs ? { ...docs, generate: withoutSamples(docs.generate) } : null,
    embeddedStart: embeddedStart
      ? {
          ...embeddedStart,
          figures: embeddedStart.figures.map((f) => ({ ...f, tsdbt: withoutSamples(f.tsdbt), plain: f.plain && withoutSamples(f.plain) })),
          psql: 'skipped' in embeddedStart.psql ? embeddedStart.psql : withoutSamples(embeddedStart.psql),
        }
      : null,
    inProcess: inProcess ?? null,
    citusExample: citusExample ? { ...citusExample, singleNode: withoutSamples(citusExample.singleNode), citus: withoutSamples(citusExample.citus) } : null,
    virtualEnv: virtualEnv
      ? { ...virtualEnv, plainBuild: withoutSamples(virtualEnv.plainBuild), steps: virtualEnv.steps.map((step) => ({ ...step, measurement: withoutSamples(step.measurement) })) }
      : null,
    skipped: results.skipped,
    missed,
    references: { compile: COMPILE_REFERENCES, run: RUN_REFERENCE },
  });
}

async function runBenchmarks(args: BenchArgs, machine: MachineInfo): Promise<void> {
  const results: Results = { compile: [], seed: [], skipped: [] };
  if (selected(args, 'compile')) results.compile = runCompile(args, machine);
  const keep = <K extends keyof SingleResults>(key: K, result: NonNullable<SingleResults[K]> | Skipped) => keepResult(results, key, result, machine, args.runs);
  if (selected(args, 'run')) keep('run', runRunBenchmark(args.runModels, args.runs));
  if (selected(args, 'seed')) runSeed(args, machine, results);
  if (selected(args, 'incremental')) keep('incremental', runIncrementalBenchmark(args.incrementalRows, args.runs));
  if (selected(args, 'build-start')) keep('buildStart', await runBuildStartBenchmark(args.buildStartModels, args.runs));
  // The build figures are saved as soon as they exist; the seed/rest split, which follows, rewrites the file.
  if (selected(args, 'example-scale')) keep('exampleScale', runExampleScaleBenchmark(args.exampleScale, args.runs, undefined, (partial) => saveResult(machine, args.runs, partial)));
  if (selected(args, 'real-export')) runRealExport(args, machine, results);
  if (selected(args, 'clustering')) keep('clustering', runClusteringBenchmark(args.clusteringPosts, args.runs));
  if (selected(args, 'sessions')) keep('sessions', runSessionsBenchmark(args.sessionsScale, args.runs));
  if (selected(args, 'docs')) keep('docs', await runDocsBenchmark(args.docsModels, args.runs));
  if (selected(args, 'embedded-start')) keep('embeddedStart', runEmbeddedStartBenchmark(args.runs));
  if (selected(args, 'in-process')) keep('inProcess', await runInProcessBenchmark(args.runs));
  if (selected(args, 'citus-example')) keep('citusExample', await runCitusExampleBenchmark(args.runs));
  if (selected(args, 'virtual-env')) keep('virtualEnv', runVirtualEnvBenchmark(args.runs));

  const missed = [
    ...missedTargets(results.compile, results.run, results.seed, results.incremental, results.buildStart, results.clustering, results.sessions, results.docs, results.inProcess),
    ...(results.embeddedStart ? embeddedStartMissed(results.embeddedStart) : []),
    ...(results.citusExample ? citusExampleMissed(results.citusExample) : []),
    ...(results.virtualEnv ? virtualEnvMissed(results.virtualEnv) : []),
  ];
  printResults(args, machine, results, missed);
  const summaryPath = writeSummary(args, machine, results, missed);
  console.log(`results: ${summaryPath} (raw samples in the per-benchmark files beside it)`);
}

function reportFailure(error: unknown): void {
  console.error(`\n${'!'.repeat(72)}\n!!! BENCHMARK FAILED`);
  if (error instanceof CommandFailed) {
    console.error(`!!! ${describe(error.cmd)}\n!!! exited with ${error.status ?? 'a signal'}; its stderr:\n`);
    console.error(error.stderr.trimEnd() || '(empty)');
    const stdout = error.stdout.trimEnd();
    if (stdout) console.error(`\nlast lines of its stdout:\n${stdout.split('\n').slice(-20).join('\n')}`);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  console.error('!'.repeat(72));
}

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    console.log(`tsdbt ${preflight()}`);
    await runBenchmarks(args, machineInfo());
    return 0;
  } catch (error) {
    reportFailure(error);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
