import type { Connection } from '../adapters/adapter.js';
import { quoteRelation } from '../adapters/sql.js';
import { ensureStateTable as ensureTable, forgetStateRows, readStateRows, writeStateRows, stateTable } from '../adapters/state-table.js';

/** Which file of which seed table was loaded, as what. */
const SEED_FILES = stateTable({
  name: 'seed_files',
  columns: {
    relation: { type: 'text' },
    path: { type: 'text' },
    size: { type: 'bigint' },
    mtime_ms: { type: 'double precision' },
    sha256: { type: 'text' },
    options_hash: { type: 'text' },
    records: { type: 'integer' },
    rejects: { type: 'integer' },
  },
  key: ['relation', 'path'],
  stamp: 'loaded_at',
});

export interface LoadedFile {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  optionsHash: string;
  records: number;
  rejects: number;
}

/** The state table's key for a seed's table. */
export function stateKey(relation: { schema: string; identifier: string }): string {
  return quoteRelation(relation);
}

/** Keyed by the target relation, not the seed: two targets loading one seed into two schemas keep apart. */
export async function ensureStateTable(connection: Connection): Promise<void> {
  await ensureTable(connection, SEED_FILES);
}

export async function readState(connection: Connection, relation: string): Promise<Map<string, LoadedFile>> {
  const rows = await readStateRows(connection, SEED_FILES, relation);
  return new Map(
    rows.map((row) => [
      row.path,
      {
        path: row.path,
        // bigint comes back as text.
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

export async function recordFiles(connection: Connection, relation: string, files: LoadedFile[]): Promise<void> {
  const rows = files.map((file) => ({
    relation,
    path: file.path,
    size: file.size,
    mtime_ms: file.mtimeMs,
    sha256: file.sha256,
    options_hash: file.optionsHash,
    records: file.records,
    rejects: file.rejects,
  }));
  await writeStateRows(connection, SEED_FILES, rows);
}

export async function forgetRelation(connection: Connection, relation: string): Promise<void> {
  await forgetStateRows(connection, SEED_FILES, relation);
}
