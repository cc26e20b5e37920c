import type { Target } from '../config/profiles.js';
import type { Adapter } from './adapter.js';

export interface AdapterOptions {
  /** How long to wait for another process holding an embedded database (PGlite) before giving up. */
  lockTimeoutMs?: number;
}

/** Loaded lazily: commands that never touch a database (compile, ls) do not pay for pg or PGlite. */
export async function createAdapter(target: Target, { lockTimeoutMs = 5_000 }: AdapterOptions = {}): Promise<Adapter> {
  if (target.type === 'postgres') {
    const { PostgresAdapter } = await import('./postgres/postgres-adapter.js');
    return new PostgresAdapter(target);
  }
  const { PgliteAdapter } = await import('./pglite/pglite-adapter.js');
  return new PgliteAdapter(target, lockTimeoutMs);
}
