/** The PostgreSQL side of the run benchmark, driven through the psql and pg_isready clients. */
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
