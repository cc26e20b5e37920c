import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Every file under `dir` (recursively), as sorted project-relative paths with forward slashes. */
export function walkFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const visit = (relativeDir: string) => {
    for (const entry of readdirSync(join(root, relativeDir), { withFileTypes: true })) {
      const path = `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      // A symlink to a file counts (data files are often linked in from elsewhere).
      else if (entry.isFile() || (entry.isSymbolicLink() && statSync(join(root, path)).isFile())) found.push(path);
    }
  };
  const start = toPosix(relative(root, join(root, dir)));
  if (existsSync(join(root, start))) visit(start);
  return found.sort();
}

/** Files under `dir` whose name ends with one of `extensions`. */
export function listFiles(root: string, dir: string, extensions: string[]): string[] {
  return filterByExtension(walkFiles(root, dir), extensions);
}

export function filterByExtension(files: string[], extensions: string[]): string[] {
  return files.filter((name) => extensions.some((ext) => name.endsWith(ext)));
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** A `.` or `..` segment, a doubled or leading slash: what `path.join` would rewrite. */
const NOT_PLAIN = /(^|\/)\.{1,2}(\/|$)|\/\/|^\//;

/**
 * `join(base, relative)` for a `base` that `path.join` made and a relative path such as `walkFiles` gives, without
 * join's normalisation pass: a few microseconds a call, tens of milliseconds over the paths of 10,000 models.
 */
export function joinPlain(base: string, relative: string): string {
  if (sep !== '/' || relative === '' || NOT_PLAIN.test(relative)) return join(base, relative);
  if (base === '.') return relative;
  return base.endsWith('/') ? `${base}${relative}` : `${base}/${relative}`;
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
