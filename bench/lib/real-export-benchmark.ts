/**
 * `--only real-export`: Pipeline A (models/ambassadors) built on the real export, `../shared/data/duel_advocates/mixed`
 * (10,000 files, read where they are through `--vars '{ambassadors_root: ...}'`), from an empty database each run:
 * `tsdbt build -s +ambassadors+` on PostgreSQL and on PGlite. The build exits 1 on the export (a not_null test fails
 * for the data's own null task ids, see test/integration/real-export.test.ts); that exit is expected.
 */
import { profilesYml } from '../generate-project.js';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { measure, type Command, type Sample } from './measure.js';
import { toMeasurement, type Measurement } from './measurement.js';
import { REPO_ROOT, WORK_DIR } from './paths.js';
import { LOCAL_PG, skipUnlessReachable, withDatabase, type PgServer, type Skipped } from './postgres.js';
import { tsdbtCommand } from './tsdbt.js';

export const REAL_EXPORT = join(REPO_ROOT, '../shared/data/duel_advocates/mixed');
const SELECT = '+ambassadors+';
const PROFILE = 'real_export';

export interface RealExportResult {
  name: 'real-export';
  export: string;
  select: string;
  pglite: Measurement;
  postgres: Measurement | Skipped;
}

/** The repository's ambassador models, tests, macros and seed entry, in a project of their own. */
function makeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  writeFileSync(join(dir, 'tsdbt_project.yml'), `name: ${PROFILE}\nprofile: ${PROFILE}\n`);
  const seeds = yaml.load(readFileSync(join(REPO_ROOT, 'seeds/seeds.yml'), 'utf8')) as { seeds: { name: string }[] };
  writeFileSync(join(dir, 'seeds/seeds.yml'), yaml.dump({ version: 2, seeds: seeds.seeds.filter((seed) => seed.name === 'ambassadors') }));
  for (const folder of ['models/ambassadors', 'tests/ambassadors', 'macros']) cpSync(join(REPO_ROOT, folder), join(dir, folder), { recursive: true });
}

function buildCommand(dir: string, profilesDir?: string): Command {
  const cmd = tsdbtCommand('build', dir, { profilesDir, select: SELECT });
  return { ...cmd, args: [...cmd.args, '--vars', JSON.stringify({ ambassadors_root: REAL_EXPORT })] };
}

/** One build from nothing; exit 1 (the export's failing test) is accepted. */
function timedBuild(label: string, cmd: Command, before: () => void): Sample {
  before();
  const sample = measure(cmd, [0, 1]);
  console.log(`  ${label}: ${sample.wallS.toFixed(2)} s, ${(sample.peakKb / 1024).toFixed(0)} MB`);
  return sample;
}

export function runRealExportBenchmark(runs: number, server: PgServer = LOCAL_PG): RealExportResult | Skipped {
  if (!existsSync(REAL_EXPORT)) {
    const reason = `${REAL_EXPORT} is missing`;
    console.error(`\n${'!'.repeat(72)}\n!!! SKIPPING the real-export benchmark: ${reason}\n${'!'.repeat(72)}`);
    return { name: 'real-export', skipped: reason };
  }
  const label = `tsdbt build -s ${SELECT} (10,000 files)`;

  const pgliteDir = join(WORK_DIR, 'real-export-pglite');
  makeProject(pgliteDir);
  const pgliteSamples: Sample[] = [];
  for (let round = 1; round <= runs; round++) {
    pgliteSamples.push(
      timedBuild(`pglite ${round}/${runs}`, buildCommand(pgliteDir), () => {
        rmSync(join(pgliteDir, '.tsdbt'), { recursive: true, force: true });
        rmSync(join(pgliteDir, 'target'), { recursive: true, force: true });
      }),
    );
  }
  const pglite = toMeasurement(`${label}, PGlite`, 10_000, pgliteSamples);

  let postgres: Measurement | Skipped;
  const unreachable = skipUnlessReachable(server, 'real-export-postgres', 'the real-export benchmark on PostgreSQL');
  if (unreachable) postgres = unreachable;
  else {
    const pgDir = join(WORK_DIR, 'real-export-postgres');
    makeProject(pgDir);
    const db = `tsdbt_bench_real_export_${process.pid}`;
    writeFileSync(join(pgDir, 'profiles.yml'), profilesYml({ name: PROFILE, host: server.host, port: server.port, user: server.user, dbname: db, schema: 'analytics', threads: 4 }));
    const samples: Sample[] = [];
    for (let round = 1; round <= runs; round++) {
      samples.push(
        withDatabase(server, db, () =>
          timedBuild(`postgres ${round}/${runs}`, buildCommand(pgDir, pgDir), () => rmSync(join(pgDir, 'target'), { recursive: true, force: true })),
        ),
      );
    }
    postgres = toMeasurement(`${label}, PostgreSQL`, 10_000, samples);
  }
  return { name: 'real-export', export: REAL_EXPORT, select: SELECT, pglite, postgres };
}

export function realExportTable(result: RealExportResult): string {
  const row = (m: Measurement | Skipped) =>
    'skipped' in m ? `SKIPPED: ${m.skipped}` : `median ${m.summary.medianS.toFixed(2)} s (min ${m.summary.minS.toFixed(2)}, max ${m.summary.maxS.toFixed(2)}), peak ${m.summary.medianPeakMb.toFixed(0)} MB`;
  return [`Pipeline A on the real export (${result.export}), tsdbt build -s ${result.select}:`, `  PGlite:     ${row(result.pglite)}`, `  PostgreSQL: ${row(result.postgres)}`].join('\n');
}
