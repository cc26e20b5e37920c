import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DataDirectoryLock, LOCK_FILE, takeoverMarker } from '../../src/adapters/pglite/pglite-lock.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

function lockWith(owner: Record<string, unknown> | string): string {
  const dir = temporaryDir('tsdbt-lock-');
  writeFileSync(join(dir, LOCK_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));
  return dir;
}

const longAgo = new Date(Date.now() - 3_600_000).toISOString();
/** Above Linux's largest pid (2^22): no process has it. */
const deadPid = 2 ** 22 + 12345;
const deadOwner = (nonce: string) => ({ pid: deadPid, host: hostname(), command: 'tsdbt run', startedAt: longAgo, heartbeatAt: longAgo, nonce });

/** A contender process (pglite-lock-contender.ts): `ready` once it waits for the start file, `exited` with its exit code. */
function startContender(script: string, args: string[]): { ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { ready, exited };
}

describe('PGlite data directory lock', () => {
  it('a live holder on this host keeps its lock, however old its heartbeat (a long WASM query stops the timer)', async () => {
    const dir = lockWith({ pid: process.pid, host: hostname(), command: 'tsdbt run', startedAt: longAgo, heartbeatAt: longAgo });
    await expect(new DataDirectoryLock(dir).acquire(0)).rejects.toThrowError(`in use by another tsdbt process (pid ${process.pid}`);
  });

  it('a second taker waits up to its timeout, and gets the lock when the holder lets go in time', async () => {
    const dir = temporaryDir('tsdbt-lock-');
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

  it('a taker that died mid-takeover, even while taking over a dead taker, leaves no lasting lock nor files', async () => {
    const dir = lockWith(deadOwner('held'));
    const marker = takeoverMarker(join(dir, LOCK_FILE));
    writeFileSync(marker, JSON.stringify(deadOwner('taker')));
    writeFileSync(takeoverMarker(marker), JSON.stringify(deadOwner('taker of the taker')));
    const lock = new DataDirectoryLock(dir);
    await lock.acquire(0);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a stale lock being taken over by a live process is left to it', async () => {
    const dir = lockWith(deadOwner('held'));
    writeFileSync(takeoverMarker(join(dir, LOCK_FILE)), JSON.stringify({ ...deadOwner('taker'), pid: process.pid }));
    await expect(new DataDirectoryLock(dir).acquire(0)).rejects.toThrowError(`in use by another tsdbt process (pid ${deadPid}`);
  });

  it('of many processes taking one stale lock over at once, one holds it at a time, and each gets its turn', async () => {
    const work = temporaryDir('tsdbt-lock-race-');
    const script = join(work, 'contender.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./pglite-lock-contender.ts', import.meta.url))],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'warning',
    });
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);
    const log = join(work, 'turns.log');
    const rounds = 12;
    const contenders = 8;
    for (let round = 0; round < rounds; round++) {
      writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(deadOwner(`round ${round}`)));
      const startFile = join(work, `start-${round}`);
      // Half let go, half die holding the lock: the others take a stale lock over again within the round.
      const started = Array.from({ length: contenders }, (_, i) => startContender(script, [dataDir, log, startFile, i % 2 === 0 ? 'release' : 'die']));
      await Promise.all(started.map((contender) => contender.ready));
      writeFileSync(startFile, '');
      expect(await Promise.all(started.map((contender) => contender.exited))).toEqual(Array(contenders).fill(0));
    }
    const turns = readFileSync(log, 'utf8').trim().split('\n');
    let holder: string | undefined;
    for (const [i, turn] of turns.entries()) {
      const [what, pid] = turn.split(' ');
      if (what === 'enter') {
        if (holder !== undefined) throw new Error(`record ${i}: pid ${pid} took the lock while pid ${holder} held it`);
        holder = pid;
      } else {
        expect(pid, `record ${i}`).toBe(holder);
        holder = undefined;
      }
    }
    expect(turns).toHaveLength(rounds * contenders * 2);
    // No takeover marker nor private file is left behind; the last holder to die leaves its lock, stale.
    expect(readdirSync(dataDir).filter((file) => file !== LOCK_FILE)).toEqual([]);
  });
});
