import type { Connection } from '../adapters/adapter.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { SwapTarget } from './swap.js';

/** A model's `grants` config: privilege → grantee or grantees, as in dbt (`grants: {select: [reporter, bi]}`). */
export type GrantsConfig = Record<string, string | string[]>;

/** Table privileges, each of which aclexplode reports by name; `all` is not one, so it could never be compared. */
const PRIVILEGES = new Set(['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain']);

/**
 * dbt's apply_grants without copy_grants: once a model has grants configured, the privileges its owner has handed
 * out on `relation` (quoted) are exactly those: missing ones are granted, others revoked. Grantees are role names
 * taken verbatim (quoted), `public` included. A rebuilt relation starts with none, so it simply gets the configured ones.
 */
export async function applyGrants(target: Pick<SwapTarget, 'run'>, connection: Connection, relation: string, grants: GrantsConfig): Promise<void> {
  const wanted = configuredGrants(grants);
  if (wanted.size === 0) return;
  const current = await connection.introspector.grants(relation);
  for (const privilege of new Set([...wanted.keys(), ...current.keys()])) {
    const want = wanted.get(privilege) ?? new Set<string>();
    const have = current.get(privilege) ?? new Set<string>();
    const revoke = [...have].filter((grantee) => !want.has(grantee));
    const grant = [...want].filter((grantee) => !have.has(grantee));
    if (revoke.length > 0) await target.run(connection, `revoke ${privilege} on ${relation} from ${revoke.map(quoteIdentifier).join(', ')}`);
    if (grant.length > 0) await target.run(connection, `grant ${privilege} on ${relation} to ${grant.map(quoteIdentifier).join(', ')}`);
  }
}

function configuredGrants(grants: GrantsConfig): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const [key, grantees] of Object.entries(grants)) {
    const privilege = key.toLowerCase();
    if (!PRIVILEGES.has(privilege)) {
      throw new TsdbtError('config', `grants: unknown privilege '${key}'`, { hint: `one of ${[...PRIVILEGES].join(', ')}` });
    }
    wanted.set(privilege, new Set([...(wanted.get(privilege) ?? []), ...(Array.isArray(grantees) ? grantees : [grantees])]));
  }
  return wanted;
}
