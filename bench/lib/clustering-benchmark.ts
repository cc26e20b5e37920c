/**
 * `--only clustering` (issue 8, pipeline D): `tsdbt run -s activity_clusters` on PostgreSQL over 2,100,000 generated
 * BlueSky posts (the real data set's size); target < 10 s. The posts are written once by the generator's
 * `writeBluesky` into `bench/.work/clustering/project/seeds/bluesky/` and reused while `inputs.json` beside them names
 * the same count and seed. Each bench run uses a fresh database (dropped at the end) where the posts are seeded and
 * `bluesky_posts` (the silver table the model reads) built untimed; then the model alone is timed.
 */
import { profilesYml } from '../generate-project.js';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBluesky, type BlueskyCounts } from '../../scripts/generate-data/bluesky.js';
import { measure, runChecked, type Sample } from './measure.js';
import { toMeasurement, type Measurement } from './measurement.js';
import { REPO_ROOT, WORK_DIR } from './paths.js';
import { LOCAL_PG, execSql, expectRowCount, queryValue, skipUnlessReachable, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { formatTable, megabytes, seconds } from './table.js';
import { CLUSTERING_TARGET_S } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

const GENERATOR_SEED = 1;
const PROFILE = 'tsdbt_examples';
const MODEL = 'activity_clusters';
/** The repository's files the pipeline needs (copied fresh on every bench run, so edits are picked up). */
const PROJECT_FILES = ['tsdbt_project.yml', 'macros', 'models/bluesky', 'seeds/bluesky.yml', 'seeds/lookups'];

export interface ClusteringResult {
  name: 'clustering';
  posts: number;
  database: string;
  inputs: { generatedNow: boolean; generateS?: number; sizeMb: number; counts: BlueskyCounts };
  /** Untimed preparation, once, for the record: `tsdbt seed` and `tsdbt run -s bluesky_posts`. */
  prepare: { seedS: number; silverS: number };
  /** `tsdbt run -s activity_clusters`: the whole process, as every figure here. */
  run: Measurement;
  /** The node's own execution_time from run_results.json, per run (the process less Node's start, parse, connect). */
  nodeS: number[];
  clusters: number;
}

function readInputs(path: string): { posts: number; seed: number; counts: BlueskyCounts } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { posts: number; seed: number; counts: BlueskyCounts };
  } catch {
    return undefined;
  }
}

/** The posts under `<project>/seeds/bluesky/`, generated unless the previous run's are there for the same count. */
function ensureInputs(work: string, seedsDir: string, posts: number): ClusteringResult['inputs'] {
  const record = join(work, 'inputs.json');
  const previous = readInputs(record);
  let generatedNow = false;
  let generateS: number | undefined;
  let counts: BlueskyCounts;
  if (previous?.posts === posts && previous.seed === GENERATOR_SEED && existsSync(join(seedsDir, 'bluesky'))) {
    console.log(`  reusing the ${posts} posts generated before (${record})`);
    counts = previous.counts;
  } else {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(seedsDir, { recursive: true });
    console.log(`  generating ${posts} posts: writeBluesky(${GENERATOR_SEED}, ${posts}, ${join(seedsDir, 'bluesky')})`);
    const start = process.hrtime.bigint();
    counts = writeBluesky(GENERATOR_SEED, posts, join(seedsDir, 'bluesky'));
    generateS = Number(process.hrtime.bigint() - start) / 1e9;
    generatedNow = true;
    writeFileSync(record, `${JSON.stringify({ posts, seed: GENERATOR_SEED, counts }, null, 2)}\n`);
    console.log(`  generated in ${seconds(generateS)} s`);
  }
  const sizeMb = Number(runChecked({ command: 'du', args: ['-sk', join(seedsDir, 'bluesky')] }).split(/\s+/)[0]) / 1024;
  return { generatedNow, generateS, sizeMb, counts };
}

function writeProject(projectDir: string, server: PgServer, db: string): void {
  for (const entry of PROJECT_FILES) {
    const target = join(projectDir, entry);
    rmSync(target, { recursive: true, force: true });
    cpSync(join(REPO_ROOT, entry), target, { recursive: true });
  }
  writeFileSync(join(projectDir, 'profiles.yml'), profilesYml({ name: PROFILE, host: server.host, port: server.port, user: server.user, dbname: db, schema: 'public', threads: 1 }));
}

/** The execution_time run_results.json gives `model`'s node. */
function nodeSeconds(projectDir: string, model: string): number {
  const file = JSON.parse(readFileSync(join(projectDir, 'target', 'run_results.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string; execution_time: number }> };
  const node = file.results.find((r) => r.unique_id === `model.${PROFILE}.${model}`);
  if (node?.status !== 'success') throw new Error(`${model}: no successful node in run_results.json (${node?.status ?? 'absent'})`);
  return node.execution_time;
}

export function runClusteringBenchmark(posts: number, runs: number, server: PgServer = LOCAL_PG): ClusteringResult | Skipped {
  const name = 'clustering';
  const skipped = skipUnlessReachable(server, name, 'the clustering benchmark');
  if (skipped) return skipped;
  const work = join(WORK_DIR, name);
  const projectDir = join(work, 'project');
  const db = `tsdbt_bench_clustering_${process.pid}`;
  console.log(`\nclustering (pipeline D) on ${posts} posts, PostgreSQL: ${projectDir}; database ${db}`);
  const inputs = ensureInputs(work, join(projectDir, 'seeds'), posts);
  const valid = inputs.counts.created_at.utc_z + inputs.counts.created_at.offset;
  writeProject(projectDir, server, db);
  const cli = (command: 'seed' | 'run', select: string) => tsdbtCommand(command, projectDir, { profilesDir: projectDir, select });

  return withDatabase(server, db, () => {
    const seed = measure(cli('seed', 'resource_type:seed'));
    expectRowCount(server, db, 'raw.bluesky_posts_raw', inputs.counts.posts);
    console.log(`  untimed: tsdbt seed ${seconds(seed.wallS)} s`);
    const silver = measure(cli('run', 'bluesky_posts'));
    expectRowCount(server, db, 'public.bluesky_posts', inputs.counts.posts);
    console.log(`  untimed: tsdbt run -s bluesky_posts ${seconds(silver.wallS)} s`);
    // As a scheduled run would find it: statistics gathered, nothing dirty waiting for a checkpoint.
    execSql(server, db, 'vacuum analyze public.bluesky_posts');
    execSql(server, db, 'checkpoint');

    const samples: Sample[] = [];
    const nodeS: number[] = [];
    for (let round = 1; round <= runs; round++) {
      rmSync(join(projectDir, 'target'), { recursive: true, force: true });
      const sample = measure(cli('run', MODEL));
      samples.push(sample);
      nodeS.push(nodeSeconds(projectDir, MODEL));
      console.log(`  tsdbt run -s ${MODEL} ${round}/${runs}: ${seconds(sample.wallS)} s (node ${seconds(nodeS.at(-1)!)} s), ${megabytes(sample.peakKb / 1024)} MB`);
      // Every post with a valid created_at is in exactly one cluster.
      const clustered = Number(queryValue(server, db, 'select sum(post_count) from analysis.activity_clusters'));
      if (clustered !== valid) throw new Error(`activity_clusters holds ${clustered} posts, expected ${valid}`);
    }
    return {
      name,
      posts,
      database: db,
      inputs,
      prepare: { seedS: seed.wallS, silverS: silver.wallS },
      run: toMeasurement(`tsdbt run -s ${MODEL}`, posts, samples, CLUSTERING_TARGET_S),
      nodeS,
      clusters: Number(queryValue(server, db, 'select count(*) from analysis.activity_clusters')),
    };
  });
}

export function clusteringTable(result: ClusteringResult): string {
  const m = result.run;
  const sortedNode = [...result.nodeS].sort((a, b) => a - b);
  const nodeMedian = sortedNode[Math.floor(sortedNode.length / 2)] ?? NaN;
  const table = formatTable(
    [
      { header: `clustering, ${result.posts} posts (${megabytes(result.inputs.sizeMb)} MB), PostgreSQL` },
      { header: 'median s', align: 'right' },
      { header: 'min s', align: 'right' },
      { header: 'max s', align: 'right' },
      { header: 'node s', align: 'right' },
      { header: 'peak MB', align: 'right' },
      { header: 'target s', align: 'right' },
      { header: 'verdict' },
    ],
    [[m.label, seconds(m.summary.medianS), seconds(m.summary.minS), seconds(m.summary.maxS), seconds(nodeMedian), megabytes(m.summary.medianPeakMb), String(m.targetS), m.verdict]],
  );
  return `${table}\nuntimed before it: tsdbt seed ${seconds(result.prepare.seedS)} s, tsdbt run -s bluesky_posts ${seconds(result.prepare.silverS)} s; ${result.clusters} clusters`;
}
