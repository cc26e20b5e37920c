/**
 * The psql baseline of the microbatch backfill: the statements tsdbt ran for each daily batch, one psql script per
 * batch (`begin; <sql_header>; delete <day>; insert <day>; commit;`), run by 1 or by N psql sessions at a time. What
 * PostgreSQL itself achieves with the same work in parallel, without tsdbt in between.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './measure.js';
import { psqlCommand, queryValue, sqlLiteral, type PgServer } from './postgres.js';

export interface BackfillBaselineOptions {
  /** The tsdbt project that ran the backfill: its target/ holds the compiled batches and the statements run. */
  projectDir: string;
  projectName: string;
  schema: string;
  model: string;
  /** The model's event_time column. */
  eventTime: string;
  /** The model's sql_header (without the semicolon), repeated in each batch's transaction as tsdbt runs it. */
  sqlHeader: string;
  /** First day of the backfill (YYYY-MM-DD) and its number of daily batches. */
  start: string;
  days: number;
}

export interface BackfillScripts {
  dir: string;
  /** One script per batch, in batch order. */
  files: string[];
  /** The scripts' paths, one a line: the argument file of the runner. */
  listFile: string;
}

interface Batch {
  /** `YYYY-MM-DDTHH`, as in the compiled file's name. */
  stamp: string;
  /** The batch's [from, to) as tsdbt's literals: `YYYY-MM-DD HH:MM:SS+00`. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

function dayAfter(start: string, days: number): string {
  return new Date(Date.parse(`${start}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function dailyBatches(start: string, days: number): Batch[] {
  return Array.from({ length: days }, (_, i) => {
    const day = dayAfter(start, i);
    return { stamp: `${day}T00`, from: `${day} 00:00:00+00`, to: `${dayAfter(start, i + 1)} 00:00:00+00` };
  });
}

/** The target's columns, quoted, in table order: the column list of tsdbt's insert. */
function targetColumns(server: PgServer, db: string, schema: string, table: string): string {
  const columns = queryValue(
    server,
    db,
    `select string_agg('"' || column_name || '"', ', ' order by ordinal_position) from information_schema.columns
     where table_schema = ${sqlLiteral(schema)} and table_name = ${sqlLiteral(table)}`,
  );
  if (!columns) throw new Error(`no columns found for ${schema}.${table}`);
  return columns;
}

/**
 * Writes one psql script per batch into `<projectDir>/psql-backfill/`, from what the last tsdbt backfill ran: each
 * batch's compiled SELECT (`target/compiled/<project>/models/<model>/batch_<stamp>.sql`, the upstream filter already
 * injected) wrapped in tsdbt's delete and insert. Every delete and insert written must occur verbatim in
 * `target/run/<project>/models/<model>.sql` (the statements tsdbt executed), so the baseline runs exactly tsdbt's SQL.
 */
export function writeBackfillScripts(server: PgServer, db: string, options: BackfillBaselineOptions): BackfillScripts {
  const { projectDir, projectName, schema, model, eventTime, sqlHeader } = options;
  const compiledDir = join(projectDir, 'target', 'compiled', projectName, 'models', model);
  const runFile = join(projectDir, 'target', 'run', projectName, 'models', `${model}.sql`);
  const ran = readFileSync(runFile, 'utf8');
  const target = `"${schema}"."${model}"`;
  const column = `"${eventTime}"`;
  const columns = targetColumns(server, db, schema, model);
  const dir = join(projectDir, 'psql-backfill');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const files = dailyBatches(options.start, options.days).map((batch) => {
    const compiledFile = join(compiledDir, `batch_${batch.stamp}.sql`);
    if (!existsSync(compiledFile)) throw new Error(`${compiledFile} is missing: the backfill did not compile batch ${batch.stamp}`);
    const select = readFileSync(compiledFile, 'utf8');
    const statements = [
      `delete from ${target} as DBT_INTERNAL_DEST\nwhere DBT_INTERNAL_DEST.${column} >= '${batch.from}' and DBT_INTERNAL_DEST.${column} < '${batch.to}';`,
      `insert into ${target} (${columns})\nselect ${columns} from (\n${select}) as batch\nwhere batch.${column} >= '${batch.from}' and batch.${column} < '${batch.to}';`,
    ];
    for (const statement of statements) {
      if (!ran.includes(statement)) {
        throw new Error(`the psql baseline of batch ${batch.stamp} would not run what tsdbt ran: ${runFile} lacks\n${statement.split('\n')[0]} ...`);
      }
    }
    const file = join(dir, `batch_${batch.stamp}.sql`);
    writeFileSync(file, ['begin;', `${sqlHeader};`, ...statements, 'commit;', ''].join('\n'));
    return file;
  });

  const listFile = join(dir, 'scripts.txt');
  writeFileSync(listFile, `${files.join('\n')}\n`);
  return { dir, files, listFile };
}

/**
 * Runs every script of `listFile` in its own `psql -f` session, `sessions` at a time, in order (GNU xargs: the next
 * starts as soon as one ends, as tsdbt's batch queue does). Exits non-zero if any script fails (ON_ERROR_STOP).
 */
export function parallelPsqlCommand(server: PgServer, db: string, listFile: string, sessions: number): Command {
  const psql = psqlCommand(server, db, ['-f']);
  return {
    command: 'xargs',
    args: ['--arg-file', listFile, '--delimiter', '\\n', '--max-procs', String(sessions), '--max-args', '1', psql.command, ...psql.args],
  };
}
