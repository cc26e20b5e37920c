import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { registerSecret, registerShownValues } from '../redact.js';
import { maskSecretValues } from './secret-frames.js';
import { readYamlFile, validateYaml } from './yaml-file.js';
import { strictObject } from '../core/strict-object.js';
import { renderYamlTemplates } from './yaml-templates.js';

export const PROFILES_FILE = 'profiles.yml';

// Coerced, as dbt reads a rendered "4": `threads: "{{env_var 'THREADS' '4'}}"`.
const threads = z.coerce.number().int().min(1).max(64).default(1);

const postgresOutput = strictObject({
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
});

const pgliteOutput = strictObject({
  type: z.literal('pglite'),
  path: z.string().default('.tsdbt/pglite'),
  schema: z.string().default('public'),
  threads,
});

const output = z.discriminatedUnion('type', [postgresOutput, pgliteOutput]);
const profilesSchema = z.record(
  z.string(),
  strictObject({ target: z.string(), outputs: z.record(z.string(), z.unknown()) }),
);

export interface PostgresTarget {
  type: 'postgres';
  name: string;
  profileName: string;
  schema: string;
  threads: number;
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

export interface PgliteTarget {
  type: 'pglite';
  name: string;
  profileName: string;
  schema: string;
  threads: number;
  /** Absolute path of the data directory. */
  path: string;
}

export type Target = PostgresTarget | PgliteTarget;

export interface ResolvedTarget {
  target: Target;
  /** Where it came from, for `tsdbt debug` and the one-line notice of the embedded default. */
  origin: { kind: 'profiles'; file: string } | { kind: 'embedded-default'; searched: string[] };
}

export interface ProfileOptions {
  projectRoot: string;
  profilesDir?: string;
  profile?: string;
  projectProfile?: string;
  target?: string;
  threads?: number;
}

export function profileSearchPath(options: Pick<ProfileOptions, 'projectRoot' | 'profilesDir'>): string[] {
  const dirs = [options.profilesDir, process.env.TSDBT_PROFILES_DIR, options.projectRoot, join(homedir(), '.tsdbt')];
  return dirs.filter((dir): dir is string => !!dir).map((dir) => resolve(dir));
}

export function resolveTarget(options: ProfileOptions): ResolvedTarget {
  const searched = profileSearchPath(options);
  const explicitDir = options.profilesDir ?? process.env.TSDBT_PROFILES_DIR;
  const found = searched.map((dir) => join(dir, PROFILES_FILE)).find((file) => existsSync(file));
  if (options.profilesDir && !existsSync(join(resolve(options.profilesDir), PROFILES_FILE))) {
    throw new TsdbtError('usage', `no ${PROFILES_FILE} in --profiles-dir ${resolve(options.profilesDir)}`);
  }
  const profileName = options.profile ?? options.projectProfile;
  if (!found || !profileName) return embeddedDefault(options, searched);

  // Parsed as YAML, then only what the selected output needs is rendered: other outputs may read variables unset here.
  const file = readYamlFile(found, found, { frameText: maskSecretValues });
  const profiles = validateYaml(file, profilesSchema);
  const profile = profiles[profileName];
  if (!profile) {
    if (!options.profile && !explicitDir) return embeddedDefault(options, searched);
    throw new TsdbtError('config', `profile '${profileName}' is not in ${found}`, {
      hint: didYouMean(profileName, Object.keys(profiles)) ?? `profiles there: ${Object.keys(profiles).join(', ') || 'none'}`,
    });
  }
  const targetName = options.target ?? renderYamlTemplates(file, [profileName, 'target'], profile.target, { allowSecrets: true });
  if (profile.outputs[targetName] === undefined) {
    throw new TsdbtError('config', `target '${targetName}' is not an output of profile '${profileName}'`, {
      location: file.locate([profileName, 'outputs']),
      hint: didYouMean(targetName, Object.keys(profile.outputs)) ?? `outputs: ${Object.keys(profile.outputs).join(', ')}`,
    });
  }
  const at = [profileName, 'outputs', targetName];
  const parsed = validateYaml(file, output, at, renderYamlTemplates(file, at, profile.outputs[targetName], { allowSecrets: true }));
  const threadsOverride = options.threads;
  if (parsed.type === 'pglite') {
    return {
      target: {
        type: 'pglite',
        name: targetName,
        profileName,
        schema: parsed.schema,
        threads: threadsOverride ?? parsed.threads,
        path: resolve(options.projectRoot, parsed.path),
      },
      origin: { kind: 'profiles', file: found },
    };
  }
  const password = parsed.password ?? parsed.pass;
  const database = parsed.dbname ?? parsed.database;
  registerSecret(password);
  registerShownValues([parsed.user, parsed.host, database, parsed.schema]);
  if (!database) {
    throw new TsdbtError('config', `output '${targetName}' of profile '${profileName}' needs dbname (or database)`, {
      location: file.locate([profileName, 'outputs', targetName]),
    });
  }
  return {
    target: {
      type: 'postgres',
      name: targetName,
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
    },
    origin: { kind: 'profiles', file: found },
  };
}

function embeddedDefault(options: ProfileOptions, searched: string[]): ResolvedTarget {
  return {
    target: {
      type: 'pglite',
      name: 'embedded',
      profileName: options.profile ?? options.projectProfile ?? 'embedded',
      schema: 'public',
      threads: options.threads ?? 1,
      path: resolve(options.projectRoot, '.tsdbt/pglite'),
    },
    origin: { kind: 'embedded-default', searched },
  };
}

/** The target as artifacts and `debug` show it: never the password. */
export function describeTarget(target: Target): Record<string, unknown> {
  if (target.type === 'pglite') return { type: target.type, name: target.name, schema: target.schema, path: target.path };
  return {
    type: target.type,
    name: target.name,
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    schema: target.schema,
    threads: target.threads,
  };
}
