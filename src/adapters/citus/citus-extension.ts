import type { Connection } from '../adapter.js';

/** The citus extension's version in the connection's database (as `pg_extension` gives it), or undefined without it. */
export async function citusVersion(connection: Connection): Promise<string | undefined> {
  const { rows } = await connection.query("select extversion as version from pg_extension where extname = 'citus'");
  return rows[0]?.version as string | undefined;
}
