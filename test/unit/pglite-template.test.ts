import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgliteAdapter } from '../../src/adapters/pglite/pglite-adapter.js';
import { postgresSqlDialect } from '../../src/adapters/postgres/postgres-sql-dialect.js';
import { LOCK_FILE } from '../../src/adapters/pglite/pglite-lock.js';
import { isInitialised, pgliteTemplate, pgliteVersion, seedDataDir, usableTemplate } from '../../src/adapters/pglite/pglite-template.js';
import { tsdbtCacheDir } from '../../src/util/cache-dir.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

const scratch = () => temporaryDir('tsdbt-template-');

async function withAdapter<T>(path: string, work: (adapter: PgliteAdapter) => Promise<T>): Promise<T> {
  const adapter = new PgliteAdapter({ type: 'pglite', name: 'dev', profileName: 'test', schema: 'public', threads: 1, path }, postgresSqlDialect, 0);
  await adapter.open();
  try {
    return await work(adapter);
  } finally {
    await adapter.close();
  }
}

describe('PGlite template data directory', () => {
  it('the cache folder is TSDBT_CACHE_DIR, else under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(tsdbtCacheDir({ TSDBT_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/c' })).toBe('/x/y');
    expect(tsdbtCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/tsdbt');
    expect(tsdbtCacheDir({})).toMatch(/\.cache\/tsdbt$/);
  });

  it('two makers racing for an empty cache both get the one template, and leave nothing else behind', async () => {
    const cache = scratch();
    const [first, second] = await Promise.all([pgliteTemplate(cache), pgliteTemplate(cache)]);
    expect(first).toBe(join(cache, `pglite-${pgliteVersion()}`));
    expect(second).toBe(first);
    expect(isInitialised(first)).toBe(true);
    expect(readdirSync(cache)).toEqual([`pglite-${pgliteVersion()}`]);
    expect(readFileSync(join(first, 'postgresql.conf'), 'utf8')).toMatch(/^shared_buffers = 16MB/m);
    rmSync(cache, { recursive: true, force: true });
  });

  it('a new database is seeded from the template under the lock, and keeps what it was given', async () => {
    const path = join(scratch(), 'pglite');
    await withAdapter(path, (adapter) => adapter.withConnection((c) => c.execute('create table kept as select 42 as answer')));
    expect(isInitialised(path)).toBe(true);
    expect(existsSync(join(path, LOCK_FILE))).toBe(false);
    const rows = await withAdapter(path, (adapter) => adapter.withConnection((c) => c.query("select answer, current_setting('shared_buffers') as buffers from kept")));
    expect(rows.rows).toEqual([{ answer: 42, buffers: '16MB' }]);
  });

  it('a seed cut short (no PG_VERSION yet) is seeded again over what it left', async () => {
    const template = await pgliteTemplate();
    const path = join(scratch(), 'pglite');
    await seedDataDir(path, template);
    rmSync(join(path, 'PG_VERSION'));
    writeFileSync(join(path, 'global', 'pg_control'), 'torn');
    expect(isInitialised(path)).toBe(false);
    const rows = await withAdapter(path, (adapter) => adapter.withConnection((c) => c.query('select 1 as one')));
    expect(rows.rows).toEqual([{ one: 1 }]);
  });

  it('with a cache folder it cannot write, a new database is left to PGlite\'s own initdb, and opens', async () => {
    const blocker = join(scratch(), 'a-file');
    writeFileSync(blocker, '');
    const path = join(scratch(), 'pglite');
    expect(await usableTemplate(join(blocker, 'cache'))).toBeUndefined();
    const saved = process.env.TSDBT_CACHE_DIR;
    process.env.TSDBT_CACHE_DIR = join(blocker, 'cache');
    try {
      const rows = await withAdapter(path, (adapter) => adapter.withConnection((c) => c.query('select 1 as one')));
      expect(rows.rows).toEqual([{ one: 1 }]);
    } finally {
      if (saved === undefined) delete process.env.TSDBT_CACHE_DIR;
      else process.env.TSDBT_CACHE_DIR = saved;
    }
    expect(existsSync(join(blocker, 'cache'))).toBe(false);
  });
});
