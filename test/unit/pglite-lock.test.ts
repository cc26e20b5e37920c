import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirectoryLock, LOCK_FILE } from '../../src/adapters/pglite/pglite-lock.js';

function lockWith(owner: Record<string, unknown> | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsdbt-lock-'));
  writeFileSync(join(dir, LOCK_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));
  return dir;
}

const longAgo = new Date(Date.now() - 3_600_000).toISOString();

describe('PGlite data directory lock', () => {
  it('a live holder on this host keeps its lock, however old its heartbeat (a long WASM query stops the timer)', async () => {
    const dir = lockWith({ pid: process.pid, host: hostname(), command: 'tsdbt run', startedAt: longAgo, heartbeatAt: longAgo });
    await expect(new DataDirectoryLock(dir).acquire(0)).rejects.toThrowError(`in use by another tsdbt process (pid ${process.pid}`);
  });

  it('a second taker waits up to its timeout, and gets the lock when the holder lets go in time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdbt-lock-'));
    const holder = new DataDirectoryLock(dir);
    await holder.acquire(0);
    const started = Date.now();
    await expect(new DataDirectoryLock(dir).acquire(300)).rejects.toThrowError(/in use by another tsdbt process[\s\S]*/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    setTimeout(() => holder.release(), 300);
    const second = new DataDirectoryLock(dir);
    await second.acquire(10_000);
    second.release();
  });

  it('a dead holder on this host loses it', async () => {
    const dir = lockWith({ pid: 2 ** 22 + 12345, host: hostname(), command: 'tsdbt run', startedAt: longAgo, heartbeatAt: new Date().toISOString() });
    const lock = new DataDirectoryLock(dir);
    await lock.acquire(0);
    lock.release();
  });

  it('a lock being written (unreadable, fresh) counts as held', async () => {
    const dir = lockWith('{"pid": 12');
    await expect(new DataDirectoryLock(dir).acquire(0)).rejects.toThrowError('in use by another tsdbt process');
  });
});
