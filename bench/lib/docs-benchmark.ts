/**
 * `tsdbt docs generate` of a generated 5,000-model project (15,000 data tests) on PostgreSQL after the project was
 * built (every model a view, so the catalog holds them all), and the site it writes opened in headless Chromium
 * (Debian's, through playwright-core) at a focused lineage view. Targets: generate < 10 s, focused view < 2 s.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_PATH, launchBrowser, measureDocsLoad } from '../../test/helpers/browser.js';
import { generateProject, TESTS_PER_MODEL } from '../generate-project.js';
import { runChecked } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { createRawEvents, LOCAL_PG, skipUnlessReachable, withDatabaseAsync, type PgServer, type Skipped } from './postgres.js';
import { summarizeSeconds, type Summary } from './stats.js';
import { formatTable, megabytes, seconds } from './table.js';
import { DOCS_TARGETS, verdict, type Verdict } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

const THREADS = 4;
const TARGET_SCHEMA = 'bench';

export interface DocsBrowserFigures {
  select: string;
  /** From navigation start until the data is loaded and indexed. */
  load: Summary;
  /** From navigation start until the focused lineage view is drawn. */
  focused: Summary;
  targetS: number;
  verdict: Verdict;
}

export interface DocsResult {
  name: string;
  models: number;
  tests: number;
  database: string;
  generate: Measurement;
  dataMb: number;
  browser: DocsBrowserFigures | { skipped: string };
}

/** Browser timings, in milliseconds, as a Summary of seconds (the page is not a child process). */
function timings(values: number[]): Summary {
  return summarizeSeconds(values.map((ms) => ms / 1000));
}

async function measureBrowser(docsDir: string, select: string, runs: number): Promise<DocsBrowserFigures | { skipped: string }> {
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `${CHROMIUM_PATH} is missing (apt-get install -y chromium)` };
  const browser = await launchBrowser();
  try {
    // One untimed opening first: Chromium's own start-up and first-use caches are not the site's.
    await measureDocsLoad(docsDir, select, browser);
    const samples: Array<{ loadMs: number; focusedMs: number }> = [];
    for (let round = 1; round <= runs; round++) {
      const sample = await measureDocsLoad(docsDir, select, browser);
      console.log(`  site at ${select} ${round}/${runs}: data loaded ${Math.round(sample.loadMs)} ms, focused view drawn ${Math.round(sample.focusedMs)} ms`);
      samples.push(sample);
    }
    const focused = timings(samples.map((s) => s.focusedMs));
    return { select, load: timings(samples.map((s) => s.loadMs)), focused, targetS: DOCS_TARGETS.focusedViewS, verdict: verdict(focused.medianS, DOCS_TARGETS.focusedViewS) };
  } finally {
    await browser.close();
  }
}

export async function runDocsBenchmark(models: number, runs: number, server: PgServer = LOCAL_PG): Promise<DocsResult | Skipped> {
  const name = `docs-${models}`;
  const skipped = skipUnlessReachable(server, name, 'the docs benchmark');
  if (skipped) return skipped;
  const projectDir = join(WORK_DIR, name);
  const db = `tsdbt_bench_docs_${process.pid}`;
  rmSync(projectDir, { recursive: true, force: true });
  generateProject(projectDir, { models, tests: true, profile: { dbname: db, host: server.host, port: server.port, user: server.user, schema: TARGET_SCHEMA, threads: THREADS } });
  console.log(`\ndocs generate of ${models} models (${models * TESTS_PER_MODEL} tests) on PostgreSQL: ${projectDir}; database ${db}`);
  return withDatabaseAsync(server, db, async () => {
    createRawEvents(server, db, 1000);
    console.log(`  tsdbt run --threads ${THREADS} (untimed: the views the catalog then reads)`);
    runChecked(tsdbtCommand('run', projectDir, { profilesDir: projectDir, threads: THREADS }));
    const [generate] = measureTasks([{ label: 'tsdbt docs generate', cmd: tsdbtCommand('docs generate', projectDir, { profilesDir: projectDir }) }], runs);
    const docsDir = join(projectDir, 'target', 'docs');
    const dataMb = statSync(join(docsDir, 'data.js')).size / 1024 / 1024;
    // The middle of the project: a model with parents and children, two levels each way.
    const select = `2+m_${Math.ceil(models / 2)}+2`;
    return {
      name,
      models,
      tests: models * TESTS_PER_MODEL,
      database: db,
      generate: toMeasurement('tsdbt docs generate', models, generate!, DOCS_TARGETS.generateS),
      dataMb,
      browser: await measureBrowser(docsDir, select, runs),
    };
  });
}

export function docsTable(result: DocsResult): string {
  const rows: string[][] = [[result.generate.label, seconds(result.generate.summary.medianS), seconds(result.generate.summary.minS), seconds(result.generate.summary.maxS), megabytes(result.generate.summary.medianPeakMb), `< ${result.generate.targetS} s`, result.generate.verdict]];
  if ('select' in result.browser) {
    const b = result.browser;
    rows.push([`site: data loaded and indexed (Chromium, file://)`, seconds(b.load.medianS), seconds(b.load.minS), seconds(b.load.maxS), '', '', '-']);
    rows.push([`site: focused view ${b.select} drawn`, seconds(b.focused.medianS), seconds(b.focused.minS), seconds(b.focused.maxS), '', `< ${b.targetS} s`, b.verdict]);
  }
  const table = formatTable(
    [{ header: `docs, ${result.models} models / ${result.tests} tests (data.js ${result.dataMb.toFixed(1)} MB), PostgreSQL` }, { header: 'median s', align: 'right' }, { header: 'min s', align: 'right' }, { header: 'max s', align: 'right' }, { header: 'peak MB', align: 'right' }, { header: 'target' }, { header: 'verdict' }],
    rows,
  );
  return 'skipped' in result.browser ? `${table}\n!!! the browser figures were SKIPPED: ${result.browser.skipped}` : table;
}
