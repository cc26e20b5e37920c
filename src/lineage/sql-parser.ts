import { loadModule, parseSync, type Node } from 'libpg-query';

let loaded = false;

/**
 * Loads libpg-query's WebAssembly parser. It loads once per process however often this is awaited; the synchronous
 * `parseStatements` needs it done, so that a caller parsing thousands of models pays for no promise per model.
 */
export async function loadSqlParser(): Promise<void> {
  await loadModule();
  loaded = true;
}

/**
 * The statements of `sql` by PostgreSQL's own parser, or the parser's message when the text is not SQL. Throws when
 * `loadSqlParser()` was not awaited: that is a bug of the caller, not a property of the SQL, and must not read as a
 * syntax error.
 */
export function parseStatements(sql: string): { statements: Node[] } | { error: string } {
  if (!loaded) throw new Error('the SQL parser is not loaded: await loadSqlParser() first');
  try {
    return { statements: (parseSync(sql).stmts ?? []).flatMap(({ stmt }) => (stmt ? [stmt] : [])) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
