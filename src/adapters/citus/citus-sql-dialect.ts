import type { SqlDialect } from '../dialect.js';
import { postgresSqlDialect } from '../postgres/postgres-sql-dialect.js';
import { createCitusSql, type CitusDefaults } from './citus-sql.js';

/** PostgreSQL's catalog and Kysely pieces; Citus's table creation. */
export function createCitusSqlDialect(defaults: CitusDefaults): SqlDialect {
  return { ...postgresSqlDialect, sql: createCitusSql(defaults) };
}
