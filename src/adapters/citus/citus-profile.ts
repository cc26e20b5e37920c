import { z } from 'zod';
import type { DialectProfile } from '../dialect.js';
import { postgresOutputShape, postgresProfile, type PostgresTarget } from '../postgres/postgres-profile.js';

/** PostgreSQL's keys, plus the shard count of hash-distributed tables whose model gives none (Citus's default otherwise). */
const citusOutputShape = {
  ...postgresOutputShape,
  type: z.literal('citus'),
  shard_count: z.coerce.number().int().min(1).optional(),
};

export interface CitusTarget extends PostgresTarget {
  shardCount?: number;
}

export const citusProfile: DialectProfile<CitusTarget, typeof citusOutputShape> = {
  shape: citusOutputShape,
  target: (parsed, context) => ({ ...postgresProfile.target({ ...parsed, type: 'postgres' }, context), type: parsed.type, shardCount: parsed.shard_count }),
  describe: (target) => ({ ...postgresProfile.describe(target), shard_count: target.shardCount }),
  retries: (target) => target.retries,
  databaseName: (target) => target.database,
};
