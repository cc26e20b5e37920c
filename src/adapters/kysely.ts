import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Compilable } from 'kysely';
import type { Connection } from './adapter.js';

/** Kysely only builds and compiles queries here; an adapter's connection runs them, the same on PostgreSQL and PGlite. */
export function queryBuilder<Database>(): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

export async function runQuery<Row>(connection: Connection, query: Compilable<Row>): Promise<Row[]> {
  const compiled = query.compile();
  return (await connection.query(compiled.sql, compiled.parameters)).rows as Row[];
}
