import type { AdapterCapabilities } from '../adapter.js';

/** What PostgreSQL of a given version can do; an adapter overrides only what its driver cannot. */
export function postgresCapabilities(serverVersion: number, overrides: Partial<AdapterCapabilities> = {}): AdapterCapabilities {
  return {
    multipleConnections: true,
    transactionalDdl: true,
    merge: serverVersion >= 150000,
    materializedViews: true,
    cancellation: true,
    streamingCopy: true,
    maxIdentifierLength: 63,
    distributedTables: false,
    ...overrides,
  };
}
