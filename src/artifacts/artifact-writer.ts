import { hash as digest } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileWorker, WORKER_MIN_FILES } from '../util/file-worker.js';
import { writeFileAtomic } from '../util/files.js';

/** Kept inside the folder it describes, so deleting the folder forgets it too. */
const HASHES_FILE = '.tsdbt_hashes.json';

/**
 * Writes the files of one artifact folder (target/compiled, target/run) off the hot path: in the background, each
 * through a temporary file and a rename, and not at all when the content is what an earlier invocation already wrote
 * there (creating files dominates the compile time of large projects). Writes are handed over at the next turn of
 * the event loop, or as soon as a burst (a compile) has queued enough of them for the file worker thread, which
 * creates the files on another core while this one renders and writes the manifest.
 */
export class ArtifactWriter {
  /** Read on the first write: a command that writes nothing here (`ls`) never parses it. */
  private previousHashes: Record<string, string> | undefined;
  private readonly current: Record<string, string> = {};
  private readonly pending = new Set<Promise<void>>();
  private readonly createdDirs = new Set<string>();
  private queued: Array<[path: string, content: string]> = [];
  private handOverScheduled = false;
  private failure: unknown;
  /** Numbers temporary files: two writes of one path may be in flight at once. */
  private writes = 0;

  constructor(private readonly folder: string) {}

  private get previous(): Record<string, string> {
    this.previousHashes ??= readHashes(join(this.folder, HASHES_FILE));
    return this.previousHashes;
  }

  /** `path` is absolute and inside the folder. */
  write(path: string, content: string): void {
    const hash = digest('sha1', content, 'base64url');
    this.current[path] = hash;
    if (this.previous[path] === hash) return;
    this.queued.push([path, content]);
    if (this.queued.length >= WORKER_MIN_FILES) this.handOver();
    else if (!this.handOverScheduled) {
      this.handOverScheduled = true;
      setImmediate(() => this.handOver());
    }
  }

  /** Waits for every write; remembers what was written for the next invocation. */
  async flush(): Promise<void> {
    this.handOver();
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.failure) throw this.failure;
    if (Object.keys(this.current).length > 0) writeFileAtomic(join(this.folder, HASHES_FILE), JSON.stringify({ ...this.previous, ...this.current }));
  }

  private handOver(): void {
    this.handOverScheduled = false;
    const files = this.queued;
    if (files.length === 0) return;
    this.queued = [];
    if (files.length >= WORKER_MIN_FILES) this.track(this.writeInWorker(files));
    else for (const [path, content] of files) this.track(this.writeAtomic(path, content));
  }

  private track(write: Promise<void>): void {
    const job = write.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  private async writeInWorker(files: Array<[path: string, content: string]>): Promise<void> {
    // What the worker could not write is tried again here, so a failure is Node's own error.
    for (const index of await fileWorker().write(files)) await this.writeAtomic(...files[index]!);
  }

  private async writeAtomic(path: string, content: string): Promise<void> {
    const dir = dirname(path);
    if (!this.createdDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.createdDirs.add(dir);
    }
    const temporary = `${path}.${process.pid}.${++this.writes}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, path);
  }
}

function readHashes(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}
