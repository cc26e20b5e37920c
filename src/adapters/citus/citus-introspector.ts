import type { Connection } from '../adapter.js';
import type { TableDistribution } from '../dialect-sql.js';
import type { Introspector } from '../introspector.js';
import { createPostgresIntrospector } from '../postgres/postgres-introspector.js';
import { quoteRelation } from '../sql.js';

/** PostgreSQL's catalog, and where Citus keeps a table's rows (`pg_dist_partition`). */
export function createCitusIntrospector(connection: Connection): Introspector {
  return {
    ...createPostgresIntrospector(connection),
    async tableDistribution(relation) {
      // Hash-distributed tables have partmethod 'h'; reference tables 'n' and replication model 't'; the rest (citus
      // local tables among them) stay on the coordinator.
      const { rows } = await connection.query(
        `select case when partmethod = 'h' then 'hash' when repmodel = 't' then 'reference' end as kind,
           case when partmethod = 'h' then column_to_column_name(logicalrelid, partkey) end as column
         from pg_dist_partition where logicalrelid = $1::regclass`,
        [quoteRelation(relation)],
      );
      const row = rows[0] as { kind: 'hash' | 'reference' | null; column: string | null } | undefined;
      if (row?.kind === 'hash') return { kind: 'hash', column: row.column! } satisfies TableDistribution;
      return row?.kind === 'reference' ? { kind: 'reference' } : undefined;
    },
  };
}
