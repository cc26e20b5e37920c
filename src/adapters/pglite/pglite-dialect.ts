import type { Dialect } from '../dialect.js';
import { postgresDialect } from '../postgres/postgres-dialect.js';
import { pgliteProfile, type PgliteTarget } from './pglite-profile.js';

/** Embedded PostgreSQL (WASM): PostgreSQL's SQL and catalog, its own driver (one connection, a locked data directory). */
export const pgliteDialect: Dialect<PgliteTarget, typeof pgliteProfile.schema> = {
  ...postgresDialect,
  type: 'pglite',
  profile: pgliteProfile,
  async createAdapter(target, { lockTimeoutMs = 5_000 }) {
    const { PgliteAdapter } = await import('./pglite-adapter.js');
    return new PgliteAdapter(target, pgliteDialect, lockTimeoutMs);
  },
};
