import { sql } from 'kysely';
import type { Connection } from '../adapters/adapter.js';
import { RELATION_KIND_BY_RELKIND } from '../adapters/catalog.js';
import { queryBuilder, runQuery } from '../adapters/kysely.js';
import type { CatalogEntry } from '../core/catalog.js';
import type { Relation } from '../core/nodes.js';

/** The catalog tables the docs read, typed for Kysely. */
interface DocsCatalogDatabase {
  'pg_catalog.pg_class': { oid: number; relname: string; relnamespace: number; relkind: string; reltuples: number };
  'pg_catalog.pg_namespace': { oid: number; nspname: string };
  'pg_catalog.pg_attribute': { attrelid: number; attname: string; attnum: number; atttypid: number; atttypmod: number; attisdropped: boolean };
}

const catalogQueries = queryBuilder<DocsCatalogDatabase>();


const relationKey = (relation: Relation): string => `${relation.schema}\u0000${relation.identifier}`;

/**
 * Every existing relation of `relations`, read in two queries whatever their number (a 5,000-model project is read in
 * well under a second). Relations that do not exist are simply absent from the map.
 */
export async function readCatalog(connection: Connection, relations: Relation[]): Promise<Map<string, CatalogEntry>> {
  const wanted = new Set(relations.map(relationKey));
  const schemas = [...new Set(relations.map((relation) => relation.schema))];
  const found = new Map<string, CatalogEntry>();
  if (schemas.length === 0) return found;
  const relationRows = await runQuery(
    connection,
    catalogQueries
      .selectFrom('pg_catalog.pg_class as c')
      .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
      .select(['c.oid as oid', 'n.nspname as schema', 'c.relname as identifier', 'c.relkind as relkind', 'c.reltuples as reltuples'])
      // Views have no storage: their size would be 0, which reads as "empty" rather than "not applicable".
      .select(sql<string | null>`case when c.relkind in ('r', 'p', 'm') then pg_total_relation_size(c.oid)::text end`.as('bytes'))
      .where('n.nspname', 'in', schemas)
      .where('c.relkind', 'in', Object.keys(RELATION_KIND_BY_RELKIND)),
  );
  const byOid = new Map<number, CatalogEntry>();
  for (const row of relationRows) {
    const key = relationKey({ schema: row.schema, identifier: row.identifier });
    if (!wanted.has(key)) continue;
    const reltuples = Number(row.reltuples);
    const entry: CatalogEntry = {
      relationType: RELATION_KIND_BY_RELKIND[row.relkind]!,
      columns: [],
      // -1 (PostgreSQL 14+) means never analysed; a view has no estimate at all.
      rowEstimate: row.relkind === 'v' || reltuples < 0 ? null : Math.round(reltuples),
      bytes: row.bytes === null ? null : Number(row.bytes),
    };
    found.set(key, entry);
    byOid.set(Number(row.oid), entry);
  }
  if (byOid.size === 0) return found;
  const columnRows = await runQuery(
    connection,
    catalogQueries
      .selectFrom('pg_catalog.pg_attribute as a')
      .select(['a.attrelid as relation', 'a.attname as name'])
      .select(sql<string>`format_type(a.atttypid, a.atttypmod)`.as('type'))
      .where('a.attrelid', 'in', [...byOid.keys()])
      .where('a.attnum', '>', 0)
      .where('a.attisdropped', '=', false)
      .orderBy('a.attrelid')
      .orderBy('a.attnum'),
  );
  for (const row of columnRows) byOid.get(Number(row.relation))?.columns.push({ name: row.name, type: row.type });
  return found;
}

export function catalogEntryOf(catalog: Map<string, CatalogEntry>, relation: Relation): CatalogEntry | undefined {
  return catalog.get(relationKey(relation));
}
