import type { Dialect } from '../dialect.js';
import type { PostgresTarget } from '../postgres/postgres-profile.js';
import { citusVersion } from './citus-extension.js';
import { citusProfile, type CitusTarget } from './citus-profile.js';

/** A Citus coordinator: PostgreSQL with tables distributed over worker nodes. */
export const citusDialect: Dialect<CitusTarget, typeof citusProfile.shape> = {
  type: 'citus',
  profile: citusProfile,
  async createAdapter(target) {
    const [{ CitusAdapter }, { createCitusSqlDialect }] = await Promise.all([import('./citus-adapter.js'), import('./citus-sql-dialect.js')]);
    return new CitusAdapter(target, createCitusSqlDialect({ shardCount: target.shardCount }));
  },
  // A PostgreSQL database with the extension is a coordinator: its tables are created as their models' configs say.
  detect: {
    baseType: 'postgres',
    async probe(connection) {
      const version = await citusVersion(connection);
      return version === undefined ? undefined : `the database has the citus extension (${version})`;
    },
    // A target of type postgres has PostgreSQL's keys, which are Citus's but shard_count.
    target: (base) => ({ ...(base as PostgresTarget), type: 'citus' }),
  },
};
