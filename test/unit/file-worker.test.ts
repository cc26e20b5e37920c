import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactWriter } from '../../src/artifacts/artifact-writer.js';
import { readTextFiles, statFiles, WORKER_MIN_FILES } from '../../src/util/file-worker.js';

const root = mkdtempSync(join(tmpdir(), 'tsdbt-file-worker-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `count` files with distinct contents (some multi-byte) under `dir`, in order. */
function makeFiles(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = join(dir, `f_${String(i).padStart(5, '0')}.sql`);
    writeFileSync(file, `select ${i} as n, 'é${'x'.repeat(i % 50)}' as t\n`);
    return file;
  });
}

async function readAll(files: string[]): Promise<string[]> {
  const texts: string[] = [];
  for await (const batch of readTextFiles(files)) texts.push(...batch);
  return texts;
}

describe('readTextFiles', () => {
  it.each([10, WORKER_MIN_FILES + 300])('reads %i files in order, as readFileSync does', async (count) => {
    const files = makeFiles(join(root, `read-${count}`), count);
    expect(await readAll(files)).toEqual(files.map((file) => readFileSync(file, 'utf8')));
  });

  it.each([10, WORKER_MIN_FILES + 300])('of %i files, throws Node\'s error for a missing one only when its turn comes', async (count) => {
    const files = makeFiles(join(root, `missing-${count}`), count);
    const missing = Math.floor(count / 2);
    rmSync(files[missing]!);
    const seen: string[] = [];
    let thrown: unknown;
    try {
      for await (const batch of readTextFiles(files)) seen.push(...batch);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((thrown as NodeJS.ErrnoException).path).toBe(files[missing]);
    expect(seen).toEqual(files.slice(0, missing).map((file) => readFileSync(file, 'utf8')));
  });
});

describe('statFiles', () => {
  it.each([10, WORKER_MIN_FILES + 300])('gives the size, times and inode of %i files, as statSync does', async (count) => {
    const files = makeFiles(join(root, `stat-${count}`), count);
    expect(await statFiles(files)).toEqual(
      files.map((file) => {
        const { size, mtimeMs, ctimeMs, ino } = statSync(file);
        return { size, mtimeMs, ctimeMs, ino };
      }),
    );
  });

  it.each([10, WORKER_MIN_FILES + 300])("of %i files, throws Node's error for a missing one", async (count) => {
    const files = makeFiles(join(root, `stat-missing-${count}`), count);
    rmSync(files[count - 1]!);
    await expect(statFiles(files)).rejects.toMatchObject({ code: 'ENOENT', path: files[count - 1] });
  });
});

describe('ArtifactWriter', () => {
  it.each([3, WORKER_MIN_FILES * 2 + 7])('writes %i files with their contents, leaves no temporary file, and skips unchanged ones next time', async (count) => {
    const folder = join(root, `write-${count}`);
    const files = Array.from({ length: count }, (_, i) => [join(folder, `dir_${i % 7}`, `m_${i}.sql`), `select ${i}\n`] as const);
    const writer = new ArtifactWriter(folder);
    for (const [path, content] of files) writer.write(path, content);
    await writer.flush();
    for (const [path, content] of files) expect(readFileSync(path, 'utf8')).toBe(content);
    const written = readdirSync(folder, { recursive: true }).map(String);
    expect(written.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(written.filter((name) => name.endsWith('.sql'))).toHaveLength(count);

    // Unchanged files are not written again: one removed stays removed, one changed is rewritten.
    rmSync(files[0]![0]);
    const again = new ArtifactWriter(folder);
    for (const [path, content] of files) again.write(path, path === files[1]![0] ? 'changed\n' : content);
    await again.flush();
    expect(existsSync(files[0]![0])).toBe(false);
    expect(readFileSync(files[1]![0], 'utf8')).toBe('changed\n');
  });

  it.each([3, WORKER_MIN_FILES + 1])('of %i files, rejects with Node\'s own error when one cannot be written', async (count) => {
    const folder = join(root, `fail-${count}`);
    mkdirSync(folder, { recursive: true });
    // A file where a folder is needed.
    writeFileSync(join(folder, 'blocked'), 'not a folder');
    const writer = new ArtifactWriter(folder);
    for (let i = 0; i < count; i++) writer.write(join(folder, i === 1 ? 'blocked' : 'ok', `m_${i}.sql`), `select ${i}\n`);
    await expect(writer.flush()).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mkdir', path: join(folder, 'blocked') });
    expect(readFileSync(join(folder, 'ok', 'm_0.sql'), 'utf8')).toBe('select 0\n');
  });
});
