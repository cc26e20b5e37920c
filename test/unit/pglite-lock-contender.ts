/**
 * One contender for a data directory's lock, run (bundled) by pglite-lock.test.ts in many processes at once:
 * waits for the start file, takes the lock, records its turn in the log with O_APPEND writes, then lets go, or dies
 * holding it (`die`) so that the next ones must take a stale lock over.
 *
 *   node contender.mjs DATA_DIR LOG START_FILE release|die
 */
import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataDirectoryLock } from '../../src/adapters/pglite/pglite-lock.js';

const [dataDir, log, startFile, ending] = process.argv.slice(2) as [string, string, string, 'release' | 'die'];
process.stdout.write('ready\n');
while (!existsSync(startFile)) await sleep(1);
const lock = new DataDirectoryLock(dataDir);
await lock.acquire(60_000);
appendFileSync(log, `enter ${process.pid}\n`);
await sleep(2 + Math.random() * 8);
appendFileSync(log, `exit ${process.pid}\n`);
if (ending === 'die') process.exit(0);
lock.release();
