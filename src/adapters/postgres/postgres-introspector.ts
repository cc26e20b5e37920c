import { sql, type RawBuilder } from 'kysely';
import type { Connection } from '../adapter.js';
import type { CatalogEntry } from '../../core/catalog.js';
import type { CatalogRelation, ColumnType, DependentView, IndexDefinition, Introspector, LockHolder, RelationKind } from '../introspector.js';
import { relationKey } from '../introspector.js';
import { queryBuilder, runQuery as run } from '../kysely.js';
import { quoteRelation } from '../sql.js';
import { postgresKysely } from './postgres-sql.js';

/** The catalog tables tsdbt reads, typed for Kysely. */
interface CatalogDatabase {
  'pg_catalog.pg_class': { oid: number; relname: string; relnamespace: number; relkind: string; reltuples: number; relam: number };
  'pg_catalog.pg_namespace': { oid: number; nspname: string };
  'pg_catalog.pg_attribute': { attrelid: number; attname: string; attnum: number; atttypid: number; atttypmod: number; attisdropped: boolean };
  'pg_catalog.pg_index': { indexrelid: number; indrelid: number; indisunique: boolean; indexprs: unknown; indpred: unknown; indnatts: number; indnkeyatts: number };
  'pg_catalog.pg_am': { oid: number; amname: string };
  'information_schema.columns': {
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
    ordinal_position: number;
  };
}

const catalog = queryBuilder<CatalogDatabase>(postgresKysely);

/** pg_class.relkind of each relation kind tsdbt knows (partitioned tables are tables). */
const KINDS: Record<string, RelationKind> = { r: 'table', p: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table' };

/** The catalog of PostgreSQL and of engines that keep its catalog (PGlite). */
export function createPostgresIntrospector(connection: Connection): Introspector {
  const raw = <Row>(query: RawBuilder<Row>) => run(connection, { compile: () => query.compile(catalog) });
  return {
    async listSchemas() {
      const rows = await run(connection, catalog.selectFrom('pg_catalog.pg_namespace').select('nspname'));
      return rows.map((row) => row.nspname);
    },

    async listRelations(schemas) {
      if (schemas.length === 0) return [];
      const rows = await run(
        connection,
        catalog
          .selectFrom('pg_catalog.pg_class as c')
          .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
          .select(['n.nspname as schema', 'c.relname as identifier', 'c.relkind as relkind'])
          .where('n.nspname', 'in', schemas)
          .where('c.relkind', 'in', Object.keys(KINDS)),
      );
      return rows.map((row): CatalogRelation => ({ schema: row.schema, identifier: row.identifier, kind: KINDS[row.relkind]! }));
    },

    async findRelation(relation) {
      const rows = await run(
        connection,
        catalog
          .selectFrom('pg_catalog.pg_class as c')
          .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
          .select('c.relkind as relkind')
          .where('n.nspname', '=', relation.schema)
          .where('c.relname', '=', relation.identifier)
          .where('c.relkind', 'in', Object.keys(KINDS)),
      );
      const kind = rows[0] && KINDS[rows[0].relkind];
      return kind ? { ...relation, kind } : undefined;
    },

    async listColumns(relation) {
      const rows = await run(
        connection,
        catalog
          .selectFrom('information_schema.columns')
          .select(['column_name', 'data_type'])
          .where('table_schema', '=', relation.schema)
          .where('table_name', '=', relation.identifier)
          .orderBy('ordinal_position'),
      );
      return rows.map((row) => ({ name: row.column_name, dataType: row.data_type }));
    },

    relationColumns(quotedRelation) {
      return raw(sql<ColumnType>`
        select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type
        from pg_catalog.pg_attribute a
        where a.attrelid = ${quotedRelation}::regclass and a.attnum > 0 and not a.attisdropped
        order by a.attnum`);
    },

    relationColumnsIfExists(quotedRelation) {
      // to_regclass is null where ::regclass would raise, which would abort the build's transaction.
      return raw(sql<ColumnType>`
        select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type
        from pg_catalog.pg_attribute a
        where a.attrelid = pg_catalog.to_regclass(${quotedRelation}) and a.attnum > 0 and not a.attisdropped
        order by a.attnum`);
    },

    async dependentViews(relation) {
      const rows = await raw(sql<{ schema: string; identifier: string; relkind: string; definition: string }>`
        with recursive dependents(oid, depth) as (
          select r.ev_class, 1
          from pg_catalog.pg_depend d
          join pg_catalog.pg_rewrite r on r.oid = d.objid
          where d.classid = 'pg_catalog.pg_rewrite'::regclass
            and d.refobjid = ${quoteRelation(relation)}::regclass
            and r.ev_class <> d.refobjid
          union
          select r.ev_class, dependents.depth + 1
          from dependents
          join pg_catalog.pg_depend d on d.refobjid = dependents.oid and d.classid = 'pg_catalog.pg_rewrite'::regclass
          join pg_catalog.pg_rewrite r on r.oid = d.objid
          where r.ev_class <> dependents.oid
        )
        select n.nspname as schema, c.relname as identifier, c.relkind, pg_catalog.pg_get_viewdef(c.oid) as definition
        from dependents
        join pg_catalog.pg_class c on c.oid = dependents.oid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        group by c.oid, n.nspname, c.relname, c.relkind
        order by max(dependents.depth), n.nspname, c.relname`);
      return rows.map((row): DependentView => ({
        schema: row.schema,
        identifier: row.identifier,
        kind: row.relkind === 'm' ? 'materialized_view' : 'view',
        definition: row.definition,
      }));
    },

    // One server: every table is on it.
    tableDistribution: async () => undefined,

    async uniqueIndexes(relation) {
      const rows = await raw(sql<{ columns: string[] }>`
        select array_agg(a.attname::text order by k.ordinality) as columns
        from pg_catalog.pg_index i
        cross join lateral unnest(i.indkey) with ordinality as k(attnum, ordinality)
        join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
        where i.indrelid = ${quoteRelation(relation)}::regclass and i.indisunique and i.indpred is null and i.indexprs is null
        group by i.indexrelid`);
      return rows.map((row) => row.columns);
    },

    plainIndexes(quotedRelation) {
      return run(
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
          .where('i.indrelid', '=', sql<number>`${quotedRelation}::regclass`)
          .where('i.indexprs', 'is', null)
          .where('i.indpred', 'is', null)
          .whereRef('i.indnatts', '=', 'i.indnkeyatts'),
      ) satisfies Promise<IndexDefinition[]>;
    },

    async constraintNames(relation) {
      const rows = await raw(sql<{ name: string }>`
        select conname as name from pg_catalog.pg_constraint where conrelid = to_regclass(${quoteRelation(relation)})`);
      return rows.map((row) => row.name);
    },

    async grants(quotedRelation) {
      const rows = await raw(sql<{ privilege: string; grantee: string }>`
        select lower(a.privilege_type) as privilege,
               case when a.grantee = 0 then 'public' else pg_catalog.pg_get_userbyid(a.grantee)::text end as grantee
        from pg_catalog.pg_class c
        cross join lateral pg_catalog.aclexplode(c.relacl) a
        where c.oid = ${quotedRelation}::regclass and a.grantee <> c.relowner`);
      const current = new Map<string, Set<string>>();
      for (const row of rows) current.set(row.privilege, (current.get(row.privilege) ?? new Set()).add(row.grantee));
      return current;
    },

    async describeRelations(relations) {
      const wanted = new Set(relations.map(relationKey));
      const schemas = [...new Set(relations.map((relation) => relation.schema))];
      const found = new Map<string, CatalogEntry>();
      if (schemas.length === 0) return found;
      const relationRows = await run(
        connection,
        catalog
          .selectFrom('pg_catalog.pg_class as c')
          .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
          .select(['c.oid as oid', 'n.nspname as schema', 'c.relname as identifier', 'c.relkind as relkind', 'c.reltuples as reltuples'])
          // Views have no storage: their size would be 0, which reads as "empty" rather than "not applicable".
          .select(sql<string | null>`case when c.relkind in ('r', 'p', 'm') then pg_total_relation_size(c.oid)::text end`.as('bytes'))
          .where('n.nspname', 'in', schemas)
          .where('c.relkind', 'in', Object.keys(KINDS)),
      );
      const byOid = new Map<number, CatalogEntry>();
      for (const row of relationRows) {
        const key = relationKey({ schema: row.schema, identifier: row.identifier });
        if (!wanted.has(key)) continue;
        const reltuples = Number(row.reltuples);
        const entry: CatalogEntry = {
          relationType: KINDS[row.relkind]!,
          columns: [],
          // -1 (PostgreSQL 14+) means never analysed; a view has no estimate at all.
          rowEstimate: row.relkind === 'v' || reltuples < 0 ? null : Math.round(reltuples),
          bytes: row.bytes === null ? null : Number(row.bytes),
        };
        found.set(key, entry);
        byOid.set(Number(row.oid), entry);
      }
      if (byOid.size === 0) return found;
      const columnRows = await run(
        connection,
        catalog
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
    },

    async lockHolder(namespace, keys) {
      const result = await connection.query(
        `select a.pid, a.application_name, a.backend_start
         from pg_locks as l join pg_stat_activity as a on a.pid = l.pid
         where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
           and l.classid = ($1::int4)::oid and l.objid = any(select (k::int4)::oid from unnest($2::int4[]) as k) and l.objsubid = 2
         limit 1`,
        [namespace, keys],
      );
      const row = result.rows[0] as { pid: number; application_name: string; backend_start: Date | string } | undefined;
      if (!row) return undefined;
      const since = row.backend_start instanceof Date ? row.backend_start.toISOString() : String(row.backend_start);
      return { applicationName: row.application_name, serverPid: row.pid, connectedSince: since } satisfies LockHolder;
    },
  };
}
