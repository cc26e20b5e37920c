import type { ShardColumns } from '../materializations/distribution.js';
import type { Relation, SeedNode } from '../core/nodes.js';
import { derivedIdentifier } from '../adapters/sql.js';

/** A JSON or NDJSON seed's table: one row per object, where it came from, and when it was loaded. */
export const JSON_SEED_COLUMNS = 'data jsonb not null, _file text not null, _record_no integer not null, _loaded_at timestamptz not null default now(), _repaired boolean not null default false';

/** Its `<seed>__rejects` table: one row per record that is not a JSON object, with the text and the parser's error. */
export const JSON_SEED_REJECTS_COLUMNS = '_file text not null, _record_no integer not null, raw_text text not null, error text not null, _loaded_at timestamptz not null default now()';

/** Whether a seed loads JSON or NDJSON, and so has a rejects table beside its own. */
export function hasRejects(node: SeedNode): boolean {
  return node.seed.format !== 'csv';
}

/** The rejects table of a JSON seed whose table is `relation`: `<seed>__rejects` beside it. */
export function rejectsRelation(relation: Relation, maxIdentifierLength: number): Relation {
  return { schema: relation.schema, identifier: derivedIdentifier(relation.identifier, '__rejects', maxIdentifierLength) };
}

/** The columns a JSON seed's table is read back by: a relation of that name without them is not one. */
export const JSON_SEED_COLUMN_NAMES = ['data', '_file', '_record_no', '_loaded_at', '_repaired'];

/**
 * What a JSON seed may be sharded by: a column its rejects table has too, so both are sharded alike and colocated
 * (a reject joins its file's rows on the workers, and each batch's rows and rejects land on the same shards).
 */
export const JSON_SEED_SHARD_COLUMNS: ShardColumns = {
  names: ['_file', '_record_no'],
  hint: "shard a JSON seed by _file (each file's records on one shard: a folder of many files) or _record_no (a few large files)",
};
