import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite databases the PGlite backend's `query` opened (see backends.ts), by data directory, kept open between
 * queries: opening one takes a second or more, and tests query several times between two runs. Closed before
 * anything else opens the directory, and after each test file (test/file-setup.ts).
 */
const openForQueries = new Map<string, Promise<PGlite>>();

/** Closes the databases `query` keeps open: before a CLI run opens one of them, and before a project is removed. */
export async function closePgliteQueries(): Promise<void> {
  const open = [...openForQueries.values()];
  openForQueries.clear();
  for (const db of open) await (await db).close();
}

/** The database in `dataDir`, opened by the first query since the last closePgliteQueries. */
export function openForQuery(dataDir: string): Promise<PGlite> {
  let db = openForQueries.get(dataDir);
  if (!db) {
    db = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(dataDir));
    openForQueries.set(dataDir, db);
  }
  return db;
}
