import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TsdbtError } from '../../core/errors.js';
import { writeFileAtomic } from '../../util/files.js';

/**
 * PGlite takes no lock on its data directory and a second process opening it corrupts it. tsdbt holds this lock file
 * there while it has the database open, and refreshes a heartbeat in it; a lock whose owner is gone is taken over.
 */
export const LOCK_FILE = 'tsdbt.lock';
const HEARTBEAT_MS = 2_000;
const STALE_AFTER_MS = 15_000;
const POLL_MS = 200;

/** Held, beside a lock file, by the one process replacing it: see takeOver. */
export function takeoverMarker(path: string): string {
  return `${path}.takeover`;
}

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  heartbeatAt: string;
  /** Tells this lock from every other, whatever pids and clocks say. */
  nonce: string;
}

/** One version of a lock file as read: who holds it (undefined when unreadable) and, to tell versions apart, its bytes and time. */
interface LockVersion {
  owner?: LockOwner;
  raw: string;
  mtimeMs: number;
}

export class DataDirectoryLock {
  private timer?: NodeJS.Timeout;
  private readonly path: string;
  private readonly owner: LockOwner;

  constructor(dataDir: string) {
    this.path = join(dataDir, LOCK_FILE);
    const now = new Date().toISOString();
    this.owner = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), startedAt: now, heartbeatAt: now, nonce: randomUUID() };
  }

  /** Takes the lock, waiting up to `timeoutMs` for a live holder to let go; a stale lock is taken over at once. */
  async acquire(timeoutMs: number): Promise<void> {
    mkdirSync(join(this.path, '..'), { recursive: true });
    const started = Date.now();
    for (;;) {
      if (this.claim(this.path)) break;
      const held = readLock(this.path);
      if (!held) continue; // let go meanwhile: claim again
      if (isStale(held) && this.takeOver(this.path, held)) break;
      const waited = Date.now() - started;
      if (waited >= timeoutMs) {
        const holder = held.owner;
        const who = holder ? `pid ${holder.pid} on ${holder.host}, running "${holder.command}" since ${holder.startedAt}` : `see ${this.path}`;
        throw new TsdbtError('connection', `the embedded database at ${join(this.path, '..')} is in use by another tsdbt process (${who})`, {
          hint: `waited ${(waited / 1000).toFixed(1)} s; wait for it to finish, or give --lock-timeout more seconds (PGlite cannot be opened by two processes at once)`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Creates `path` as ours with a link of a complete file, so it never exists half-written; false if it exists. */
  private claim(path: string): boolean {
    return this.withOwnFile(path, (file) => {
      try {
        linkSync(file, path);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    });
  }

  /**
   * Replaces the file at `path` by ours if it still is `stale`, the version judged stale; true when it did. Only the
   * holder of the takeover marker replaces, after reading the file again under it: of processes that judged the same
   * version stale, one replaces it and the others find it changed, and since the one rename swaps the files, no moment
   * is left where the lock is missing and a third process could claim it. Nothing else changes a stale lock (its owner
   * is gone; a claim needs the file absent). A marker whose holder died mid-takeover is stale in turn and is taken over
   * the same way, so a crash never leaves the directory locked for good.
   */
  private takeOver(path: string, stale: LockVersion): boolean {
    const marker = takeoverMarker(path);
    if (!this.claim(marker)) {
      const taker = readLock(marker);
      if (!taker || !isStale(taker) || !this.takeOver(marker, taker)) return false;
    }
    try {
      if (!sameVersion(readLock(path), stale)) return false;
      this.withOwnFile(path, (file) => renameSync(file, path));
      return true;
    } finally {
      // Ours until we remove it: no one takes over the marker of a live holder.
      rmSync(marker, { force: true });
    }
  }

  /** Writes our owner record to a private file beside `path` for `use` to link or rename into place; removes what is left. */
  private withOwnFile<T>(path: string, use: (file: string) => T): T {
    const file = `${path}.${this.owner.nonce}.claim`;
    writeFileSync(file, JSON.stringify(this.owner));
    try {
      return use(file);
    } finally {
      rmSync(file, { force: true });
    }
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.holds()) rmSync(this.path, { force: true });
  }

  private beat(): void {
    this.owner.heartbeatAt = new Date().toISOString();
    try {
      if (this.holds()) writeFileAtomic(this.path, JSON.stringify(this.owner));
    } catch {
      // A missed beat only makes the lock look older; the next one tries again.
    }
  }

  private holds(): boolean {
    return readLock(this.path)?.owner?.nonce === this.owner.nonce;
  }
}

/** The lock file at `path` as it is now, or undefined when there is none. */
function readLock(path: string): LockVersion | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const raw = readFileSync(fd, 'utf8');
    return { raw, mtimeMs: fstatSync(fd).mtimeMs, owner: parseOwner(raw) };
  } finally {
    closeSync(fd);
  }
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const owner: unknown = JSON.parse(raw);
    return typeof owner === 'object' && owner !== null ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

function sameVersion(a: LockVersion | undefined, b: LockVersion): boolean {
  return a !== undefined && a.raw === b.raw && a.mtimeMs === b.mtimeMs;
}

/**
 * On this host the holder's pid decides: alive is never stale, whatever its heartbeat (a long WASM query stops the
 * heartbeat timer). The heartbeat only judges holders on other hosts (a shared folder). An unreadable file was left
 * broken if it is old (ours are never written in place).
 */
function isStale(lock: LockVersion): boolean {
  const holder = lock.owner;
  if (!holder) return Date.now() - lock.mtimeMs > STALE_AFTER_MS;
  if (holder.host === hostname()) {
    try {
      process.kill(holder.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return Date.now() - Date.parse(holder.heartbeatAt) > STALE_AFTER_MS;
}
