import { constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MemoryFS as PgliteMemoryFS, PGlite } from '@electric-sql/pglite';
import type { NodeFS as PgliteNodeFS } from '@electric-sql/pglite/nodefs';
import { TsdbtError } from '../../core/errors.js';
import { packageManifestAbove } from '../../util/package-manifest.js';
import { tsdbtCacheDir } from '../../util/cache-dir.js';
import { importExternal } from '../../util/import-external.js';

/**
 * PGlite's first start in an empty folder runs initdb in a second WASM instance (seconds, and hundreds of megabytes of
 * memory). Every initdb of one PGlite version gives the same files, so one initialised data directory per machine and
 * version, kept in a cache folder, is copied into each new database instead.
 */

/**
 * PostgreSQL's default 128 MB of shared buffers is most of PGlite's memory once touched, and a single-user database
 * reading files through the OS cache gains little from it: 16 MB keeps a small command well under 200 MB.
 * Every open sets it (databases made before keep 128 MB in their postgresql.conf); initdb takes it too, which saves it
 * a sixth of its memory.
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

/** The installed PGlite's version: a template is only valid for the release that made it. */
export function pgliteVersion(): string {
  // The package exports no package.json: find it from the entry point.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = packageManifestAbove(dirname(entry), '@electric-sql/pglite');
  if (!manifest?.version) throw new Error(`cannot find the version of @electric-sql/pglite installed at ${entry}`);
  return manifest.version;
}

/** PostgreSQL writes PG_VERSION last of all of initdb's files, so a data directory without it is not initialised. */
export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/** The WASM module's options, and one of the functions it runs before PostgreSQL: PGlite exports no name for them. */
type EmscriptenOpts = Parameters<PgliteMemoryFS['init']>[1];
type PreRun = NonNullable<EmscriptenOpts['preRun']>[number];

/** Where PGlite's PostgreSQL finds its data directory, in the WASM module's file system. */
const PGDATA = '/pglite/data';

/**
 * PGlite's initdb runs in a second, in-memory instance. For a database on disk it then packs that instance's data
 * directory into a tarball and unpacks it to disk (two more copies of 40 MB, and 190 MB more peak memory in all); for
 * a MemoryFS database it has the second instance write straight into the first one's file system. So the template is
 * built through a MemoryFS whose data directory is the folder on disk (mounted as PGlite's NodeFS mounts it): initdb
 * writes its files there once, with the permissions it gives them, and nothing is copied.
 * What is left (about 470 MB peak) is mostly PGlite's own: to reset its second instance between the postgres runs of
 * initdb it keeps a copy of that instance's whole 128 MB WASM memory, and making the copy touches the original too.
 * Takes MemoryFS as an argument because PGlite is imported lazily: it costs a WASM compile to load.
 */
function initdbInPlace(MemoryFS: typeof PgliteMemoryFS) {
  return class DiskBackedMemoryFS extends MemoryFS {
    constructor(private readonly folder: string) {
      super();
    }

    override async init(pg: PGlite, emscriptenOpts: EmscriptenOpts): Promise<{ emscriptenOpts: EmscriptenOpts }> {
      this.pg = pg;
      const mountFolder: PreRun = (mod) => {
        mod.FS.mkdirTree(PGDATA);
        mod.FS.mount(mod.NODEFS, { root: this.folder }, PGDATA);
      };
      return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), mountFolder] } };
    }
  };
}

/**
 * The template data directory of this PGlite version, made on first use: built in a folder of its own, closed, then
 * renamed into place in one step, so no process ever sees half of one. When two processes race, the rename of the
 * second fails on the first one's directory, and it uses that one. `cacheDir` defaults to tsdbtCacheDir();
 * `wasmModule`, PGlite compiled already (else PGlite compiles it).
 */
export async function pgliteTemplate(cacheDir = tsdbtCacheDir(), wasmModule?: Promise<WebAssembly.Module>): Promise<string> {
  const template = join(cacheDir, `pglite-${pgliteVersion()}`);
  if (isInitialised(template)) return template;
  mkdirSync(cacheDir, { recursive: true });
  const building = mkdtempSync(`${template}.building-`);
  try {
    const { PGlite, MemoryFS } = await importExternal<typeof import('@electric-sql/pglite')>('@electric-sql/pglite');
    const db = await PGlite.create({
      fs: new (initdbInPlace(MemoryFS))(building),
      pgliteWasmModule: await wasmModule,
      initDbStartParams: ['--set', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    await db.close();
    try {
      renameSync(building, template);
    } catch (error) {
      if (isInitialised(template)) return template;
      throw new TsdbtError('connection', `cannot put PGlite's template data directory in place at ${template}: ${(error as Error).message}`, {
        hint: 'it is a cache: remove that folder and try again',
        cause: error,
      });
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

/**
 * Copies the template into `dataDir` (which may already hold tsdbt's lock file). PG_VERSION goes last: a copy cut
 * short leaves a folder that is still not initialised, and the next open copies again over it. The thousand files are
 * copied all at once, on libuv's threads, so the main thread is free meanwhile; where the file system can (Btrfs, XFS,
 * APFS) a file is a copy-on-write clone, which costs no time and no space.
 */
export async function seedDataDir(dataDir: string, template: string): Promise<void> {
  await copyTree(template, dataDir, 'PG_VERSION');
  await cloneFile(join(template, 'PG_VERSION'), join(dataDir, 'PG_VERSION'));
}

const cloneFile = (from: string, to: string) => copyFile(from, to, constants.COPYFILE_FICLONE);

/**
 * Copies folder `from` into `to`, overwriting, keeping files' and folders' permissions; `except` names an entry of
 * `from` left out. The folders are listed and made at once (a few of them, milliseconds), so every file's copy starts
 * in this turn instead of one folder level per turn, each waiting behind the parse's work.
 */
async function copyTree(from: string, to: string, except?: string): Promise<void> {
  const copies: Array<Promise<void>> = [];
  const walk = (source: string, target: string) => {
    mkdirSync(target, { recursive: true, mode: statSync(source).mode });
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      if (source === from && entry.name === except) continue;
      if (entry.isDirectory()) walk(join(source, entry.name), join(target, entry.name));
      else copies.push(cloneFile(join(source, entry.name), join(target, entry.name)));
    }
  };
  try {
    walk(from, to);
  } catch (error) {
    // The copies already started end first: none goes on writing into a folder its caller lets go of.
    await Promise.allSettled(copies);
    throw error;
  }
  await Promise.all(copies);
}

/**
 * PGlite's NodeFS for a data directory still being copied from the template: PGlite loads its WASM module and files
 * meanwhile, and PostgreSQL first reads the folder after the file system's initial sync, which waits for `copied`.
 * Takes NodeFS as an argument because PGlite is imported lazily.
 */
export function nodeFsAfter(NodeFS: typeof PgliteNodeFS) {
  return class NodeFSAfterCopy extends NodeFS {
    constructor(
      dataDir: string,
      private readonly copied: Promise<void>,
    ) {
      super(dataDir);
    }

    override async initialSyncFs(): Promise<void> {
      await this.copied;
    }
  };
}

/** Errors of a cache folder tsdbt may not write (a read-only home): PGlite's own initdb is slower, but still works. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR']);

/**
 * The template a new data directory is copied from, made if need be; undefined when the cache folder cannot be
 * written: the new directory is then left as it is, and PGlite runs initdb in it. Arguments as for pgliteTemplate().
 */
export async function usableTemplate(cacheDir = tsdbtCacheDir(), wasmModule?: Promise<WebAssembly.Module>): Promise<string | undefined> {
  try {
    return await pgliteTemplate(cacheDir, wasmModule);
  } catch (error) {
    if (UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}
