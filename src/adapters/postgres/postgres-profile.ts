import { z } from 'zod';
import { TsdbtError } from '../../core/errors.js';
import { registerSecret, registerShownValues } from '../../redact.js';
import type { DialectProfile, TargetBase } from '../dialect.js';

// Coerced, as dbt reads a rendered "4": `threads: "{{env_var 'THREADS' '4'}}"`.
export const threads = z.coerce.number().int().min(1).max(64).default(1);

/** dbt-postgres's keys. */
export const postgresOutputShape = {
  type: z.literal('postgres'),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().default(5432),
  user: z.string(),
  password: z.coerce.string().optional(),
  pass: z.coerce.string().optional(),
  dbname: z.string().optional(),
  database: z.string().optional(),
  schema: z.string(),
  threads,
  sslmode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  sslrootcert: z.string().optional(),
  sslcert: z.string().optional(),
  sslkey: z.string().optional(),
  connect_timeout: z.coerce.number().int().min(0).default(10),
  search_path: z.string().optional(),
  keepalives_idle: z.coerce.number().int().min(0).optional(),
  role: z.string().optional(),
  application_name: z.string().default('tsdbt'),
  retries: z.coerce.number().int().min(0).optional(),
  statement_timeout: z.coerce.number().int().min(0).optional(),
};

export interface PostgresTarget extends TargetBase {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslmode?: string;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  connectTimeoutSeconds: number;
  searchPath?: string;
  keepalivesIdleSeconds?: number;
  role?: string;
  applicationName: string;
  /** dbt-postgres's `retries`: the default of --retries. */
  retries?: number;
  /** Milliseconds a statement may run before the server cancels it (PostgreSQL's statement_timeout). */
  statementTimeoutMs?: number;
}

export const postgresProfile: DialectProfile<PostgresTarget, typeof postgresOutputShape> = {
  shape: postgresOutputShape,
  target(parsed, { name, profileName, threads: threadsOverride, location }) {
    const password = parsed.password ?? parsed.pass;
    const database = parsed.dbname ?? parsed.database;
    registerSecret(password);
    registerShownValues([parsed.user, parsed.host, database, parsed.schema]);
    if (!database) throw new TsdbtError('config', `output '${name}' of profile '${profileName}' needs dbname (or database)`, { location: location?.() });
    return {
      type: parsed.type,
      name,
      profileName,
      schema: parsed.schema,
      threads: threadsOverride ?? parsed.threads,
      host: parsed.host,
      port: parsed.port,
      user: parsed.user,
      password,
      database,
      sslmode: parsed.sslmode,
      sslrootcert: parsed.sslrootcert,
      sslcert: parsed.sslcert,
      sslkey: parsed.sslkey,
      connectTimeoutSeconds: parsed.connect_timeout,
      searchPath: parsed.search_path,
      keepalivesIdleSeconds: parsed.keepalives_idle,
      role: parsed.role,
      applicationName: parsed.application_name,
      retries: parsed.retries,
      statementTimeoutMs: parsed.statement_timeout,
    };
  },
  describe: (target) => ({
    type: target.type,
    name: target.name,
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    schema: target.schema,
    threads: target.threads,
  }),
  retries: (target) => target.retries,
  databaseName: (target) => target.database,
};
