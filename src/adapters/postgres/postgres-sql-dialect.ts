import type { SqlDialect } from '../dialect.js';
import { createPostgresIntrospector } from './postgres-introspector.js';
import { postgresKysely, postgresSql } from './postgres-sql.js';

/** PostgreSQL's statements and catalog: also those of the engines that keep its catalog (PGlite). */
export const postgresSqlDialect: SqlDialect = {
  sql: postgresSql,
  kysely: postgresKysely,
  createIntrospector: createPostgresIntrospector,
};
