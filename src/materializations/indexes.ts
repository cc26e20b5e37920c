import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Connection } from '../adapters/adapter.js';
import { queryBuilder, runQuery } from '../adapters/kysely.js';
import { derivedIdentifier, quoteIdentifier } from '../adapters/sql.js';
import type { z } from 'zod';
import type { nodeConfigShape } from '../core/node-config.js';
import type { SwapTarget } from './swap.js';

/** One entry of a model's `indexes` config, as dbt-postgres takes it: `{columns: [a, b], unique: true, type: gin}`. */
export type IndexConfig = z.output<typeof nodeConfigShape.indexes>[number];

/** What makes two indexes the same for tsdbt: key columns in order, uniqueness and access method; never the name. */
interface IndexDefinition {
  columns: string[];
  unique: boolean;
  method: string;
}

interface IndexCatalog {
  'pg_catalog.pg_index': { indexrelid: number; indrelid: number; indisunique: boolean; indexprs: unknown; indpred: unknown; indnatts: number; indnkeyatts: number };
  'pg_catalog.pg_class': { oid: number; relam: number };
  'pg_catalog.pg_am': { oid: number; amname: string };
}

const catalog = queryBuilder<IndexCatalog>();

/**
 * Creates each configured index that `relation` (quoted) does not have yet. Matching by definition rather than name
 * lets an incremental table keep its indexes from run to run and get only the new ones.
 */
export async function createMissingIndexes(target: SwapTarget, connection: Connection, relation: string, indexes: IndexConfig[]): Promise<void> {
  if (indexes.length === 0) return;
  const present = new Set((await existingIndexes(connection, relation)).map(definitionKey));
  for (const index of indexes) {
    const definition: IndexDefinition = { columns: index.columns, unique: index.unique === true, method: (index.type ?? 'btree').toLowerCase() };
    const key = definitionKey(definition);
    if (present.has(key)) continue;
    present.add(key);
    const columns = definition.columns.map(quoteIdentifier).join(', ');
    await target.run(
      connection,
      `create ${definition.unique ? 'unique ' : ''}index ${quoteIdentifier(indexName(target, key))} on ${relation} using ${quoteIdentifier(definition.method)} (${columns})`,
    );
  }
}

function definitionKey(definition: IndexDefinition): string {
  return JSON.stringify([definition.columns, definition.unique, definition.method]);
}

/**
 * During a swap the old table keeps its indexes, under their names and in the same schema, until the transaction
 * ends; the run id keeps the new ones' names apart, the definition's hash keeps them apart from each other.
 */
function indexName(target: SwapTarget, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return derivedIdentifier(target.node.relation.identifier, `__idx_${hash}_${target.runId}`, target.adapter.capabilities.maxIdentifierLength);
}

/** Indexes on plain key columns (no expression, predicate or INCLUDE columns): the only ones a configured index can be. */
async function existingIndexes(connection: Connection, relation: string): Promise<IndexDefinition[]> {
  return runQuery(
    connection,
    catalog
      .selectFrom('pg_catalog.pg_index as i')
      .innerJoin('pg_catalog.pg_class as c', 'c.oid', 'i.indexrelid')
      .innerJoin('pg_catalog.pg_am as am', 'am.oid', 'c.relam')
      .select([
        sql<string[]>`array(
          select a.attname::text
          from unnest(i.indkey::int2[]) with ordinality as k(attnum, position)
          join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
          order by k.position)`.as('columns'),
        'i.indisunique as unique',
        sql<string>`am.amname::text`.as('method'),
      ])
      .where('i.indrelid', '=', sql<number>`${relation}::regclass`)
      .where('i.indexprs', 'is', null)
      .where('i.indpred', 'is', null)
      .whereRef('i.indnatts', '=', 'i.indnkeyatts'),
  );
}
