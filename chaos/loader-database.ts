import { join } from 'node:path';
import pg from 'pg';

export type Query = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

/** The database a run of trials loads into, and a way to look at it between two runs of the CLI. */
export interface TrialDatabase {
  /** profiles.yml for a project in `projectDir` (profile `chaos`, target schema `schema`). */
  profile(projectDir: string, schema: string): string;
  /** Runs `inspect` with a query function; on PGlite the CLI must not be running meanwhile (one process at a time). */
  inspect<T>(inspect: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own on the server at `serverUrl`, dropped by close(). */
export async function postgresDatabase(serverUrl = DEFAULT_PG_URL): Promise<TrialDatabase> {
  const name = `tsdbt_chaos_loader_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    profile(_projectDir, schema) {
      const password = url.password ? `\n      password: ${decodeURIComponent(url.password)}` : '';
      return `chaos:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: ${url.hostname}\n      port: ${url.port || 5432}\n      user: ${decodeURIComponent(url.username) || 'postgres'}${password}\n      dbname: ${name}\n      schema: ${schema}\n`;
    },
    inspect: (inspect) => inspect(async (sql, params) => (await client.query(sql, params)).rows),
    async close() {
      await client.end();
      await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** PGlite in the project's `.tsdbt/pglite`, created by the CLI's first run. */
export function pgliteDatabase(): TrialDatabase {
  let dataDir: string | undefined;
  return {
    profile(projectDir, schema) {
      dataDir = join(projectDir, '.tsdbt/pglite');
      return `chaos:\n  target: dev\n  outputs:\n    dev:\n      type: pglite\n      path: .tsdbt/pglite\n      schema: ${schema}\n`;
    },
    async inspect(inspect) {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create(dataDir!);
      try {
        return await inspect(async (sql, params) => (await db.query(sql, params)).rows as never);
      } finally {
        await db.close();
      }
    },
    close: async () => undefined,
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
