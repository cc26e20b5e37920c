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

  acquire(): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // Claim with a link of a complete file: the lock never exists half-written.
        const claim = `${this.path}.${process.pid}.claim`;
        writeFileSync(claim, JSON.stringify(this.owner));
        try {
          linkSync(claim, this.path);
        } finally {
          rmSync(claim, { force: true });
        }
        this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
        this.timer.unref();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = this.readHolder();
        if (!isStale(holder, this.path)) {
          const who = holder ? `pid ${holder.pid} on ${holder.host}, running "${holder.command}" since ${holder.startedAt}` : `see ${this.path}`;
          throw new TsdbtError('connection', `the embedded database at ${join(this.path, '..')} is in use by another tsdbt process (${who})`, {
            hint: 'wait for it to finish, or stop it; PGlite cannot be opened by two processes at once',
          });
        }
        // Take over by renaming the stale lock away: of two processes doing this at once, only one rename succeeds.
        try {
          renameSync(this.path, `${this.path}.stale.${process.pid}`);
          rmSync(`${this.path}.stale.${process.pid}`, { force: true });
        } catch {
          // Another process took it over first; the next attempt sees its lock.
        }
      }
    }
    throw new TsdbtError('runtime', `could not take the lock ${this.path}`);
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
