import { createHash } from 'node:crypto';
import type { Connection } from '../adapters/adapter.js';
import { runStatements, type DialectSql, type TableDistribution } from '../adapters/dialect-sql.js';
import { quoteRelation } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import { colocatedWith } from '../materializations/distribution.js';
import { type SwapTarget, restoreViews } from '../materializations/swap.js';
import type { NodeOutcome } from '../core/results.js';
import { copyField } from './json/copy-text.js';
import { readJsonRecords } from './json/json-records.js';
import { listSeedFiles, planFiles, readHashing, type SeedFile } from './seed-files.js';
import { ensureStateTable, forgetRelation, readState, recordFiles, stateKey, type LoadedFile } from './seed-state.js';
import type { SeedLoadContext, SeedSourceOf } from './seed-loader.js';
import { JSON_SEED_COLUMN_NAMES, JSON_SEED_COLUMNS, JSON_SEED_REJECTS_COLUMNS, rejectsRelation } from './json-seed-table.js';

/** A transaction per this many files or bytes (incremental runs): a killed run loses at most one batch of work, never a record. */
const BATCH_FILES = 500;
const BATCH_BYTES = 64 << 20;
const CHUNK_CHARS = 1 << 20;

interface Totals {
  files: number;
  records: number;
  rejects: number;
}

/**
 * JSON and NDJSON seeds: one row per object `(data jsonb, _file, _record_no, _loaded_at, _repaired)`, rejects in
 * `<seed>__rejects`. Files load incrementally against tsdbt_meta.seed_files; each batch of files commits with its
 * state rows, so a run killed midway and run again neither duplicates nor loses a record.
 */
export async function loadJsonSeed(execution: SwapTarget, source: SeedSourceOf<'json' | 'ndjson'>, context: SeedLoadContext): Promise<NodeOutcome> {
  const { adapter, node } = execution;
  const tables = seedTables(execution);
  const key = stateKey(node.relation);
  const { format } = source;
  const optionsHash = createHash('sha256').update(JSON.stringify({ format, layout: 1 })).digest('hex');
  const files = listSeedFiles(context.projectRoot, source);
  const loadBatch = (connection: Connection, batch: Array<SeedFile & { replaces: boolean }>) =>
    loadFiles(connection, execution, tables, key, format, optionsHash, batch, context);
  // In a short transaction of its own: the lock it takes must not be held through a long load.
  await adapter.transaction((connection) => ensureStateTable(connection));

  if (context.fullRefresh) {
    // One transaction for the whole reload: the old table stays until the new one is complete; views reading it
    // are recreated on the new one.
    const totals = await adapter.transaction(async (connection) => {
      const dependents = (await execution.findExisting(connection)) ? await connection.introspector.dependentViews(node.relation) : [];
      await execution.run(connection, `drop table if exists ${tables.data}, ${tables.rejects} cascade`);
      await createTables(execution, connection, tables);
      await forgetRelation(connection, key);
      const loaded = await loadBatch(connection, files.map((file) => ({ ...file, replaces: false })));
      await restoreViews(execution, connection, dependents);
      return loaded;
    });
    return outcome(totals, 0, tables.rejectsName);
  }

  const state = await adapter.transaction(async (connection) => {
    // A table dropped behind tsdbt's back starts from nothing, whatever the state table remembers.
    if (!(await execution.findExisting(connection))) await forgetRelation(connection, key);
    await createTables(execution, connection, tables);
    await checkShape(connection, execution);
    return readState(connection, key);
  });
  const plan = await planFiles(files, state, optionsHash);
  const totals: Totals = { files: 0, records: 0, rejects: 0 };
  for (const batch of batches(plan.toLoad)) {
    const done = await adapter.transaction((connection) => loadBatch(connection, batch));
    totals.files += done.files;
    totals.records += done.records;
    totals.rejects += done.rejects;
  }
  if (plan.touched.length > 0) await adapter.transaction((connection) => recordFiles(connection, key, plan.touched));
  if (plan.missing.length > 0) {
    context.reporter.warn(`${execution.relation}: ${plan.missing.length} file(s) loaded earlier are gone from disk; their rows are kept (--full-refresh drops them)`);
  }
  return outcome(totals, plan.unchanged + plan.touched.length, tables.rejectsName);
}

interface SeedTables {
  data: string;
  rejects: string;
  rejectsName: string;
}

function seedTables(execution: SwapTarget): SeedTables {
  const rejects = rejectsRelation(execution.node.relation, execution.adapter.capabilities.maxIdentifierLength);
  return { data: execution.relation, rejects: quoteRelation(rejects), rejectsName: rejects.identifier };
}

async function createTables(execution: SwapTarget, connection: Connection, tables: SeedTables): Promise<void> {
  await runStatements(jsonSeedTableStatements(connection.dialect.sql, tables, execution.distribution), (statement) => execution.run(connection, statement));
}

/**
 * The table and its rejects table where they are missing, with the seed's distribution. The rejects are distributed
 * as the rows are (colocated with them, by the same column; copied to every node beside a reference table): they are
 * written in the same transactions, and a reject is read beside its file's rows.
 */
export function jsonSeedTableStatements(sql: DialectSql, tables: Pick<SeedTables, 'data' | 'rejects'>, distribution: TableDistribution | undefined): string[] {
  return [
    ...sql.createTable(tables.data, JSON_SEED_COLUMNS, { ifNotExists: true, distribution }),
    ...sql.createTable(tables.rejects, JSON_SEED_REJECTS_COLUMNS, { ifNotExists: true, distribution: colocatedWith(distribution, tables.data) }),
  ];
}

/** A relation of that name made by something else (a CSV seed, a model) is not appended to. */
async function checkShape(connection: Connection, execution: SwapTarget): Promise<void> {
  const columns = (await connection.introspector.listColumns(execution.node.relation)).map((c) => c.name);
  if (JSON_SEED_COLUMN_NAMES.some((name) => !columns.includes(name))) {
    throw new TsdbtError('runtime', `${execution.relation} exists with other columns (${columns.join(', ')}) than a JSON seed's`, {
      hint: 'run tsdbt seed --full-refresh to rebuild it',
    });
  }
}

function* batches<T extends SeedFile>(files: T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length > 0 && (batch.length >= BATCH_FILES || bytes + file.size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.size;
  }
  if (batch.length > 0) yield batch;
}

async function loadFiles(
  connection: Connection,
  execution: SwapTarget,
  tables: SeedTables,
  stateKey: string,
  format: 'json' | 'ndjson',
  optionsHash: string,
  files: Array<SeedFile & { replaces: boolean }>,
  context: SeedLoadContext,
): Promise<Totals> {
  const replaced = files.filter((file) => file.replaces).map((file) => file.path);
  if (replaced.length > 0) {
    await connection.query(`delete from ${tables.data} where _file = any($1)`, [replaced]);
    await connection.query(`delete from ${tables.rejects} where _file = any($1)`, [replaced]);
  }
  const loaded: LoadedFile[] = [];
  const rejects: string[] = [];
  async function* rows(): AsyncGenerator<string> {
    let buffer = '';
    for (const file of files) {
      const hash = createHash('sha256');
      const fileField = copyField(file.path);
      let records = 0;
      let rejected = 0;
      for await (const item of readJsonRecords(readHashing(file.absolute, hash), format)) {
        if (item.kind === 'record') {
          buffer += `${copyField(item.json)}\t${fileField}\t${item.recordNo}\t${item.repaired ? 't' : 'f'}\n`;
          records++;
          if (buffer.length >= CHUNK_CHARS) {
            yield buffer;
            buffer = '';
          }
        } else {
          rejects.push(`${fileField}\t${item.recordNo}\t${copyField(item.rawText)}\t${copyField(item.error)}\n`);
          rejected++;
        }
      }
      loaded.push({ path: file.path, size: file.size, mtimeMs: file.mtimeMs, sha256: hash.digest('hex'), optionsHash, records, rejects: rejected });
      context.advance(1, records + rejected, file.size);
    }
    if (buffer.length > 0) yield buffer;
  }
  const copied = await connection.copyFrom(`${tables.data} (data, _file, _record_no, _repaired)`, connection.dialect.sql.copyTextOptions, rows());
  if (rejects.length > 0) await connection.copyFrom(`${tables.rejects} (_file, _record_no, raw_text, error)`, connection.dialect.sql.copyTextOptions, chunks(rejects));
  const records = loaded.reduce((sum, file) => sum + file.records, 0);
  // The books must balance before the batch commits: every record read is a row or a reject.
  if (copied !== records) throw new TsdbtError('runtime', `${execution.relation}: read ${records} records but the database took ${copied}`);
  await recordFiles(connection, stateKey, loaded);
  return { files: files.length, records, rejects: rejects.length };
}

async function* chunks(lines: string[]): AsyncGenerator<string> {
  let buffer = '';
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}

function outcome(totals: Totals, unchanged: number, rejectsName: string): NodeOutcome {
  const parts = [`${totals.files} file${totals.files === 1 ? '' : 's'} loaded`];
  if (unchanged > 0) parts.push(`${unchanged} unchanged`);
  parts.push(`${totals.rejects} rejected${totals.rejects > 0 ? ` into ${rejectsName}` : ''}`);
  return { message: `INSERT ${totals.records} (${parts.join(', ')})`, rowsAffected: totals.records };
}
