import { TsdbtError } from '../errors.js';

export function envVar(name: string, fallback: string | undefined, at?: { line: number; column: number }): string {
  const value = process.env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new TsdbtError('compile', `environment variable '${name}' is not set and env_var gives no default`, {
    hint: `set ${name}, or write {{env_var "${name}" "default"}}`,
    location: at ? { file: '', line: at.line, column: at.column + 1 } : undefined,
  });
}
