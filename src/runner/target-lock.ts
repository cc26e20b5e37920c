import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Adapter, DedicatedConnection } from '../adapters/adapter.js';
import { TsdbtError } from '../core/errors.js';

/** The first key of every tsdbt advisory lock ('tsdb'), so they never collide with an application's own. */
export const LOCK_NAMESPACE = 0x74736462;
const POLL_MS = 200;

/** Held while a command writes: released at the end (and by the server if the process dies). */
export interface TargetLock {
  release(): Promise<void>;
}

/** The second key: a schema's name hashed to a signed 32-bit integer (advisory locks are per database already). */
export function schemaLockKey(schema: string): number {
  return createHash('sha256').update(schema).digest().readInt32BE(0);
}

/** What other sessions see of the holder, as its application_name (at most 63 bytes). */
function holderName(command: string, startedAt: Date): string {
  return `tsdbt ${command} ${process.pid}@${hostname().slice(0, 20)} ${startedAt.toISOString().slice(0, 19)}Z`.slice(0, 63);
}

/**
 * One writer per target: a session-level lock (the dialect's `tryLock`) per schema the project writes, all or none, on
 * a session of its own that lives as long as the command. A second writer polls until `timeoutMs`, then fails naming
 * the holder.
 * Locks are taken together and given back together while waiting, so two writers never deadlock on two schemas. On an
 * adapter without multiple connections (PGlite) the data directory's lock file already admits one process.
 */
export async function lockTarget(adapter: Adapter, schemas: string[], options: { command: string; timeoutMs: number; onWait?: (holder: string) => void }): Promise<TargetLock> {
  if (!adapter.capabilities.multipleConnections) return { release: async () => undefined };
  const keys = [...new Set(schemas)].sort().map((schema) => ({ schema, key: schemaLockKey(schema) }));
  const session = await adapter.connectDedicated();
  const started = new Date();
  try {
    await session.query('select set_config($1, $2, false)', ['application_name', holderName(options.command, started)]);
    let warned = false;
    for (;;) {
      const taken: number[] = [];
      for (const { key } of keys) {
        const result = await session.query(session.dialect.sql.tryLock, [LOCK_NAMESPACE, key]);
        if (result.rows[0]?.ok !== true) break;
        taken.push(key);
      }
      if (taken.length === keys.length) return { release: () => releaseAll(session, taken) };
      for (const key of taken) await session.query(session.dialect.sql.unlock, [LOCK_NAMESPACE, key]);
      const holder = await describeHolder(session, keys.map((k) => k.key));
      const waited = Date.now() - started.getTime();
      if (waited >= options.timeoutMs) {
        throw new TsdbtError('usage', `another tsdbt is writing to ${adapter.description} (schemas ${keys.map((k) => k.schema).join(', ')}): ${holder}`, {
          hint: `waited ${(waited / 1000).toFixed(1)} s; wait for it to finish, or give --lock-timeout more seconds`,
        });
      }
      if (!warned) options.onWait?.(holder);
      warned = true;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    await session.release();
    throw error;
  }
}

async function releaseAll(session: DedicatedConnection, keys: number[]): Promise<void> {
  try {
    for (const key of keys) await session.query(session.dialect.sql.unlock, [LOCK_NAMESPACE, key]);
  } catch {
    // The locks belong to the session: one the server lost (a restart) has let go of them already, and release()
    // ends any other.
  } finally {
    await session.release();
  }
}

/** Who holds one of the locks: its application name (command, client pid, host, start) and server pid. */
async function describeHolder(session: DedicatedConnection, keys: number[]): Promise<string> {
  const holder = await session.introspector.lockHolder(LOCK_NAMESPACE, keys);
  if (!holder) return 'a holder that has just let go';
  return `${holder.applicationName || 'a session'} (server pid ${holder.serverPid}, connected since ${holder.connectedSince})`;
}
