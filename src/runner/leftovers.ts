import type { Adapter } from '../adapters/adapter.js';
import { quoteRelation } from '../adapters/sql.js';
import { SQL_KEYWORD_BY_KIND } from '../materializations/materialization.js';
import { isLeftover } from '../materializations/temporary-names.js';

/**
 * Drops the relations a killed run left under a temporary name in the schemas this run writes. Called with the
 * target's writer lock held, so no other run is still building one of them. Returns what was dropped.
 */
export async function dropLeftovers(adapter: Adapter, schemas: string[]): Promise<string[]> {
  return adapter.transaction(async (connection) => {
    const leftovers = (await connection.introspector.listRelations([...new Set(schemas)])).filter((relation) => isLeftover(relation.identifier));
    for (const relation of leftovers) await connection.query(`drop ${SQL_KEYWORD_BY_KIND[relation.kind]} if exists ${quoteRelation(relation)} cascade`);
    return leftovers.map(quoteRelation);
  });
}
