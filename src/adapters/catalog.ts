import type { Relation } from '../core/nodes.js';
import { sql } from 'kysely';
import type { Connection } from './adapter.js';
import { queryBuilder, runQuery as run } from './kysely.js';
import { quoteRelation } from './sql.js';

/** The catalog tables tsdbt reads, typed for Kysely. */
interface CatalogDatabase {
  'pg_catalog.pg_class': { oid: number; relname: string; relnamespace: number; relkind: string };
  'pg_catalog.pg_namespace': { oid: number; nspname: string };
  'information_schema.columns': {
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
    ordinal_position: number;
  };
}

const catalog = queryBuilder<CatalogDatabase>();

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'foreign_table';

export interface CatalogRelation extends Relation {
  kind: RelationKind;
}

/** pg_class.relkind -> the kind of relation tsdbt names: the relations it lists, reads and documents. */
export const RELATION_KIND_BY_RELKIND: Record<string, RelationKind> = { r: 'table', p: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table' };

export async function listRelations(connection: Connection, schemas: string[]): Promise<CatalogRelation[]> {
  if (schemas.length === 0) return [];
  const rows = await run(
    connection,
    catalog
      .selectFrom('pg_catalog.pg_class as c')
      .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
      .select(['n.nspname as schema', 'c.relname as identifier', 'c.relkind as relkind'])
      .where('n.nspname', 'in', schemas)
      .where('c.relkind', 'in', Object.keys(RELATION_KIND_BY_RELKIND)),
  );
  return rows.map((row) => ({ schema: row.schema, identifier: row.identifier, kind: RELATION_KIND_BY_RELKIND[row.relkind]! }));
}

export async function listSchemas(connection: Connection): Promise<string[]> {
  const rows = await run(connection, catalog.selectFrom('pg_catalog.pg_namespace').select('nspname'));
  return rows.map((row) => row.nspname);
}

export async function listColumns(connection: Connection, relation: Relation): Promise<Array<{ name: string; dataType: string }>> {
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
}

/** The kind of relation at `relation` now, or undefined: read inside the transaction that is about to replace it. */
export async function findRelation(connection: Connection, relation: Relation): Promise<CatalogRelation | undefined> {
  const rows = await run(
    connection,
    catalog
      .selectFrom('pg_catalog.pg_class as c')
      .innerJoin('pg_catalog.pg_namespace as n', 'n.oid', 'c.relnamespace')
      .select('c.relkind as relkind')
      .where('n.nspname', '=', relation.schema)
      .where('c.relname', '=', relation.identifier)
      .where('c.relkind', 'in', Object.keys(RELATION_KIND_BY_RELKIND)),
  );
  const kind = rows[0] && RELATION_KIND_BY_RELKIND[rows[0].relkind];
  return kind ? { ...relation, kind } : undefined;
}

export interface DependentView extends Relation {
  kind: 'view' | 'materialized_view';
  /** pg_get_viewdef: the SELECT as PostgreSQL stores it, naming relations as they are called now. */
  definition: string;
}

/**
 * Views and materialized views that read `relation`, directly or through each other, each after the ones it reads:
 * what DROP ... CASCADE would take with it.
 */
export async function dependentViews(connection: Connection, relation: Relation): Promise<DependentView[]> {
  const query = sql<{ schema: string; identifier: string; relkind: string; definition: string }>`
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
    order by max(dependents.depth), n.nspname, c.relname`;
  const rows = await run(connection, { compile: () => query.compile(catalog) });
  return rows.map((row) => ({
    schema: row.schema,
    identifier: row.identifier,
    kind: row.relkind === 'm' ? 'materialized_view' : 'view',
    definition: row.definition,
  }));
}

export interface ColumnType {
  name: string;
  /** format_type: the full type as DDL spells it, `numeric(10,2)`, `character varying(20)`. */
  type: string;
}

/** Columns of any relation the session can name (temporary tables included), in order, with their full types. */
export async function relationColumns(connection: Connection, quotedRelation: string): Promise<ColumnType[]> {
  const query = sql<ColumnType>`
    select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type
    from pg_catalog.pg_attribute a
    where a.attrelid = ${quotedRelation}::regclass and a.attnum > 0 and not a.attisdropped
    order by a.attnum`;
  return run(connection, { compile: () => query.compile(catalog) });
}

/** Column lists of the unique indexes (and primary keys) on a relation: what INSERT ... ON CONFLICT can target. */
export async function listUniqueIndexes(connection: Connection, relation: Relation): Promise<string[][]> {
  const query = sql<{ columns: string[] }>`
    select array_agg(a.attname::text order by k.ordinality) as columns
    from pg_catalog.pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ordinality)
    join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = ${quoteRelation(relation)}::regclass and i.indisunique and i.indpred is null and i.indexprs is null
    group by i.indexrelid`;
  const rows = await run(connection, { compile: () => query.compile(catalog) });
  return rows.map((row) => row.columns);
}

/** Names of the constraints on `relation` (none when it does not exist). */
export async function constraintNames(connection: Connection, relation: Relation): Promise<string[]> {
  const query = sql<{ name: string }>`
    select conname as name from pg_catalog.pg_constraint where conrelid = to_regclass(${quoteRelation(relation)})`;
  const rows = await run(connection, { compile: () => query.compile(catalog) });
  return rows.map((row) => row.name);
}
