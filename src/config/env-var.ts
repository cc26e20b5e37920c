import { TsdbtError } from '../core/errors.js';

/** dbt's convention: environment variables named so hold secrets, which only profiles.yml may read. */
export const SECRET_ENV_PREFIXES = ['TSDBT_ENV_SECRET_', 'DBT_ENV_SECRET_'];

export const isSecretEnvVar = (name: string): boolean => SECRET_ENV_PREFIXES.some((prefix) => name.startsWith(prefix));

/**
 * `{{env_var "NAME" "default"}}`. A secret (TSDBT_ENV_SECRET_*) is refused outside profiles.yml, so it can never reach
 * compiled SQL, the manifest or the docs; profiles.yml reads it with `allowSecrets`.
 */
export function envVar(name: string, fallback: string | undefined, at?: { line: number; column: number }, allowSecrets = false): string {
  if (isSecretEnvVar(name) && !allowSecrets) {
    throw new TsdbtError('compile', `environment variable '${name}' is a secret: only profiles.yml may read it`, {
      hint: 'secrets would end up in compiled SQL and artifacts; read it in profiles.yml (a password, a token) and let the connection use it',
      location: at ? { file: '', line: at.line, column: at.column + 1 } : undefined,
    });
  }
  const value = process.env[name];
  reads?.set(name, value ?? null);
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new TsdbtError('compile', `environment variable '${name}' is not set and env_var gives no default`, {
    hint: `set ${name}, or write {{env_var "${name}" "default"}}`,
    location: at ? { file: '', line: at.line, column: at.column + 1 } : undefined,
  });
}

/** The variables `env_var` read while `recordEnvReads` runs, with their values (null: unset). */
let reads: Map<string, string | null> | undefined;

/**
 * Runs `fn` and says which environment variables templates read meanwhile: a cached parse result stays valid only
 * while they keep their values.
 */
export function recordEnvReads<T>(fn: () => T): { result: T; env: Record<string, string | null> } {
  const outer = reads;
  reads = new Map();
  try {
    const result = fn();
    return { result, env: Object.fromEntries(reads) };
  } finally {
    if (outer) for (const [name, value] of reads) outer.set(name, value);
    reads = outer;
  }
}
