import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SeedSource } from '../core/nodes.js';
import { walkFiles } from '../util/files.js';
import { globToRegExp } from '../util/glob.js';
import type { LoadedFile } from './seed-state.js';

export interface SeedFile {
  /** Project-relative, as stored in `_file` and the state table. */
  path: string;
  absolute: string;
  size: number;
  mtimeMs: number;
}

/** The files a seed reads now, in a stable order. */
export function listSeedFiles(projectRoot: string, source: SeedSource): SeedFile[] {
  const paths =
    source.kind === 'file'
      ? [source.file]
      : (() => {
          const pattern = globToRegExp(source.glob);
          return walkFiles(projectRoot, source.root).filter((path) => pattern.test(path.slice(source.root.length + 1)));
        })();
  return paths.map((path) => {
    const absolute = join(projectRoot, path);
    const stat = statSync(absolute);
    return { path, absolute, size: stat.size, mtimeMs: stat.mtimeMs };
  });
}

export interface FilePlan {
  /** New files, and files whose content changed (their old rows are replaced). */
  toLoad: Array<SeedFile & { replaces: boolean }>;
  /** Size and mtime changed but the content did not: only the state row is refreshed. */
  touched: Array<LoadedFile>;
  unchanged: number;
  /** Loaded before, gone from disk now: their rows are kept. */
  missing: string[];
}

/** Unchanged files cost a stat; a file whose size or mtime moved is read once to compare its hash. */
export async function planFiles(files: SeedFile[], state: Map<string, LoadedFile>, optionsHash: string): Promise<FilePlan> {
  const plan: FilePlan = { toLoad: [], touched: [], unchanged: 0, missing: [] };
  const present = new Set<string>();
  for (const file of files) {
    present.add(file.path);
    const known = state.get(file.path);
    if (!known) plan.toLoad.push({ ...file, replaces: false });
    else if (known.optionsHash !== optionsHash) plan.toLoad.push({ ...file, replaces: true });
    else if (known.size === file.size && known.mtimeMs === file.mtimeMs) plan.unchanged++;
    // A different size proves a change; only a same-size file with a new mtime is read to compare.
    else if (known.size === file.size && (await sha256File(file.absolute)) === known.sha256) plan.touched.push({ ...known, mtimeMs: file.mtimeMs });
    else plan.toLoad.push({ ...file, replaces: true });
  }
  for (const path of state.keys()) if (!present.has(path)) plan.missing.push(path);
  return plan;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readHashing(path, hash)) void chunk;
  return hash.digest('hex');
}

/** The file's bytes as read, feeding a hash on the way: one read gives both the records and the checksum. */
export async function* readHashing(path: string, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    yield chunk as Buffer;
  }
}
