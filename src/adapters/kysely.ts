import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Compilable, type Driver, type QueryCompiler } from 'kysely';
import type { Connection } from './adapter.js';

/**
 * Kysely only builds and compiles queries here; an adapter's connection runs them, the same on PostgreSQL and PGlite.
 * TypeScript models get one with a driver over their build's connection, and a compiler that inlines values.
 */
export function queryBuilder<Database>(driver: Driver = new DummyDriver(), compiler: QueryCompiler = new PostgresQueryCompiler()): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => compiler,
    },
  });
}

export async function runQuery<Row>(connection: Connection, query: Compilable<Row>): Promise<Row[]> {
  const compiled = query.compile();
  return (await connection.query(compiled.sql, compiled.parameters)).rows as Row[];
}
