import { TsdbtError } from '../errors.js';

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
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new TsdbtError('compile', `environment variable '${name}' is not set and env_var gives no default`, {
    hint: `set ${name}, or write {{env_var "${name}" "default"}}`,
    location: at ? { file: '', line: at.line, column: at.column + 1 } : undefined,
  });
}
