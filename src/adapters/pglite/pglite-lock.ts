import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TsdbtError } from '../../errors.js';
import { writeFileAtomic } from '../../util/files.js';

/**
 * PGlite takes no lock on its data directory and a second process opening it corrupts it. tsdbt holds this lock file
 * there while it has the database open, and refreshes a heartbeat in it; a lock whose owner is gone is taken over.
 */
export const LOCK_FILE = 'tsdbt.lock';
const HEARTBEAT_MS = 2_000;
const STALE_AFTER_MS = 15_000;
const POLL_MS = 200;

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  heartbeatAt: string;
}

export class DataDirectoryLock {
  private timer?: NodeJS.Timeout;
  private readonly path: string;
  private readonly owner: LockOwner;

  constructor(dataDir: string) {
    this.path = join(dataDir, LOCK_FILE);
    const now = new Date().toISOString();
    this.owner = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), startedAt: now, heartbeatAt: now };
  }

  /** Takes the lock, waiting up to `timeoutMs` for a live holder to let go; a stale lock is taken over at once. */
  async acquire(timeoutMs: number): Promise<void> {
    mkdirSync(join(this.path, '..'), { recursive: true });
    const started = Date.now();
    for (;;) {
      if (this.claim()) return;
      const holder = this.readHolder();
      if (isStale(holder, this.path)) {
        this.takeOverStale();
        continue;
      }
      const waited = Date.now() - started;
      if (waited >= timeoutMs) {
        const who = holder ? `pid ${holder.pid} on ${holder.host}, running "${holder.command}" since ${holder.startedAt}` : `see ${this.path}`;
        throw new TsdbtError('connection', `the embedded database at ${join(this.path, '..')} is in use by another tsdbt process (${who})`, {
          hint: `waited ${(waited / 1000).toFixed(1)} s; wait for it to finish, or give --lock-timeout more seconds (PGlite cannot be opened by two processes at once)`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Claims with a link of a complete file, so the lock never exists half-written; false if another holds it. */
  private claim(): boolean {
    const claim = `${this.path}.${process.pid}.claim`;
    writeFileSync(claim, JSON.stringify(this.owner));
    try {
      linkSync(claim, this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      rmSync(claim, { force: true });
    }
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
    return true;
  }

  /** Renames the stale lock away: of two processes doing this at once only one rename succeeds, the other claims next. */
  private takeOverStale(): void {
    try {
      renameSync(this.path, `${this.path}.stale.${process.pid}`);
      rmSync(`${this.path}.stale.${process.pid}`, { force: true });
    } catch {
      // Another process took it over first; the next claim sees its lock.
    }
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const holder = this.readHolder();
    if (holder?.pid === process.pid && holder.host === this.owner.host) rmSync(this.path, { force: true });
  }

  private beat(): void {
    this.owner.heartbeatAt = new Date().toISOString();
    try {
      const holder = this.readHolder();
      if (holder?.pid !== process.pid) return;
      writeFileAtomic(this.path, JSON.stringify(this.owner));
    } catch {
      // A missed beat only makes the lock look older; the next one tries again.
    }
  }

  private readHolder(): LockOwner | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as LockOwner;
    } catch {
      return undefined;
    }
  }
}

/**
 * On this host the holder's pid decides: alive is never stale, whatever its heartbeat (a long WASM query stops the
 * heartbeat timer). The heartbeat only judges holders on other hosts (a shared folder).
 */
function isStale(holder: LockOwner | undefined, path: string): boolean {
  if (!holder) {
    // Unreadable: being written, or left broken long ago. Gone meanwhile counts as free.
    try {
      return Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS;
    } catch {
      return true;
    }
  }
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
