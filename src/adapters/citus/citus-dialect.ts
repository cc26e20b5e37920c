import type { Dialect } from '../dialect.js';
import { citusProfile, type CitusTarget } from './citus-profile.js';

/** A Citus coordinator: PostgreSQL with tables distributed over worker nodes. */
export const citusDialect: Dialect<CitusTarget, typeof citusProfile.shape> = {
  type: 'citus',
  profile: citusProfile,
  async createAdapter(target) {
    const [{ CitusAdapter }, { createCitusSqlDialect }] = await Promise.all([import('./citus-adapter.js'), import('./citus-sql-dialect.js')]);
    return new CitusAdapter(target, createCitusSqlDialect({ shardCount: target.shardCount }));
  },
};
