import type { SqlDialect } from '../dialect.js';
import { postgresSqlDialect } from '../postgres/postgres-sql-dialect.js';
import { createCitusIntrospector } from './citus-introspector.js';
import { createCitusSql, type CitusDefaults } from './citus-sql.js';

/** PostgreSQL's Kysely pieces; Citus's table creation and catalog of table placements. */
export function createCitusSqlDialect(defaults: CitusDefaults): SqlDialect {
  return { ...postgresSqlDialect, sql: createCitusSql(defaults), createIntrospector: createCitusIntrospector };
}
