import { PostgresAdapter as KyselyPostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { DialectSql } from '../dialect-sql.js';
import { quoteLiteral } from '../sql.js';
import { InliningQueryCompiler } from './postgres-inlining-compiler.js';

/** PostgreSQL's own statements: advisory locks keyed by two 32-bit integers, or by a name's hash. */
export const postgresSql: DialectSql = {
  tryLock: 'select pg_try_advisory_lock($1::int4, $2::int4) as ok',
  unlock: 'select pg_advisory_unlock($1::int4, $2::int4)',
  transactionLock: (name) => `select pg_advisory_xact_lock(hashtext(${quoteLiteral(name)}))`,
};

export const postgresKysely: Dialect['kysely'] = {
  createAdapter: () => new KyselyPostgresAdapter(),
  createQueryCompiler: () => new PostgresQueryCompiler(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createInliningQueryCompiler: () => new InliningQueryCompiler(),
};
