import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { pgliteBackend, postgresAvailable, postgresBackend, PostgresTestDatabase, type TestBackend } from './backends.js';

/** Declares the same tests once per backend: embedded PGlite, and a PostgreSQL server in a database of this file's own. */
export function describeBackends(title: string, body: (backend: TestBackend) => void): void {
  describe(`${title} [pglite]`, () => body(pgliteBackend));
  describe.skipIf(!postgresAvailable)(`${title} [postgres]`, () => {
    const database = new PostgresTestDatabase();
    beforeAll(() => database.create());
    beforeEach(() => database.reset());
    afterAll(() => database.drop());
    body(postgresBackend(database));
  });
}
