import type { Target } from '../config/profiles.js';
import type { Adapter } from './adapter.js';
import { PgliteAdapter } from './pglite/pglite-adapter.js';

export interface AdapterOptions {
  /** How long to wait for another process holding an embedded database (PGlite) before giving up. */
  lockTimeoutMs?: number;
}

/**
 * pg is loaded lazily: commands that never touch a database (compile, ls) do not pay for it. The PGlite adapter is a
 * few kilobytes that load PGlite itself lazily, and is loaded at once: its open starts in the same turn, while the
 * project is parsed, instead of after the import's turns behind the parse's work.
 */
export async function createAdapter(target: Target, { lockTimeoutMs = 5_000 }: AdapterOptions = {}): Promise<Adapter> {
  if (target.type === 'postgres') {
    const { PostgresAdapter } = await import('./postgres/postgres-adapter.js');
    return new PostgresAdapter(target);
  }
  return new PgliteAdapter(target, lockTimeoutMs);
}
