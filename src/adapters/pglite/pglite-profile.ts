import { resolve } from 'node:path';
import { z } from 'zod';
import type { DialectProfile, TargetBase } from '../dialect.js';
import { threads } from '../postgres/postgres-profile.js';

const pgliteOutputShape = {
  type: z.literal('pglite'),
  path: z.string().default('.tsdbt/pglite'),
  schema: z.string().default('public'),
  threads,
};

export interface PgliteTarget extends TargetBase {
  /** Absolute path of the data directory. */
  path: string;
}

export const pgliteProfile: DialectProfile<PgliteTarget, typeof pgliteOutputShape> = {
  shape: pgliteOutputShape,
  target(parsed, { name, profileName, projectRoot, threads: threadsOverride }) {
    return { type: parsed.type, name, profileName, schema: parsed.schema, threads: threadsOverride ?? parsed.threads, path: resolve(projectRoot, parsed.path) };
  },
  describe: (target) => ({ type: target.type, name: target.name, schema: target.schema, path: target.path }),
  retries: () => undefined,
  databaseName: () => 'pglite',
};
