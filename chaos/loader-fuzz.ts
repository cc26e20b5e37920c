import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rngFor } from '../scripts/generate-data/prng.js';
import { spawnCli, type CliResult } from '../test/helpers/spawn-cli.js';
import { corrupt, CORRUPTION_KINDS, type Corruption } from './loader-corruptions.js';
import { pgliteDatabase, postgresDatabase, type Query, type TrialDatabase } from './loader-database.js';
import { generateInput, type SeedFormat } from './loader-inputs.js';
import { csvVerdict, jsonRecordsSeen, ndjsonRecordsSeen } from './loader-records.js';

export interface LoaderTrialOptions {
  /** Trial i runs with seed `seed + i`: `{ seed: S, trials: 1 }` replays the trial that reported seed S. */
  seed: number;
  trials: number;
  backend: 'postgres' | 'pglite';
  /** The PostgreSQL server (a database of the run's own is created there and dropped); the local one by default. */
  pgUrl?: string;
  /** Holds the project the trials load (emptied first). */
  workDir: string;
  /** The CLI script to run (the chaos suite's frozen copy); bin/tsdbt.js by default. */
  cli?: string;
  log?: (line: string) => void;
}

export interface LoaderTrialResult {
  trials: number;
  /** Corruptions applied, over all trials. */
  faults: number;
  /** Trials where the CLI crashed or an invariant failed; each has a line in `details`. */
  mismatches: number;
  /** Records seen in a file that are neither a row nor a reject (or, for a valid CSV file, rows not loaded). */
  recordsLost: number;
  details: string[];
}

const SCHEMA = 'chaos_loader';
const FORMATS: readonly SeedFormat[] = ['csv', 'json', 'ndjson'];
/** A load of a few small files and one huge line takes a second; a run still going after this has hung. */
const RUN_TIMEOUT_MS = 120_000;
const CSV_PATH = 'seeds/fuzz_csv.csv';
const SEEDS_FILE = `version: 2
seeds:
  - name: fuzz_json
    config:
      glob: 'fuzz_json/*.json'
  - name: fuzz_ndjson
    config:
      glob: 'fuzz_ndjson/*.ndjson'
`;

/**
 * Seeded trials of `tsdbt seed` (the CLI built from the sources, run as a process) on damaged files. Each trial writes a small valid seed
 * (a CSV file, a folder of one-object JSON files, or a folder of NDJSON files), damages it 1 to 3 ways, loads it and
 * checks, against the records a reader of the damaged files counts (loader-records.ts):
 *  - nothing crashes: the exit code is 0, or 1 with the seed's error; no stack trace;
 *  - JSON and NDJSON: the run succeeds, and per file, rows + rejects = records seen, as tsdbt_meta.seed_files says;
 *  - CSV: a valid file is loaded whole; an invalid one is refused with its file and line, and the table it would
 *    have replaced is unchanged.
 * One project and one database serve all trials: folder seeds get new file names per trial (the old files are
 * removed, their rows stay), and the CSV seed's previous table is the one a refused file must leave alone.
 */
export async function runLoaderTrials(options: LoaderTrialOptions): Promise<LoaderTrialResult> {
  const log = options.log ?? (() => undefined);
  const projectDir = join(options.workDir, 'project');
  rmSync(projectDir, { recursive: true, force: true });
  const database = options.backend === 'postgres' ? await postgresDatabase(options.pgUrl) : pgliteDatabase();
  const result: LoaderTrialResult = { trials: 0, faults: 0, mismatches: 0, recordsLost: 0, details: [] };
  const started = Date.now();
  try {
    writeProject(projectDir, database);
    let csvBefore = ABSENT;
    for (let index = 0; index < options.trials; index++) {
      const trial = await runTrial(options.seed + index, options.cli, projectDir, database, csvBefore);
      result.trials++;
      result.faults += trial.corruptions.length;
      result.recordsLost += trial.lost;
      if (trial.csvAfter !== undefined) csvBefore = trial.csvAfter;
      if (trial.problems.length > 0) {
        result.mismatches++;
        const detail = `seed ${trial.seed} (${trial.format}: ${trial.corruptions.map((c) => `${c.kind}, ${c.description}`).join('; ')}): ${trial.problems.join('; ')}`;
        result.details.push(detail);
        log(`loader trial FAILED: ${detail}`);
      }
    }
  } finally {
    await database.close();
  }
  const seconds = (Date.now() - started) / 1000;
  log(`loader trials on ${options.backend}: ${result.trials} in ${seconds.toFixed(1)} s, ${result.faults} faults, ${result.mismatches} mismatches, ${result.recordsLost} records lost`);
  return result;
}

function writeProject(projectDir: string, database: TrialDatabase): void {
  mkdirSync(join(projectDir, 'seeds/fuzz_json'), { recursive: true });
  mkdirSync(join(projectDir, 'seeds/fuzz_ndjson'), { recursive: true });
  writeFileSync(join(projectDir, 'tsdbt_project.yml'), 'name: chaos_loader\nprofile: chaos\n');
  writeFileSync(join(projectDir, 'profiles.yml'), database.profile(projectDir, SCHEMA));
  writeFileSync(join(projectDir, 'seeds/fuzz_folders.yml'), SEEDS_FILE);
}

interface Trial {
  seed: number;
  format: SeedFormat;
  corruptions: Corruption[];
  problems: string[];
  lost: number;
  /** The CSV table after a CSV trial. */
  csvAfter?: TableFingerprint;
}

async function runTrial(seed: number, cli: string | undefined, projectDir: string, database: TrialDatabase, csvBefore: TableFingerprint): Promise<Trial> {
  const rng = rngFor(seed, 'loader-trial', 0);
  const format = rng.pick(FORMATS);
  const input = generateInput(format, rng);
  const files = [...input.files];
  const corruptions: Corruption[] = [];
  for (let n = rng.int(1, 3); n > 0; n--) {
    const kind = rng.pick(CORRUPTION_KINDS);
    const target = rng.int(0, files.length - 1);
    const damaged = corrupt(kind, files[target]!, rng, input.hugeRecord);
    files[target] = damaged.bytes;
    corruptions.push({ kind, description: `file ${target}: ${damaged.description}` });
  }
  const paths = format === 'csv' ? [CSV_PATH] : files.map((_, k) => `seeds/fuzz_${format}/t${seed}_${k}.${format}`);
  if (format !== 'csv') {
    const folder = join(projectDir, `seeds/fuzz_${format}`);
    for (const name of readdirSync(folder)) rmSync(join(folder, name));
  }
  paths.forEach((path, k) => writeFileSync(join(projectDir, path), files[k]!));

  const run = await spawnCli(['seed', '-s', `fuzz_${format}`, '--project-dir', projectDir, '--profiles-dir', projectDir], { cli, killAfterMs: RUN_TIMEOUT_MS });
  const problems = crashProblems(run);
  const trial: Trial = { seed, format, corruptions, problems, lost: 0 };
  await database.inspect(async (query) => {
    if (format === 'csv') {
      const check = await checkCsv(query, files[0]!, run, csvBefore);
      problems.push(...check.problems);
      trial.lost = check.lost;
      trial.csvAfter = check.after;
    } else {
      if (run.code !== 0) problems.push(`exit code ${run.code}: ${run.stderr.trim()}`);
      const seen = files.map((bytes) => (format === 'json' ? jsonRecordsSeen(bytes) : ndjsonRecordsSeen(bytes)));
      const check = await checkJson(query, `fuzz_${format}`, paths, seen);
      problems.push(...check.problems);
      trial.lost = check.lost;
    }
  });
  return trial;
}

/** A stack frame line, as Node prints an uncaught error: what a user must never see from a bad input. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function crashProblems(run: CliResult): string[] {
  const problems: string[] = [];
  // spawnCli reports a death by signal as 128 (and a failure to start as -1).
  if (run.code < 0 || run.code > 2) problems.push(`crashed (exit ${run.code})`);
  if (STACK_FRAME.test(run.stdout) || STACK_FRAME.test(run.stderr)) problems.push(`stack trace in the output: ${run.stderr.slice(0, 500)}`);
  return problems;
}

async function tableExists(query: Query, table: string): Promise<boolean> {
  const [row] = await query<{ found: boolean }>('select to_regclass($1) is not null as found', [`${SCHEMA}.${table}`]);
  return row!.found;
}

/** Per file: rows, rejects and the state table's two counts must add up to the records seen. */
async function checkJson(query: Query, seed: string, paths: string[], seen: number[]): Promise<{ problems: string[]; lost: number }> {
  const counts = async (table: string) => {
    if (!(await tableExists(query, table))) return new Map<string, number>();
    const rows = await query<{ file: string; n: number }>(`select _file as file, count(*)::int as n from ${SCHEMA}.${table} where _file = any($1) group by _file`, [paths]);
    return new Map(rows.map((row) => [row.file, row.n]));
  };
  const loaded = await counts(seed);
  const rejected = await counts(`${seed}__rejects`);
  const state = new Map(
    (await query<{ path: string; records: number; rejects: number }>('select path, records, rejects from tsdbt_meta.seed_files where relation = $1 and path = any($2)', [
      `"${SCHEMA}"."${seed}"`,
      paths,
    ])).map((row) => [row.path, row]),
  );
  const problems: string[] = [];
  let lost = 0;
  paths.forEach((path, k) => {
    const rows = loaded.get(path) ?? 0;
    const rejects = rejected.get(path) ?? 0;
    const expected = seen[k]!;
    lost += Math.max(0, expected - rows - rejects);
    if (rows + rejects !== expected) problems.push(`${path}: ${expected} records seen, ${rows} loaded + ${rejects} rejected`);
    const recorded = state.get(path);
    if (recorded?.records !== rows || recorded.rejects !== rejects) {
      problems.push(`${path}: seed_files says ${recorded ? `${recorded.records} + ${recorded.rejects}` : 'nothing'}, the tables ${rows} + ${rejects}`);
    }
  });
  return { problems, lost };
}

/** The CSV table's columns and content, to tell whether a refused load left it alone. */
interface TableFingerprint {
  rows: number;
  digest: string;
}

const ABSENT: TableFingerprint = { rows: 0, digest: 'absent' };

async function fingerprint(query: Query): Promise<TableFingerprint> {
  if (!(await tableExists(query, 'fuzz_csv'))) return ABSENT;
  const [columns] = await query<{ list: string }>(
    "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) as list from information_schema.columns where table_schema = $1 and table_name = 'fuzz_csv'",
    [SCHEMA],
  );
  const [content] = await query<{ rows: number; digest: string }>(
    `select count(*)::int as rows, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as digest from ${SCHEMA}.fuzz_csv t`,
  );
  return { rows: content!.rows, digest: `${columns!.list}: ${content!.digest}` };
}

const CSV_LOCATION = new RegExp(`${CSV_PATH.replace('.', '\\.')}:\\d+: `);

async function checkCsv(query: Query, bytes: Buffer, run: CliResult, before: TableFingerprint): Promise<{ problems: string[]; lost: number; after: TableFingerprint }> {
  const verdict = csvVerdict(bytes);
  const after = await fingerprint(query);
  const problems: string[] = [];
  let lost = 0;
  if (verdict.valid) {
    if (run.code !== 0) problems.push(`a valid file was refused (exit ${run.code}): ${run.stderr.trim().slice(0, 500)}`);
    if (after.rows !== verdict.rows) problems.push(`${verdict.rows} rows in the file, ${after.rows} in the table`);
    lost = Math.max(0, verdict.rows - after.rows);
  } else {
    if (run.code !== 1) problems.push(`an invalid file (${verdict.why}) was not refused (exit ${run.code})`);
    else if (!CSV_LOCATION.test(run.stderr)) problems.push(`the refusal does not name ${CSV_PATH} and a line: ${run.stderr.trim().slice(0, 500)}`);
    if (after.digest !== before.digest) problems.push(`the refused file changed the table (${before.rows} rows before, ${after.rows} after)`);
  }
  return { problems, lost, after };
}
