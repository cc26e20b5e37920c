import type { Dialect } from '../dialect.js';
import { postgresProfile, type PostgresTarget } from './postgres-profile.js';

/** A PostgreSQL server through a pg pool. */
export const postgresDialect: Dialect<PostgresTarget, typeof postgresProfile.shape> = {
  type: 'postgres',
  profile: postgresProfile,
  async createAdapter(target) {
    const [{ PostgresAdapter }, { postgresSqlDialect }] = await Promise.all([import('./postgres-adapter.js'), import('./postgres-sql-dialect.js')]);
    return new PostgresAdapter(target, postgresSqlDialect);
  },
};
