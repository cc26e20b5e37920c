import type { DialectSql, TableDistribution, TableOptions } from '../dialect-sql.js';
import { postgresSql } from '../postgres/postgres-sql.js';
import { quoteLiteral } from '../sql.js';

/** What a distributed table takes where its model says nothing: the profile's `shard_count`. */
export interface CitusDefaults {
  shardCount?: number;
}

/**
 * Citus's statements: a table with a distribution is created empty, distributed, and only then filled, so its rows go
 * straight to the shards (a CREATE TABLE AS would land them all on the coordinator). Temporary tables stay local.
 */
export function createCitusSql(defaults: CitusDefaults): DialectSql {
  return {
    ...postgresSql,
    createTableAs(relation, query, options) {
      const distribution = distributionOf(options);
      if (!distribution) return postgresSql.createTableAs(relation, query, options);
      return [
        ...postgresSql.createTableAs(relation, query, { ...options, withData: false }),
        distribute(relation, distribution, defaults),
        // By position: the table's columns are the query's, in its order (renamed by `columns` where asked).
        ...(options.withData === false ? [] : [`insert into ${relation}\nselect * from (\n${query}\n) as model`]),
      ];
    },
    createTable(relation, definition, options) {
      const distribution = distributionOf(options);
      if (!distribution) return postgresSql.createTable(relation, definition, options);
      const distributed = distribute(relation, distribution, defaults);
      // A table that may already exist (and be distributed) is distributed only if it is not yet.
      const ifNew = options.ifNotExists ? `\nwhere not exists (select from pg_dist_partition where logicalrelid = ${quoteLiteral(relation)}::regclass)` : '';
      return [...postgresSql.createTable(relation, definition, options), `${distributed}${ifNew}`];
    },
  };
}

function distributionOf(options: TableOptions): TableDistribution | undefined {
  return options.temporary ? undefined : options.distribution;
}

function distribute(relation: string, distribution: TableDistribution, defaults: CitusDefaults): string {
  if (distribution.kind === 'reference') return `select create_reference_table(${quoteLiteral(relation)})`;
  const args = [quoteLiteral(relation), quoteLiteral(distribution.column)];
  if (distribution.colocateWith) args.push(`colocate_with => ${quoteLiteral(distribution.colocateWith)}`);
  // A table colocated with another has that one's shard count; Citus takes shard_count only alone or with 'none'.
  if (!distribution.colocateWith || distribution.colocateWith === 'none') {
    const shardCount = distribution.shardCount ?? defaults.shardCount;
    if (shardCount !== undefined) args.push(`shard_count => ${shardCount}`);
  }
  return `select create_distributed_table(${args.join(', ')})`;
}
