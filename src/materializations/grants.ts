import { sql } from 'kysely';
import type { Connection } from '../adapters/adapter.js';
import { queryBuilder, runQuery } from '../adapters/kysely.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { SwapTarget } from './swap.js';

/** A model's `grants` config: privilege → grantee or grantees, as in dbt (`grants: {select: [reporter, bi]}`). */
export type GrantsConfig = Record<string, string | string[]>;

/** Table privileges, each of which aclexplode reports by name; `all` is not one, so it could never be compared. */
const PRIVILEGES = new Set(['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain']);

const catalog = queryBuilder<Record<string, never>>();

/**
 * dbt's apply_grants without copy_grants: once a model has grants configured, the privileges its owner has handed
 * out on `relation` (quoted) are exactly those: missing ones are granted, others revoked. Grantees are role names
 * taken verbatim (quoted), `public` included. A rebuilt relation starts with none, so it simply gets the configured ones.
 */
export async function applyGrants(target: SwapTarget, connection: Connection, relation: string, grants: GrantsConfig): Promise<void> {
  const wanted = configuredGrants(grants);
  if (wanted.size === 0) return;
  const current = await currentGrants(connection, relation);
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

/** Privilege → grantees on `relation`, leaving out its owner's own privileges, which are never revoked. */
async function currentGrants(connection: Connection, relation: string): Promise<Map<string, Set<string>>> {
  const query = sql<{ privilege: string; grantee: string }>`
    select lower(a.privilege_type) as privilege,
           case when a.grantee = 0 then 'public' else pg_catalog.pg_get_userbyid(a.grantee)::text end as grantee
    from pg_catalog.pg_class c
    cross join lateral pg_catalog.aclexplode(c.relacl) a
    where c.oid = ${relation}::regclass and a.grantee <> c.relowner`;
  const current = new Map<string, Set<string>>();
  for (const row of await runQuery(connection, { compile: () => query.compile(catalog) })) {
    current.set(row.privilege, (current.get(row.privilege) ?? new Set()).add(row.grantee));
  }
  return current;
}
