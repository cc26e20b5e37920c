/** The PostgreSQL side of the run and seed benchmarks, driven through the psql and pg_isready clients. */
import { spawnSync } from 'node:child_process';
import { runChecked, type Command } from './measure.js';

export interface PgServer {
  host: string;
  port: number;
  user: string;
}

export const LOCAL_PG: PgServer = { host: '127.0.0.1', port: 5432, user: 'postgres' };

export function isReachable(server: PgServer): boolean {
  const result = spawnSync('pg_isready', ['-h', server.host, '-p', String(server.port)], { encoding: 'utf8' });
  return result.status === 0;
}

/** A benchmark that did not run, and why. */
export interface Skipped {
  name: string;
  skipped: string;
}

/** Undefined when the server answers; else a Skipped for `name`, announced loudly on stderr. */
export function skipUnlessReachable(server: PgServer, name: string, what: string): Skipped | undefined {
  if (isReachable(server)) return undefined;
  const reason = `PostgreSQL is not reachable at ${server.host}:${server.port} (pg_isready failed)`;
  console.error(`\n${'!'.repeat(72)}\n!!! SKIPPING ${what}: ${reason}\n${'!'.repeat(72)}`);
  return { name, skipped: reason };
}

/** `psql -X -q -v ON_ERROR_STOP=1 -h HOST -p PORT -U USER -d DB` followed by `extra`. */
export function psqlCommand(server: PgServer, db: string, extra: string[]): Command {
  return {
    command: 'psql',
    args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', db, ...extra],
  };
}

export function execSql(server: PgServer, db: string, sql: string): void {
  runChecked(psqlCommand(server, db, ['-c', sql]));
}

export function createDatabase(server: PgServer, db: string): void {
  execSql(server, 'postgres', `create database "${db}"`);
}

export function dropDatabase(server: PgServer, db: string): void {
  execSql(server, 'postgres', `drop database if exists "${db}" with (force)`);
}

function dropQuietly(server: PgServer, db: string): void {
  try {
    dropDatabase(server, db);
  } catch (error) {
    console.error(`warning: could not drop database ${db}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `body` in a fresh database `db`, dropped afterwards whatever happens. */
export function withDatabase<T>(server: PgServer, db: string, body: () => T): T {
  createDatabase(server, db);
  try {
    return body();
  } finally {
    dropQuietly(server, db);
  }
}

/** withDatabase for asynchronous work: the database is dropped once `body` settles. */
export async function withDatabaseAsync<T>(server: PgServer, db: string, body: () => Promise<T>): Promise<T> {
  createDatabase(server, db);
  try {
    return await body();
  } finally {
    dropQuietly(server, db);
  }
}

/** The single value a query returns, as psql prints it unaligned. */
export function queryValue(server: PgServer, db: string, sql: string): string {
  return runChecked(psqlCommand(server, db, ['-A', '-t', '-c', sql])).trim();
}

/** Throws unless `table` holds exactly `expected` rows: a benchmark must time complete loads. */
export function expectRowCount(server: PgServer, db: string, table: string, expected: number): void {
  const count = Number(queryValue(server, db, `select count(*) from ${table}`));
  if (count !== expected) throw new Error(`${table} holds ${count} rows, expected ${expected}`);
}

/** A string literal for SQL or psql's \copy: single quotes doubled. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Drops and re-creates a schema so the next build starts from scratch. */
export function resetSchema(server: PgServer, db: string, schema: string): void {
  execSql(server, db, `drop schema if exists "${schema}" cascade; create schema "${schema}";`);
}

/** The source every root model selects from: bench_raw.events(id, a, b, c, d) with `rows` rows. */
export function createRawEvents(server: PgServer, db: string, rows: number): void {
  execSql(
    server,
    db,
    `create schema bench_raw;
     create table bench_raw.events (id int, a int, b int, c int, d text);
     insert into bench_raw.events
       select g, g % 100, g % 37, g % 11, 'd' || g from generate_series(1, ${rows}) as g;`,
  );
}
