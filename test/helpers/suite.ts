import { describe } from 'vitest';
import { registeredDialects } from '../../src/adapters/registry.js';
import { DIALECT_FIXTURES, type DialectFixture, type TestBackend } from './backends.js';

/** Declares the same tests once per registered dialect (embedded PGlite, a PostgreSQL server...), as its fixture sets it up. */
export function describeBackends(title: string, body: (backend: TestBackend) => void): void {
  describeEach(title, () => true, body);
}

/** As describeBackends, on the dialects of a database server only: tests holding, killing or timing out its sessions. */
export function describeServerBackends(title: string, body: (backend: TestBackend & { databaseUrl: string }) => void): void {
  describeEach(title, (fixture) => fixture.server === true, (backend) => body(backend as TestBackend & { databaseUrl: string }));
}

function describeEach(title: string, runsOn: (fixture: DialectFixture) => boolean, body: (backend: TestBackend) => void): void {
  for (const { type } of registeredDialects) {
    const fixture = DIALECT_FIXTURES[type];
    if (!runsOn(fixture) || (fixture.optional && fixture.unavailable !== undefined)) continue;
    describe.skipIf(fixture.unavailable !== undefined)(`${title} [${type}]`, () => body(fixture.backendForFile()));
  }
}
