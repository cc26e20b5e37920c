/**
 * Work the CLI does in its own process, timed by calling it directly on the unit tests' inputs
 * (test/helpers/scale-inputs.ts): column lineage of 5,000 chained models, a CSV scan of a million values whose type is
 * settled by the last row, and a CSV scan of two 3 MB fields fed in 1,000-byte pieces. The tests prove the results
 * right; these figures say how fast, without failing a test on a busy machine.
 */
import { performance } from 'node:perf_hooks';
import { scanCsv } from '../../src/loaders/csv/csv-scan.js';
import { computeLineage } from '../../src/lineage/compute-lineage.js';
import { createRelationIndex } from '../../src/lineage/relation-index.js';
import { csvWithHugeFields, csvWithLateMisfit, inPieces, lineageChain } from '../../test/helpers/scale-inputs.js';
import { summarizeSeconds, type Summary } from './stats.js';
import { formatTable, seconds } from './table.js';
import { IN_PROCESS_TARGETS_S, verdict, type Verdict } from './targets.js';

export interface InProcessFigure {
  label: string;
  n: number;
  targetS: number;
  summary: Summary;
  verdict: Verdict;
}

export interface InProcessResult {
  name: 'in-process';
  figures: InProcessFigure[];
}

interface InProcessTask {
  label: string;
  n: number;
  targetS: number;
  /** Makes the input (untimed) and returns the timed call. */
  prepare(): () => Promise<unknown>;
}

const TASKS: readonly InProcessTask[] = [
  {
    label: 'column lineage of N chained models',
    n: 5000,
    targetS: IN_PROCESS_TARGETS_S.lineage5000,
    prepare() {
      const { models, relations } = lineageChain(this.n);
      const index = createRelationIndex(relations, 'public');
      return () => computeLineage(models, index);
    },
  },
  {
    label: 'CSV scan of N rows, the last one a misfit',
    n: 1_000_000,
    targetS: IN_PROCESS_TARGETS_S.csvMillionRows,
    prepare() {
      const csv = csvWithLateMisfit(this.n);
      return () => scanCsv(inPieces(csv, 65536), 'big.csv', {});
    },
  },
  {
    label: 'CSV scan of two N-byte fields in 1,000-byte pieces',
    n: 3_000_000,
    targetS: IN_PROCESS_TARGETS_S.csvHugeFields,
    prepare() {
      const csv = csvWithHugeFields(this.n);
      return () => scanCsv(inPieces(csv, 1000), 'big.csv', {}, { onChunk: () => undefined, chunkBytes: 1000 });
    },
  },
];

async function measureTask(task: InProcessTask, runs: number): Promise<InProcessFigure> {
  const call = task.prepare();
  await call(); // untimed: module loading (libpg-query's WASM) and the JIT's first pass are not the work
  const samplesMs: number[] = [];
  for (let round = 1; round <= runs; round++) {
    const started = performance.now();
    await call();
    samplesMs.push(performance.now() - started);
    console.log(`  ${task.label}, N=${task.n} ${round}/${runs}: ${Math.round(samplesMs.at(-1)!)} ms`);
  }
  const summary = summarizeSeconds(samplesMs.map((ms) => ms / 1000));
  return { label: task.label, n: task.n, targetS: task.targetS, summary, verdict: verdict(summary.medianS, task.targetS) };
}

export async function runInProcessBenchmark(runs: number): Promise<InProcessResult> {
  console.log('\nin-process work (no child process; the CLI calls the same functions)');
  const figures: InProcessFigure[] = [];
  for (const task of TASKS) figures.push(await measureTask(task, runs));
  return { name: 'in-process', figures };
}

export function inProcessTable(result: InProcessResult): string {
  return formatTable(
    [{ header: 'in-process work' }, { header: 'N', align: 'right' }, { header: 'median s', align: 'right' }, { header: 'min s', align: 'right' }, { header: 'max s', align: 'right' }, { header: 'target' }, { header: 'verdict' }],
    result.figures.map((f) => [f.label, String(f.n), seconds(f.summary.medianS), seconds(f.summary.minS), seconds(f.summary.maxS), `< ${f.targetS} s`, f.verdict]),
  );
}
