import { readFileSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread that reads and writes many small files with synchronous calls, so that on a large project the
 * main thread parses and renders while a second core does the file system's work (reading 10,000 model files or
 * creating 10,000 compiled ones each cost the main thread a few hundred milliseconds). Under a few hundred files the
 * thread's start costs more than it saves, and callers keep to the main thread.
 *
 * Failures are not reported from the thread: the main thread does what failed again itself, so an error is Node's
 * own, thrown where it was before.
 */

/** From this many files, a read, a stat or a batch of writes goes through the worker. */
export const WORKER_MIN_FILES = 256;

/** Texts come back in batches of this many, so parsing starts on the first files while the rest are read. */
const READ_BATCH = 128;

type Request = { id: number; read: string[] } | { id: number; write: Array<[path: string, content: string]> } | { id: number; stat: string[] };
/**
 * `texts`: one batch of a read, null where reading failed. `failed`: the indices of a write batch that failed.
 * `stats`: per file its size, mtimeMs, ctimeMs and inode, NaN where the stat failed.
 */
type Reply = { id: number; texts: Array<string | null>; last: boolean } | { id: number; failed: number[] } | { id: number; stats: Float64Array };

/** What a stat of a file says of its content's identity. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

const STAT_FIELDS = 4;

/**
 * The thread's code. It is started from this function's source text (`eval`), so the sources under test and the
 * bundle run the same code without a separate file: it must use nothing but its parameters.
 */
function fileWorkerThread(port: import('node:worker_threads').MessagePort, fs: typeof import('node:fs'), path: typeof import('node:path'), options: { readBatch: number; statFields: number; pid: number }): void {
  let writes = 0;
  port.on('message', (request: Request) => {
    if ('stat' in request) {
      const stats = new Float64Array(request.stat.length * options.statFields).fill(NaN);
      request.stat.forEach((file, index) => {
        try {
          const stat = fs.statSync(file);
          stats.set([stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino], index * options.statFields);
        } catch {
          // Left NaN: the caller stats the file itself, for Node's own error.
        }
      });
      port.postMessage({ id: request.id, stats } satisfies Reply, [stats.buffer]);
      return;
    }
    if ('read' in request) {
      for (let start = 0; start === 0 || start < request.read.length; start += options.readBatch) {
        const texts = request.read.slice(start, start + options.readBatch).map((file) => {
          try {
            return fs.readFileSync(file, 'utf8');
          } catch {
            return null;
          }
        });
        port.postMessage({ id: request.id, texts, last: start + options.readBatch >= request.read.length } satisfies Reply);
      }
      return;
    }
    const failed: number[] = [];
    // Per request: a folder may have been removed since an earlier one (`tsdbt clean` in the same process).
    const madeDirs = new Set<string>();
    request.write.forEach(([file, content], index) => {
      try {
        const dir = path.dirname(file);
        if (!madeDirs.has(dir)) {
          fs.mkdirSync(dir, { recursive: true });
          madeDirs.add(dir);
        }
        // As the main thread's writes: a temporary file and a rename, so a reader never sees half a file.
        const temporary = `${file}.${options.pid}.w${++writes}.tmp`;
        fs.writeFileSync(temporary, content);
        fs.renameSync(temporary, file);
      } catch {
        failed.push(index);
      }
    });
    port.postMessage({ id: request.id, failed } satisfies Reply);
  });
}

class FileWorker {
  private readonly worker: Worker;
  private readonly handlers = new Map<number, (reply: Reply) => void>();
  private nextId = 0;

  constructor() {
    const code = `const threads = require('node:worker_threads');
(${fileWorkerThread.toString()})(threads.parentPort, require('node:fs'), require('node:path'), threads.workerData);`;
    this.worker = new Worker(code, { eval: true, workerData: { readBatch: READ_BATCH, statFields: STAT_FIELDS, pid: process.pid } });
    this.worker.on('message', (reply: Reply) => this.handlers.get(reply.id)?.(reply));
    // Idle, it must not keep the process alive; while a request is pending, it must.
    this.worker.unref();
  }

  /** The texts of `files` (absolute paths) in order, batch by batch; null where the thread could not read one. */
  async *read(files: string[]): AsyncGenerator<Array<string | null>> {
    const batches: Array<Array<string | null>> = [];
    let finished = false;
    let wake: (() => void) | undefined;
    this.request({ id: this.nextId++, read: files }, (reply) => {
      if (!('texts' in reply)) return;
      batches.push(reply.texts);
      finished = reply.last;
      wake?.();
      return reply.last;
    });
    while (!finished || batches.length > 0) {
      if (batches.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      yield* batches.splice(0);
    }
  }

  /** Writes each file through a temporary file and a rename; resolves to the indices that failed. */
  write(files: Array<[path: string, content: string]>): Promise<number[]> {
    return new Promise((resolve) => {
      this.request({ id: this.nextId++, write: files }, (reply) => {
        if (!('failed' in reply)) return;
        resolve(reply.failed);
        return true;
      });
    });
  }

  /** Stats `files` (absolute paths); see `Reply`. */
  stat(files: string[]): Promise<Float64Array> {
    return new Promise((resolve) => {
      this.request({ id: this.nextId++, stat: files }, (reply) => {
        if (!('stats' in reply)) return;
        resolve(reply.stats);
        return true;
      });
    });
  }

  /** Sends a request; `onReply` returns true on its last reply. */
  private request(request: Request, onReply: (reply: Reply) => boolean | undefined): void {
    if (this.handlers.size === 0) this.worker.ref();
    this.handlers.set(request.id, (reply) => {
      if (!onReply(reply)) return;
      this.handlers.delete(request.id);
      if (this.handlers.size === 0) this.worker.unref();
    });
    this.worker.postMessage(request);
  }
}

let shared: FileWorker | undefined;

/** One thread per process, started on first use. */
export function fileWorker(): FileWorker {
  shared ??= new FileWorker();
  return shared;
}

/**
 * The texts of `files` (absolute paths), in order and in batches: through the worker when there are many, else read
 * here one by one. Each file is read here, when its turn comes, if the worker could not read it: the error is
 * Node's own, thrown after the files before it were handled, as a read on the main thread would be.
 */
export async function* readTextFiles(files: string[]): AsyncGenerator<string[]> {
  if (files.length < WORKER_MIN_FILES) {
    for (const file of files) yield [readFileSync(file, 'utf8')];
    return;
  }
  let offset = 0;
  for await (const batch of fileWorker().read(files)) {
    let from = 0;
    for (let i = 0; i < batch.length; i++) {
      if (batch[i] !== null) continue;
      if (i > from) yield batch.slice(from, i) as string[];
      yield [readFileSync(files[offset + i]!, 'utf8')];
      from = i + 1;
    }
    if (from < batch.length) yield (from === 0 ? batch : batch.slice(from)) as string[];
    offset += batch.length;
  }
}

/**
 * The stats of `files` (absolute paths), in order: on a large project in the worker, whose first calls of statSync
 * (slow until the JIT warms up: about 20 microseconds each) then cost the main thread nothing. A file that cannot be
 * stat'ed there is stat'ed here, so its error is Node's own.
 */
export async function statFiles(files: string[]): Promise<FileStat[]> {
  const here = (file: string): FileStat => {
    const { size, mtimeMs, ctimeMs, ino } = statSync(file);
    return { size, mtimeMs, ctimeMs, ino };
  };
  if (files.length < WORKER_MIN_FILES) return files.map(here);
  const stats = await fileWorker().stat(files);
  return files.map((file, index) => {
    const at = index * STAT_FIELDS;
    if (Number.isNaN(stats[at])) return here(file);
    return { size: stats[at]!, mtimeMs: stats[at + 1]!, ctimeMs: stats[at + 2]!, ino: stats[at + 3]! };
  });
}
