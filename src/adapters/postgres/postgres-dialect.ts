import type { Dialect } from '../dialect.js';
import { createPostgresIntrospector } from './postgres-introspector.js';
import { postgresProfile, type PostgresTarget } from './postgres-profile.js';
import { postgresKysely, postgresSql } from './postgres-sql.js';

/** A PostgreSQL server through a pg pool. Its SQL, introspector and Kysely pieces serve the engines that share its catalog. */
export const postgresDialect: Dialect<PostgresTarget, typeof postgresProfile.schema> = {
  type: 'postgres',
  profile: postgresProfile,
  async createAdapter(target) {
    const { PostgresAdapter } = await import('./postgres-adapter.js');
    return new PostgresAdapter(target, postgresDialect);
  },
  sql: postgresSql,
  kysely: postgresKysely,
  createIntrospector: createPostgresIntrospector,
};
