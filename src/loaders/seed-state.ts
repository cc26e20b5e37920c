import { sql } from 'kysely';
import type { Connection } from '../adapters/adapter.js';
import { queryBuilder, runQuery as run } from '../adapters/kysely.js';
import { quoteRelation } from '../adapters/sql.js';

/** tsdbt's own metadata: which file of which seed table was loaded, as what. */
export const META_SCHEMA = 'tsdbt_meta';

interface MetaDatabase {
  'tsdbt_meta.seed_files': {
    relation: string;
    path: string;
    size: number;
    mtime_ms: number;
    sha256: string;
    options_hash: string;
    records: number;
    rejects: number;
    loaded_at: Date;
  };
}

export interface LoadedFile {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  optionsHash: string;
  records: number;
  rejects: number;
}

/** Queries on the state table, in the SQL of the connection's dialect. */
const meta = (connection: Connection) => queryBuilder<MetaDatabase>(connection.dialect.kysely);

/** The state table's key for a seed's table. */
export function stateKey(relation: { schema: string; identifier: string }): string {
  return quoteRelation(relation);
}

/** Keyed by the target relation, not the seed: two targets loading one seed into two schemas keep apart. */
export async function ensureStateTable(connection: Connection): Promise<void> {
  // Seeds load in parallel; CREATE ... IF NOT EXISTS still races on the catalog, so creators queue on a lock
  // held to the end of the caller's transaction.
  await connection.query(connection.dialect.sql.transactionLock('tsdbt_meta.seed_files'));
  await run(connection, meta(connection).schema.createSchema(META_SCHEMA).ifNotExists());
  await run(
    connection,
    meta(connection).schema
      .createTable('tsdbt_meta.seed_files')
      .ifNotExists()
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('mtime_ms', 'double precision', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('options_hash', 'text', (c) => c.notNull())
      .addColumn('records', 'integer', (c) => c.notNull())
      .addColumn('rejects', 'integer', (c) => c.notNull())
      .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('seed_files_pkey', ['relation', 'path']),
  );
}

export async function readState(connection: Connection, relation: string): Promise<Map<string, LoadedFile>> {
  const rows = await run(connection, meta(connection).selectFrom('tsdbt_meta.seed_files').selectAll().where('relation', '=', relation));
  return new Map(
    rows.map((row) => [
      row.path,
      {
        path: row.path,
        size: Number(row.size),
        mtimeMs: Number(row.mtime_ms),
        sha256: row.sha256,
        optionsHash: row.options_hash,
        records: Number(row.records),
        rejects: Number(row.rejects),
      },
    ]),
  );
}

/** Upserts in slices: one statement may carry at most 65,535 parameters. */
export async function recordFiles(connection: Connection, relation: string, files: LoadedFile[]): Promise<void> {
  for (let start = 0; start < files.length; start += 2000) await recordSlice(connection, relation, files.slice(start, start + 2000));
}

async function recordSlice(connection: Connection, relation: string, files: LoadedFile[]): Promise<void> {
  if (files.length === 0) return;
  await run(
    connection,
    meta(connection)
      .insertInto('tsdbt_meta.seed_files')
      .values(
        files.map((file) => ({
          relation,
          path: file.path,
          size: file.size,
          mtime_ms: file.mtimeMs,
          sha256: file.sha256,
          options_hash: file.optionsHash,
          records: file.records,
          rejects: file.rejects,
          loaded_at: sql<Date>`now()`,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['relation', 'path']).doUpdateSet((eb) => ({
          size: eb.ref('excluded.size'),
          mtime_ms: eb.ref('excluded.mtime_ms'),
          sha256: eb.ref('excluded.sha256'),
          options_hash: eb.ref('excluded.options_hash'),
          records: eb.ref('excluded.records'),
          rejects: eb.ref('excluded.rejects'),
          loaded_at: sql<Date>`now()`,
        })),
      ),
  );
}

export async function forgetRelation(connection: Connection, relation: string): Promise<void> {
  await run(connection, meta(connection).deleteFrom('tsdbt_meta.seed_files').where('relation', '=', relation));
}
