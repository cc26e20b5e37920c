import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Files under `dir` (recursively) whose name ends with one of `extensions`, as sorted project-relative paths with forward slashes. */
export function listFiles(root: string, dir: string, extensions: string[]): string[] {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  return (readdirSync(absolute, { recursive: true }) as string[])
    .filter((name) => extensions.some((ext) => name.endsWith(ext)))
    .map((name) => toPosix(relative(root, join(absolute, name))))
    .sort();
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
