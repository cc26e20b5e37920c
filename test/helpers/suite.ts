import { describe } from 'vitest';
import { registeredDialects } from '../../src/adapters/registry.js';
import { DIALECT_FIXTURES, type TestBackend } from './backends.js';

/** Declares the same tests once per registered dialect (embedded PGlite, a PostgreSQL server...), as its fixture sets it up. */
export function describeBackends(title: string, body: (backend: TestBackend) => void): void {
  for (const { type } of registeredDialects) {
    const fixture = DIALECT_FIXTURES[type];
    if (fixture.optional && fixture.unavailable !== undefined) continue;
    describe.skipIf(fixture.unavailable !== undefined)(`${title} [${type}]`, () => body(fixture.backendForFile()));
  }
}
