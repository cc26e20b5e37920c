/**
 * The example project (its four pipelines, from the committed samples) built with `tsdbt build --threads 4` on a Citus
 * cluster and on one PostgreSQL server, each on a fresh database per run; after each pair of builds every relation of
 * the project's schemas is compared (columns, types, rows in any order). The claim is correctness, not speed: on a
 * machine of a few cores, a cluster on loopback only adds work. The coordinator is TSDBT_BENCH_CITUS_URL, else
 * TSDBT_TEST_CITUS_URL; without one the benchmark does not run, and says so in one line.
 */
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createCitusDatabase, dropCitusDatabase, inDatabase } from '../../test/helpers/citus-database.js';
import { copyExampleProject, EXAMPLE_RUN_TIME_COLUMNS, EXAMPLE_SCHEMAS } from '../../test/helpers/example-files.js';
import { differingRelations, snapshotRelations } from '../../test/helpers/relation-snapshot.js';
import { profilesYml } from '../generate-project.js';
import { measure, type Sample } from './measure.js';
import { toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { createDatabase, dropDatabase, isReachable, LOCAL_PG, type PgServer, type Skipped } from './postgres.js';
import { formatTable, megabytes, seconds } from './table.js';
import { tsdbtCommand } from './tsdbt.js';

const NAME = 'citus-example';
const THREADS = 4;
const PROFILE = 'tsdbt_examples';

export interface CitusExampleResult {
  name: string;
  /** The coordinator, without its password. */
  coordinator: string;
  singleNode: Measurement;
  citus: Measurement;
  /** Relations compared after each pair of builds. */
  relations: number;
  /** Relations that differed between the two builds of any run: empty when Citus gave the one-node answers. */
  differing: string[];
  /** Tables by Citus table type after the last build (distributed, reference). */
  citusTables: Record<string, number>;
}

/** The coordinator's URL, or why there is none. */
function coordinatorUrl(): string | Skipped {
  const url = process.env.TSDBT_BENCH_CITUS_URL ?? process.env.TSDBT_TEST_CITUS_URL;
  if (!url) return { name: NAME, skipped: 'no Citus coordinator (set TSDBT_BENCH_CITUS_URL or TSDBT_TEST_CITUS_URL)' };
  const { hostname, port } = new URL(url);
  if (!isReachable({ host: hostname, port: Number(port || 5432), user: '' })) return { name: NAME, skipped: `Citus is not reachable at ${hostname}:${port || 5432}` };
  if (!isReachable(LOCAL_PG)) return { name: NAME, skipped: `PostgreSQL is not reachable at ${LOCAL_PG.host}:${LOCAL_PG.port}` };
  return url;
}

async function citusTableTypes(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ type: string; n: number }>('select citus_table_type as type, count(*)::int as n from citus_tables group by 1 order by 1');
    return Object.fromEntries(rows.map(({ type, n }) => [type, n]));
  } finally {
    await client.end();
  }
}

export async function runCitusExampleBenchmark(runs: number): Promise<CitusExampleResult | Skipped> {
  const coordinator = coordinatorUrl();
  if (typeof coordinator !== 'string') return coordinator;
  const citusServer = new URL(coordinator);
  const citusPg: PgServer = { host: citusServer.hostname, port: Number(citusServer.port || 5432), user: decodeURIComponent(citusServer.username) || 'postgres' };
  const projectDir = join(WORK_DIR, NAME);
  rmSync(projectDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  copyExampleProject(projectDir, PROFILE);
  const db = `tsdbt_bench_citus_${process.pid}`;
  console.log(`\nexample project on Citus (${citusPg.host}:${citusPg.port}) and on one PostgreSQL: ${projectDir}; database ${db}`);

  const build = (server: PgServer, type: 'postgres' | 'citus', label: string): Sample => {
    writeFileSync(join(projectDir, 'profiles.yml'), profilesYml({ name: PROFILE, type, host: server.host, port: server.port, user: server.user, dbname: db, schema: 'public', threads: THREADS }));
    rmSync(join(projectDir, 'target'), { recursive: true, force: true });
    const sample = measure(tsdbtCommand('build', projectDir, { profilesDir: projectDir, threads: THREADS }));
    console.log(`  ${label}: ${seconds(sample.wallS)} s, ${megabytes(sample.peakKb / 1024)} MB`);
    return sample;
  };

  const single: Sample[] = [];
  const citus: Sample[] = [];
  const differing = new Set<string>();
  let relations = 0;
  let citusTables: Record<string, number> = {};
  for (let round = 1; round <= runs; round++) {
    createDatabase(LOCAL_PG, db);
    const workers = await createCitusDatabase(coordinator, db);
    try {
      single.push(build(LOCAL_PG, 'postgres', `one node ${round}/${runs}`));
      citus.push(build(citusPg, 'citus', `Citus ${round}/${runs}`));
      const [onOne, onCitus] = await Promise.all(
        [inDatabase(`postgres://${LOCAL_PG.user}@${LOCAL_PG.host}:${LOCAL_PG.port}/`, db), inDatabase(coordinator, db)].map((url) => snapshotRelations(url, EXAMPLE_SCHEMAS, EXAMPLE_RUN_TIME_COLUMNS)),
      );
      const different = differingRelations(onOne!, onCitus!);
      relations = Object.keys(onOne!).length;
      for (const name of different) differing.add(name);
      console.log(`    ${relations} relations compared: ${different.length === 0 ? 'all equal' : `NOT EQUAL: ${different.join(', ')}`}`);
      citusTables = await citusTableTypes(inDatabase(coordinator, db));
    } finally {
      dropDatabase(LOCAL_PG, db);
      await dropCitusDatabase(coordinator, db, workers);
    }
  }
  return {
    name: NAME,
    coordinator: `${citusPg.host}:${citusPg.port}`,
    singleNode: toMeasurement(`tsdbt build --threads ${THREADS}, one PostgreSQL`, runs, single),
    citus: toMeasurement(`tsdbt build --threads ${THREADS}, Citus (${citusPg.host}:${citusPg.port})`, runs, citus),
    relations,
    differing: [...differing].sort(),
    citusTables,
  };
}

export function citusExampleTable(result: CitusExampleResult): string {
  const rows = [result.singleNode, result.citus].map((m) => [m.label, seconds(m.summary.medianS), seconds(m.summary.minS), seconds(m.summary.maxS), megabytes(m.summary.medianPeakMb)]);
  const table = formatTable(
    [{ header: 'example project (committed samples)' }, { header: 'median s', align: 'right' }, { header: 'min s', align: 'right' }, { header: 'max s', align: 'right' }, { header: 'peak MB', align: 'right' }],
    rows,
  );
  const tables = Object.entries(result.citusTables).map(([type, n]) => `${n} ${type}`).join(', ');
  const verdict = result.differing.length === 0 ? `equal on both: all ${result.relations} relations` : `NOT EQUAL: ${result.differing.join(', ')}`;
  return `${table}\n${verdict}; Citus tables: ${tables}`;
}

/** A correctness claim: Citus's build must give the one-node answers. */
export function citusExampleMissed(result: CitusExampleResult): string[] {
  return result.differing.length === 0 ? [] : [`example on Citus differs from one node: ${result.differing.join(', ')}`];
}
