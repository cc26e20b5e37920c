import type { Connection } from '../adapters/adapter.js';
import type { TableDistribution } from '../adapters/dialect-sql.js';
import { quoteRelation } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import { constraintsOf } from './contract.js';
import type { SwapTarget } from './swap.js';

/** Where a node's table lives on a distributed engine, its config's defaults applied: hash when it has a distribution_column. */
export type Distribution =
  | { kind: 'hash'; column: string; colocateWith?: string; shardCount?: number }
  | { kind: 'reference' }
  | { kind: 'local' };

export function distributionOf(node: GraphNode): Distribution {
  const { distribution, distribution_column: column, colocate_with: colocateWith, shard_count: shardCount } = node.config;
  const kind = distribution ?? (column === undefined ? 'local' : 'hash');
  if (kind !== 'hash') return { kind };
  return { kind, column: column ?? '', colocateWith, shardCount };
}

/**
 * What a node's `colocate_with` may name: a node whose table exists before this one is built. A model or a snapshot
 * colocates with a node it refs; a seed with another seed (the seed parser makes that seed its parent).
 */
export interface Colocation {
  names: ReadonlySet<string>;
  /** What the names are, as in "which is not ...": `a node it refs`. */
  described: string;
  hint(name: string): string;
}

/** A model's or a snapshot's colocation: with a node it refs. */
export function colocationByRefs(node: GraphNode): Colocation {
  return {
    names: new Set(node.refs.map((ref) => ref.name)),
    described: 'a node it refs',
    hint: (name) => `colocate it with a model it reads (ref('${name}')), or use colocate_with: none`,
  };
}

/** Where a node's table is known, at parse time, to have only some columns it may be sharded by. */
export interface ShardColumns {
  names: readonly string[];
  hint: string;
}

/**
 * Refuses, at parse time, the distribution configs a distributed engine would refuse mid-build: a key or unique index
 * that leaves out the distribution column (each shard checks uniqueness alone), an update of the distribution column,
 * settings of hash distribution on a table that is not hashed, a colocation with a node that may not exist yet when
 * this one is built, and a merge that would need MERGE into a reference table. With the key holding the distribution
 * column, a merge's increment can always be staged colocated with a hash-distributed target.
 */
export function validateDistribution(node: GraphNode, colocation = colocationByRefs(node), shardColumns?: ShardColumns): void {
  const { config } = node;
  const fail = (message: string, hint: string): never => {
    throw new TsdbtError('config', `${RESOURCE_KINDS[node.resourceType].singular} '${node.name}' ${message}`, { location: { file: node.patchPath ?? node.originalFilePath }, hint });
  };
  const distribution = distributionOf(node);
  if (distribution.kind !== 'hash') {
    for (const key of ['distribution_column', 'colocate_with', 'shard_count'] as const) {
      if (config[key] !== undefined) fail(`has distribution '${distribution.kind}' and ${key}, which only a hash-distributed table takes`, 'remove it, or set distribution: hash');
    }
    // Upserted with ON CONFLICT, the one merge a reference table takes; predicates would need MERGE, which cannot
    // write to a reference table.
    if (distribution.kind === 'reference' && config.materialized === 'incremental' && config.incremental_strategy === 'merge' && config.incremental_predicates?.length) {
      fail(
        'merges into a reference table with incremental_predicates, which only MERGE could honour and MERGE cannot write to a reference table',
        'remove incremental_predicates (the merge is then an upsert on unique_key), or use incremental_strategy delete+insert',
      );
    }
    return;
  }
  const { column, colocateWith, shardCount } = distribution;
  if (!column) fail('has distribution hash but no distribution_column', 'set distribution_column to the column its rows are sharded by');
  if (shardColumns && !shardColumns.names.includes(column)) {
    fail(`has distribution_column '${column}', which is not one of the columns it can be sharded by (${shardColumns.names.join(', ')})`, shardColumns.hint);
  }
  if (colocateWith !== undefined && colocateWith !== 'none') {
    if (shardCount !== undefined) fail(`sets both colocate_with and shard_count`, `a table colocated with '${colocateWith}' has its shard count: remove shard_count`);
    if (!colocation.names.has(colocateWith)) fail(`is colocated with '${colocateWith}', which is not ${colocation.described}`, colocation.hint(colocateWith));
  }
  const uniqueKey = uniqueKeyOf(node);
  if (uniqueKey.length > 0 && !uniqueKey.includes(column)) {
    fail(`has unique_key (${uniqueKey.join(', ')}) without its distribution column '${column}'`, `add '${column}' to unique_key: each shard can only check the keys it holds`);
  }
  if (config.merge_update_columns?.includes(column)) {
    fail(`updates its distribution column '${column}' (merge_update_columns), which places its rows and cannot change`, `remove '${column}' from merge_update_columns`);
  }
  for (const index of config.indexes ?? []) {
    if (index.unique && !index.columns.includes(column)) {
      fail(`has a unique index on (${index.columns.join(', ')}) without its distribution column '${column}'`, `add '${column}' to the index's columns`);
    }
  }
  for (const { constraint, column: on } of constraintsOf(node)) {
    const columns = on ? [on] : (constraint.columns ?? []);
    if ((constraint.type === 'unique' || constraint.type === 'primary_key') && !columns.includes(column)) {
      fail(`has a ${constraint.type} constraint on (${columns.join(', ')}) without its distribution column '${column}'`, `add '${column}' to the constraint's columns`);
    }
  }
}

/** The columns that identify a row: a snapshot's as parsed (`"a,b"` in-file), a model's as configured. */
function uniqueKeyOf(node: GraphNode): string[] {
  if (node.resourceType === 'snapshot') return node.snapshot.uniqueKey;
  const key = node.config.unique_key;
  return key === undefined ? [] : Array.isArray(key) ? key : [key];
}

/** The distribution a node's table is created with, `colocate_with`'s node resolved to its relation by `relationOf`. */
export function tableDistribution(node: GraphNode, relationOf: (model: string) => Relation | undefined): TableDistribution | undefined {
  const distribution = distributionOf(node);
  if (distribution.kind === 'local') return undefined;
  if (distribution.kind === 'reference') return distribution;
  const { colocateWith } = distribution;
  if (colocateWith === undefined || colocateWith === 'none') return distribution;
  const relation = relationOf(colocateWith);
  if (!relation) throw new TsdbtError('config', `${RESOURCE_KINDS[node.resourceType].singular} '${node.name}' is colocated with '${colocateWith}', which does not exist`, { hint: 'name a node it refs, or none' });
  return { ...distribution, colocateWith: quoteRelation(relation) };
}

/**
 * What `colocate_with` names, for tableDistribution, among a project's nodes: the relation of the model, seed or
 * snapshot of that name (one index, built once; the compiler's nodeNamed where a compiler is at hand).
 */
export function referableRelations(nodes: Iterable<GraphNode>): (name: string) => Relation | undefined {
  const byName = new Map<string, Relation>();
  for (const node of nodes) if (RESOURCE_KINDS[node.resourceType].referable) byName.set(node.name, node.relation);
  return (name) => byName.get(name);
}

/**
 * The model's table as an incremental run writes into it: placed as the catalog says. A table placed otherwise than
 * its config says (built before the config changed) keeps its placement, with a warning: only a full refresh
 * re-creates it as configured.
 */
export async function asPlaced(target: SwapTarget, connection: Connection): Promise<SwapTarget> {
  if (!target.adapter.capabilities.distributedTables) return target;
  const placed = await connection.introspector.tableDistribution(target.node.relation);
  if (describePlacement(placed) === describePlacement(target.distribution)) return target;
  target.warn(
    `${target.relation} is ${describePlacement(placed)}, but its config makes it ${describePlacement(target.distribution)}: this run writes into it as it is; run with --full-refresh to re-create it as configured`,
  );
  return { ...target, distribution: placed };
}

function describePlacement(distribution: TableDistribution | undefined): string {
  if (distribution === undefined) return 'a local table';
  return distribution.kind === 'reference' ? 'a reference table' : `distributed by ${distribution.column}`;
}

/** A table distributed like `relation`, whose distribution is `distribution`: sharded alike and colocated with it, or a reference table beside one. */
export function colocatedWith(distribution: TableDistribution | undefined, relation: string): TableDistribution | undefined {
  return distribution?.kind === 'hash' ? { kind: 'hash', column: distribution.column, colocateWith: relation } : distribution;
}
