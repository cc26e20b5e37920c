import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TsdbtError } from '../../errors.js';

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
        const fd = openSync(this.path, 'wx');
        writeSync(fd, JSON.stringify(this.owner));
        closeSync(fd);
        this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
        this.timer.unref();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = this.readHolder();
        if (holder && !isStale(holder)) {
          throw new TsdbtError('connection', `the embedded database at ${join(this.path, '..')} is in use by another tsdbt process (pid ${holder.pid} on ${holder.host}, running "${holder.command}" since ${holder.startedAt})`, {
            hint: 'wait for it to finish, or stop it; PGlite cannot be opened by two processes at once',
          });
        }
        rmSync(this.path, { force: true });
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
      const fd = openSync(this.path, 'w');
      writeSync(fd, JSON.stringify(this.owner));
      closeSync(fd);
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

function isStale(holder: LockOwner): boolean {
  if (holder.host === hostname()) {
    try {
      process.kill(holder.pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
  }
  return Date.now() - Date.parse(holder.heartbeatAt) > STALE_AFTER_MS;
}
