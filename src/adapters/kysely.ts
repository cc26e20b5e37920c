import { DummyDriver, Kysely, type Compilable, type Driver, type QueryCompiler } from 'kysely';
import type { Connection } from './adapter.js';
import type { SqlDialect } from './dialect.js';

/**
 * Kysely only builds and compiles queries here, in the SQL of `kysely` (a dialect's); an adapter's connection runs them.
 * TypeScript models get one with a driver over their build's connection, and a compiler that inlines values.
 */
export function queryBuilder<Database>(kysely: SqlDialect['kysely'], driver: Driver = new DummyDriver(), compiler: QueryCompiler = kysely.createQueryCompiler()): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => kysely.createAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => kysely.createIntrospector(db),
      createQueryCompiler: () => compiler,
    },
  });
}

export async function runQuery<Row>(connection: Connection, query: Compilable<Row>): Promise<Row[]> {
  const compiled = query.compile();
  return (await connection.query(compiled.sql, compiled.parameters)).rows as Row[];
}
