import type { Connection } from '../../adapters/adapter.js';
import { runStatements, type DialectSql, type TableDistribution } from '../../adapters/dialect-sql.js';
import { quoteIdentifier } from '../../adapters/sql.js';
import { TsdbtError } from '../../core/errors.js';
import type { GraphNode } from '../../core/nodes.js';
import { colocatedWith } from '../distribution.js';
import { createMissingIndexes } from '../indexes.js';
import type { SwapTarget } from '../swap.js';
import { temporaryName } from '../temporary-names.js';

/** What a strategy needs to fold an increment into the target table. */
export interface Increment {
  target: SwapTarget;
  connection: Connection;
  /** The increment as a FROM item aliased DBT_INTERNAL_SOURCE: the model's query, or a temporary table holding it. */
  source: string;
  /** Columns to write, present in both. */
  columns: string[];
}

/** Strategies that read their source more than once, and so need it held in a temporary table first. */
export const READS_SOURCE_TWICE = new Set(['delete+insert']);

/** One strategy per `incremental_strategy`; microbatch is its own path (microbatch.ts). */
export type IncrementalStrategy = (increment: Increment) => Promise<number>;

// dbt's aliases, so incremental_predicates written for dbt work unchanged.
const DEST = 'DBT_INTERNAL_DEST';
export const SOURCE = 'DBT_INTERNAL_SOURCE';

const append: IncrementalStrategy = async ({ target, connection, source, columns }) => {
  const list = columns.map(quoteIdentifier).join(', ');
  return (await target.run(connection, `insert into ${target.relation} (${list})\nselect ${list} from ${source}`)).rowCount ?? 0;
};

/** Deletes the target's rows whose key is in the increment, then appends the increment. */
const deleteInsert: IncrementalStrategy = async (increment) => {
  const { target, connection, source } = increment;
  const keys = uniqueKey(target.node, 'delete+insert');
  const keyList = keys.map(quoteIdentifier).join(', ');
  const predicates = incrementalPredicates(target.node).map((predicate) => `\n  and ${predicate}`).join('');
  await target.run(connection, `delete from ${target.relation} as ${DEST}\nwhere (${keys.map((key) => `${DEST}.${quoteIdentifier(key)}`).join(', ')}) in (select ${keyList} from ${source})${predicates}`);
  return append(increment);
};

/**
 * Upserts on unique_key: INSERT ... ON CONFLICT where a unique index on exactly those columns exists (the fastest
 * path, and the only one before PostgreSQL 15), MERGE otherwise or when incremental_predicates narrow the match.
 * A distributed table is given that index (its key holds the distribution column, so each shard checks it alone):
 * MERGE there reads only a table placed like the target, which stageForMerge makes.
 */
const merge: IncrementalStrategy = async ({ target, connection, source, columns }) => {
  const keys = uniqueKey(target.node, 'merge');
  const updates = updateColumns(target.node, columns, keys).map(quoteIdentifier);
  const predicates = incrementalPredicates(target.node);
  const upsert = {
    relation: target.relation,
    targetAlias: DEST,
    source,
    sourceAlias: SOURCE,
    columns: columns.map(quoteIdentifier),
    keys: keys.map(quoteIdentifier),
    updates,
  };
  if (predicates.length === 0) {
    const indexed = (await connection.introspector.uniqueIndexes(target.node.relation)).some((index) => sameSet(index, keys));
    if (!indexed && target.distribution) await createKeyIndex(target, connection, keys);
    if (indexed || target.distribution) return (await target.run(connection, connection.dialect.sql.upsert(upsert))).rowCount ?? 0;
  }
  if (!target.adapter.capabilities.merge) {
    throw new TsdbtError('runtime', `merge on ${target.relation} needs PostgreSQL 15 or later, or a unique index on (${keys.join(', ')})`, {
      location: { file: target.node.originalFilePath },
      hint: `add indexes: [{columns: [${keys.join(', ')}], unique: true}] to the model's config`,
    });
  }
  const on = [...keys.map((key) => `${DEST}.${quoteIdentifier(key)} = ${SOURCE}.${quoteIdentifier(key)}`), ...predicates];
  if (!target.adapter.capabilities.distributedTables) return (await target.run(connection, connection.dialect.sql.merge({ ...upsert, on }))).rowCount ?? 0;
  const staged = await stageForMerge(target, connection, source, columns);
  const merged = await target.run(connection, connection.dialect.sql.merge({ ...upsert, source: `${staged} as ${SOURCE}`, on }));
  await target.run(connection, `drop table ${staged}`);
  return merged.rowCount ?? 0;
};

/** The unique index ON CONFLICT needs, on a table that may already hold the same key twice (built without it). */
async function createKeyIndex(target: SwapTarget, connection: Connection, keys: string[]): Promise<void> {
  try {
    await createMissingIndexes(target, connection, target.relation, [{ columns: keys, unique: true }]);
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    throw new TsdbtError('runtime', `merge on ${target.relation} upserts on a unique index on (${keys.join(', ')}), which it cannot have: ${(error as Error).message}`, {
      location: { file: target.node.originalFilePath },
      hint: 'the table holds a unique_key more than once: make the model return each key once, then run with --full-refresh',
      cause: error,
    });
  }
}

/** SQLSTATE of a duplicate key, as a unique index built on duplicates reports it. */
const UNIQUE_VIOLATION = '23505';

/**
 * A distributed engine's MERGE reads neither a query nor a session table into a distributed target, nor a query over
 * distributed tables into a local one: the increment is copied into a table colocated with a hash-distributed target
 * (joined on the unique key, which holds the distribution column, each shard merges its own rows), or into a session
 * table beside a local one. Its caller drops it; it never outlives the transaction. A reference table is never merged
 * into (validateDistribution refuses incremental_predicates there, so it is always upserted).
 */
async function stageForMerge(target: SwapTarget, connection: Connection, source: string, columns: string[]): Promise<string> {
  const identifier = temporaryName(target.node.relation.identifier, 'merge', target.runId, target.adapter.capabilities.maxIdentifierLength);
  const staging = mergeStaging(connection.dialect.sql, { ...target, schema: target.node.relation.schema, identifier }, source, columns);
  await runStatements(staging.statements, (sql) => target.run(connection, sql));
  return staging.relation;
}

/** What stageForMerge runs: the staged relation (quoted) and the statements that create and fill it. */
export function mergeStaging(
  sql: DialectSql,
  target: { relation: string; schema: string; identifier: string; distribution?: TableDistribution },
  source: string,
  columns: string[],
): { relation: string; statements: string[] } {
  const { distribution } = target;
  const query = `select ${columns.map(quoteIdentifier).join(', ')} from ${source}`;
  if (distribution?.kind !== 'hash') {
    const relation = quoteIdentifier(target.identifier);
    return { relation, statements: sql.createTableAs(relation, query, { temporary: true }) };
  }
  const relation = `${quoteIdentifier(target.schema)}.${quoteIdentifier(target.identifier)}`;
  return { relation, statements: sql.createTableAs(relation, query, { distribution: colocatedWith(distribution, target.relation) }) };
}

export const STRATEGIES: Record<'append' | 'merge' | 'delete+insert', IncrementalStrategy> = { append, merge, 'delete+insert': deleteInsert };

function uniqueKey(node: GraphNode, strategy: string): string[] {
  const key = node.config.unique_key;
  const keys = key === undefined ? [] : Array.isArray(key) ? key : [key];
  if (keys.length === 0) {
    throw new TsdbtError('config', `incremental_strategy '${strategy}' needs a unique_key`, {
      location: { file: node.originalFilePath },
      hint: 'set unique_key to a column or a list of columns, or use incremental_strategy append or microbatch',
    });
  }
  return keys;
}

/**
 * merge_update_columns, else every column but merge_exclude_columns and the key. Neither ever holds a distribution
 * column: it is in the key, and validateDistribution refuses it in merge_update_columns.
 */
function updateColumns(node: GraphNode, columns: string[], keys: string[]): string[] {
  const only = node.config.merge_update_columns;
  const excluded = new Set([...keys, ...(node.config.merge_exclude_columns ?? [])]);
  return only ? only.filter((column) => columns.includes(column)) : columns.filter((column) => !excluded.has(column));
}

export function incrementalPredicates(node: GraphNode): string[] {
  return node.config.incremental_predicates ?? [];
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((column) => b.includes(column));
}
