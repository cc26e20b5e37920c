import type { Dialect } from '../dialect.js';
import { pgliteProfile, type PgliteTarget } from './pglite-profile.js';

/** Embedded PostgreSQL (WASM): PostgreSQL's SQL and catalog, its own driver (one connection, a locked data directory). */
export const pgliteDialect: Dialect<PgliteTarget, typeof pgliteProfile.shape> = {
  type: 'pglite',
  profile: pgliteProfile,
  async createAdapter(target, { lockTimeoutMs = 5_000 }) {
    const [{ PgliteAdapter }, { postgresSqlDialect }] = await Promise.all([import('./pglite-adapter.js'), import('../postgres/postgres-sql-dialect.js')]);
    return new PgliteAdapter(target, postgresSqlDialect, lockTimeoutMs);
  },
};
