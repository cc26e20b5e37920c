/** The printed tables: one row per measurement plus reference rows, the run-vs-psql comparison and the seed loads. */
import type { BuildStartResult } from './build-start-benchmark.js';
import type { ClusteringResult } from './clustering-benchmark.js';
import type { CompileResult } from './compile-benchmark.js';
import type { IncrementalFigure, IncrementalResult } from './incremental-benchmark.js';
import type { Measurement } from './measurement.js';
import type { RunResult } from './run-benchmark.js';
import { overheadMsPerModel } from './run-benchmark.js';
import type { SeedFigure, SeedResult } from './seed-benchmark.js';
import type { SessionsResult } from './sessions-benchmark.js';
import type { DocsResult } from './docs-benchmark.js';
import type { InProcessResult } from './in-process-benchmark.js';
import { formatTable, megabytes, seconds, type Column } from './table.js';
import { COMPILE_REFERENCES, RUN_REFERENCE } from './targets.js';

const MAIN_COLUMNS: Column[] = [
  { header: 'benchmark' },
  { header: 'N', align: 'right' },
  { header: 'median s', align: 'right' },
  { header: 'min s', align: 'right' },
  { header: 'max s', align: 'right' },
  { header: 'peak MB', align: 'right' },
  { header: 'target' },
  { header: 'verdict' },
];

function measurementRow(m: Measurement): string[] {
  const s = m.summary;
  const target = m.targetS === undefined ? '-' : `< ${m.targetS} s`;
  return [m.label, String(m.n), seconds(s.medianS), seconds(s.minS), seconds(s.maxS), megabytes(s.medianPeakMb), target, m.verdict];
}

function referenceRow(benchmark: string, n: number, medianS: number): string[] {
  return [benchmark, String(n), seconds(medianS), '', '', '', '', 'reference'];
}

export function mainTable(compile: readonly CompileResult[], run: RunResult | undefined): string {
  const rows = [
    ...compile.flatMap((c) => [
      measurementRow(c.cold),
      measurementRow(c.filesFloor),
      ...(c.coldInMemory ? [measurementRow(c.coldInMemory)] : []),
      measurementRow(c.warm),
      measurementRow(c.ls),
      measurementRow(c.lsUncached),
    ]),
    ...COMPILE_REFERENCES.map((r) => referenceRow(r.benchmark, r.n, r.seconds)),
    ...(run ? [measurementRow(run.tsdbt), measurementRow(run.psql)] : []),
    referenceRow(`${RUN_REFERENCE.tool} (views)`, RUN_REFERENCE.n, RUN_REFERENCE.toolS),
    referenceRow('ref: psql, same SQL', RUN_REFERENCE.n, RUN_REFERENCE.psqlS),
  ];
  return formatTable(MAIN_COLUMNS, rows);
}

const RUN_COLUMNS: Column[] = [
  { header: 'run vs psql' },
  { header: 'N', align: 'right' },
  { header: 'tool median s', align: 'right' },
  { header: 'psql median s', align: 'right' },
  { header: 'ratio', align: 'right' },
  { header: 'overhead ms/model', align: 'right' },
  { header: 'target' },
  { header: 'verdict' },
];

function comparisonRow(label: string, n: number, toolS: number, psqlS: number, target: string, verdict: string): string[] {
  const overhead = overheadMsPerModel(toolS, psqlS, n);
  return [label, String(n), seconds(toolS), seconds(psqlS), `${(toolS / psqlS).toFixed(1)}x`, overhead.toFixed(2), target, verdict];
}

export function runTable(run: RunResult | undefined): string {
  const rows = [
    ...(run
      ? [comparisonRow('tsdbt run --threads 4', run.n, run.tsdbt.summary.medianS, run.psql.summary.medianS, `< ${run.overheadTargetMs} ms`, run.verdict)]
      : []),
    comparisonRow(RUN_REFERENCE.tool, RUN_REFERENCE.n, RUN_REFERENCE.toolS, RUN_REFERENCE.psqlS, '', 'reference'),
  ];
  return formatTable(RUN_COLUMNS, rows);
}

const SEED_COLUMNS: Column[] = [
  { header: 'seed' },
  { header: 'tsdbt median s', align: 'right' },
  { header: 'psql median s', align: 'right' },
  { header: 'ratio', align: 'right' },
  { header: 'target' },
  { header: 'verdict' },
  { header: 'peak MB', align: 'right' },
];

function seedTarget(f: SeedFigure): string {
  if (f.targetRatio !== undefined) return `< ${f.targetRatio}x`;
  return f.tsdbt.targetS === undefined ? '-' : `< ${f.tsdbt.targetS} s`;
}

function seedRow(f: SeedFigure): string[] {
  return [
    f.label,
    seconds(f.tsdbt.summary.medianS),
    f.psql ? seconds(f.psql.summary.medianS) : '-',
    f.ratio === undefined ? '-' : `${f.ratio.toFixed(2)}x`,
    seedTarget(f),
    f.verdict,
    megabytes(f.tsdbt.summary.medianPeakMb),
  ];
}

/** One row per seed figure; peak MB is tsdbt's (the client process; the server's memory is not counted). */
export function seedTable(seed: readonly SeedResult[]): string {
  return formatTable(SEED_COLUMNS, seed.flatMap((r) => r.figures.map(seedRow)));
}

const INCREMENTAL_COLUMNS: Column[] = [
  { header: 'incremental' },
  { header: 'median s', align: 'right' },
  { header: 'baseline median s', align: 'right' },
  { header: 'ratio', align: 'right' },
  { header: 'target' },
  { header: 'verdict' },
];

function incrementalRow(f: IncrementalFigure): string[] {
  const value = f.kind === 'ratio' ? `${(f.value * 100).toFixed(1)}%` : `${f.value.toFixed(2)}x`;
  let target = '-';
  if (f.target !== undefined) target = f.kind === 'ratio' ? `<= ${f.target * 100}%` : `>= ${f.target}x`;
  return [f.label, seconds(f.measured.summary.medianS), seconds(f.baseline.summary.medianS), value, target, f.verdict];
}

/**
 * Every measurement once (median, min, max, the client's peak MB), then each figure: a measurement against its
 * baseline, judged when it has a target, context (verdict '-') when not.
 */
export function incrementalTables(result: IncrementalResult): string {
  const measurements = [...new Set(result.figures.flatMap((f) => [f.baseline, f.measured]))];
  return `${formatTable(MAIN_COLUMNS, measurements.map(measurementRow))}\n\n${formatTable(INCREMENTAL_COLUMNS, result.figures.map(incrementalRow))}`;
}

/** The build-start figures, warm then cold; peak MB is tsdbt's RSS when its first node was reported. */
export function buildStartTable(result: BuildStartResult): string {
  const rows = [result.connected, result.firstNodeStarts, result.firstNodeReported, result.cold.firstNodeStarts].map(measurementRow);
  return `${result.n} models, ${result.tests} data tests, tsdbt build --threads 4 on PostgreSQL\n${formatTable(MAIN_COLUMNS, rows)}`;
}

/** Labels of every measurement or comparison that missed its target. */
export function missedTargets(
  compile: readonly CompileResult[],
  run: RunResult | undefined,
  seed: readonly SeedResult[] = [],
  incremental?: IncrementalResult,
  buildStart?: BuildStartResult,
  clustering?: ClusteringResult,
  sessions?: SessionsResult,
  docs?: DocsResult,
  inProcess?: InProcessResult,
): string[] {
  const measurements = [
    ...compile.flatMap((c) => [c.cold, c.warm, c.ls]),
    ...(buildStart ? [buildStart.firstNodeStarts, buildStart.cold.firstNodeStarts] : []),
    ...(clustering ? [clustering.run] : []),
    ...(docs ? [docs.generate] : []),
  ];
  const missed = measurements.filter((m) => m.verdict === 'MISSED').map((m) => `${m.label} N=${m.n}`);
  if (run?.verdict === 'MISSED') missed.push(`run overhead N=${run.n}`);
  for (const f of seed.flatMap((r) => r.figures)) if (f.verdict === 'MISSED') missed.push(f.label);
  if (incremental) for (const f of incremental.figures) if (f.verdict === 'MISSED') missed.push(`${f.label} N=${incremental.n}`);
  if (sessions?.verdict === 'MISSED') missed.push(`sessions daily run / full refresh N=${sessions.scale}`);
  if (docs && 'verdict' in docs.browser && docs.browser.verdict === 'MISSED') missed.push(`docs site focused view N=${docs.models}`);
  if (inProcess) for (const f of inProcess.figures) if (f.verdict === 'MISSED') missed.push(`${f.label} N=${f.n}`);
  return missed;
}
