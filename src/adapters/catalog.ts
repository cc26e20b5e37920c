import type { Relation } from '../graph/nodes.js';
import type { Connection } from './adapter.js';
import { queryBuilder, runQuery as run } from './kysely.js';

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

const KINDS: Record<string, RelationKind> = { r: 'table', p: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table' };

export async function listRelations(connection: Connection, schemas: string[]): Promise<CatalogRelation[]> {
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
  return rows.map((row) => ({ schema: row.schema, identifier: row.identifier, kind: KINDS[row.relkind]! }));
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
      .where('c.relkind', 'in', Object.keys(KINDS)),
  );
  const kind = rows[0] && KINDS[rows[0].relkind];
  return kind ? { ...relation, kind } : undefined;
}
