/**
 * `npm run bench`: compile benchmark (N = 1,000 / 5,000 / 10,000 models, cold and warm) and run benchmark
 * (N = 200 views on PostgreSQL, `tsdbt run --threads 4` against one psql session). See bench/README.md.
 */
import { CommandFailed, describe } from './lib/measure.js';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.js';
import { runCompileBenchmark, type CompileResult } from './lib/compile-benchmark.js';
import { RESULTS_DIR } from './lib/paths.js';
import { mainTable, missedTargets, runTable } from './lib/report.js';
import { machineInfo, writeResult, type MachineInfo } from './lib/results.js';
import { runRunBenchmark, type RunResult, type Skipped } from './lib/run-benchmark.js';
import { COMPILE_REFERENCES, COMPILE_TARGET_S, RUN_OVERHEAD_TARGET_MS, RUN_REFERENCE } from './lib/targets.js';
import { preflight } from './lib/tsdbt.js';

function isSkipped(result: RunResult | Skipped): result is Skipped {
  return 'skipped' in result;
}

function runBenchmarks(args: BenchArgs, machine: MachineInfo): void {
  const compile: CompileResult[] = [];
  if (args.only !== 'run') {
    for (const n of args.sizes) {
      const result = runCompileBenchmark(n, args.runs);
      writeResult(RESULTS_DIR, result.name, { machine, runs: args.runs, ...result });
      compile.push(result);
    }
  }
  let run: RunResult | undefined;
  let skipped: Skipped | undefined;
  if (args.only !== 'compile') {
    const result = runRunBenchmark(args.runModels, args.runs);
    if (isSkipped(result)) skipped = result;
    else {
      run = result;
      writeResult(RESULTS_DIR, result.name, { machine, runs: args.runs, ...result });
    }
  }

  console.log(`\n${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, ${args.runs} timed run(s) per figure\n`);
  console.log(mainTable(compile, run));
  console.log(`\n${runTable(run)}\n`);
  if (skipped) console.log(`!!! run benchmark SKIPPED: ${skipped.skipped}`);
  const missed = missedTargets(compile, run);
  console.log(missed.length === 0 ? 'all targets met' : `targets MISSED: ${missed.join('; ')}`);

  const summaryPath = writeResult(RESULTS_DIR, 'summary', {
    machine,
    args,
    targets: { compileS: COMPILE_TARGET_S, runOverheadMsPerModel: RUN_OVERHEAD_TARGET_MS },
    compile: compile.map(({ name, n, cold, warm, filesFloor }) => ({
      name,
      n,
      cold: { ...cold, samples: undefined },
      warm: { ...warm, samples: undefined },
      filesFloor: { ...filesFloor, samples: undefined },
    })),
    run: run ? { ...run, tsdbt: { ...run.tsdbt, samples: undefined }, psql: { ...run.psql, samples: undefined } } : null,
    skipped: skipped ? [skipped] : [],
    missed,
    references: { compile: COMPILE_REFERENCES, run: RUN_REFERENCE },
  });
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

function main(argv: string[]): number {
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
    runBenchmarks(args, machineInfo());
    return 0;
  } catch (error) {
    reportFailure(error);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
