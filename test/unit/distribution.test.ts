import { describe, expect, it } from 'vitest';
import { partialNodeConfig, type NodeConfig } from '../../src/core/node-config.js';
import type { GraphNode } from '../../src/core/nodes.js';
import { colocatedWith, distributionOf, tableDistribution, validateDistribution } from '../../src/materializations/distribution.js';
import { materializedView } from '../../src/materializations/materialized-view.js';
import { JSON_SEED_SHARD_COLUMNS } from '../../src/loaders/json-seed-table.js';

/** A model with just what distribution reads: its config, refs, constraints and columns. */
function model(config: Partial<NodeConfig>, refs: string[] = []): GraphNode {
  return {
    resourceType: 'model',
    name: 'orders',
    originalFilePath: 'models/orders.sql',
    config: { enabled: true, materialized: 'table', tags: [], meta: {}, ...partialNodeConfig.parse(config) },
    refs: refs.map((name) => ({ name, loc: { line: 1, column: 1 } })),
    constraints: [],
    columns: {},
  } as unknown as GraphNode;
}

describe('distribution configs', () => {
  it('default to hash with a distribution_column and local without', () => {
    expect(distributionOf(model({ distribution_column: 'user_id' }))).toEqual({ kind: 'hash', column: 'user_id' });
    expect(distributionOf(model({}))).toEqual({ kind: 'local' });
    expect(distributionOf(model({ distribution: 'reference' }))).toEqual({ kind: 'reference' });
  });

  it("give the table its distribution, colocate_with's model as its relation", () => {
    const relationOf = (name: string) => (name === 'events' ? { schema: 's', identifier: 'events' } : undefined);
    expect(tableDistribution(model({ distribution_column: 'user_id', colocate_with: 'events' }, ['events']), relationOf)).toEqual({
      kind: 'hash',
      column: 'user_id',
      colocateWith: '"s"."events"',
    });
    expect(tableDistribution(model({ distribution_column: 'user_id', colocate_with: 'none', shard_count: 4 }), relationOf)).toMatchObject({ colocateWith: 'none', shardCount: 4 });
    expect(tableDistribution(model({ distribution: 'local' }), relationOf)).toBeUndefined();
  });

  it('accept a valid combination', () => {
    expect(() => validateDistribution(model({ distribution_column: 'user_id', unique_key: ['user_id', 'day'], colocate_with: 'events' }, ['events']))).not.toThrow();
    expect(() => validateDistribution(model({ distribution: 'reference', unique_key: 'id' }))).not.toThrow();
  });

  it('refuse, naming the model and the fix, what Citus would refuse mid-build', () => {
    const refused = (config: Partial<NodeConfig>, message: RegExp, refs: string[] = []) => expect(() => validateDistribution(model(config, refs))).toThrow(message);
    refused({ distribution_column: 'user_id', unique_key: 'order_id' }, /model 'orders' has unique_key \(order_id\) without its distribution column 'user_id'/);
    refused({ distribution_column: 'user_id', indexes: [{ columns: ['order_id'], unique: true }] }, /unique index on \(order_id\) without its distribution column/);
    refused({ distribution: 'hash' }, /model 'orders' has distribution hash but no distribution_column/);
    refused({ distribution: 'reference', distribution_column: 'user_id' }, /distribution 'reference' and distribution_column/);
    refused({ shard_count: 4 }, /distribution 'local' and shard_count/);
    refused({ distribution_column: 'user_id', colocate_with: 'events', shard_count: 4 }, /both colocate_with and shard_count/, ['events']);
    
    refused({ distribution_column: 'user_id', unique_key: ['user_id', 'day'], merge_update_columns: ['user_id', 'total'] }, /model 'orders' updates its distribution column 'user_id' \(merge_update_columns\)/);
    const referenceMerge = { materialized: 'incremental', distribution: 'reference', incremental_strategy: 'merge', unique_key: 'id' } as const;
    refused({ ...referenceMerge, incremental_predicates: ['DBT_INTERNAL_DEST.day > 0'] }, /model 'orders' merges into a reference table with incremental_predicates/);
    expect(() => validateDistribution(model(referenceMerge))).not.toThrow();
    refused({ distribution_column: 'user_id', colocate_with: 'events' }, /model 'orders' is colocated with 'events', which is not a node it refs/);
  });

  it("check a snapshot's parsed unique_key, and name the node by its kind", () => {
    const snapshot = (uniqueKey: string[]) => ({ ...model({ distribution_column: 'user_id' }), resourceType: 'snapshot', name: 'users_history', snapshot: { uniqueKey } }) as unknown as GraphNode;
    expect(() => validateDistribution(snapshot(['user_id', 'day']))).not.toThrow();
    expect(() => validateDistribution(snapshot(['id']))).toThrow(/snapshot 'users_history' has unique_key \(id\) without its distribution column 'user_id'/);
  });

  it('take what a node may colocate with, and the columns it may be sharded by where they are known', () => {
    const seeds = { names: new Set(['countries']), described: 'another seed', hint: () => 'name another seed' };
    const seed = (config: Partial<NodeConfig>) => ({ ...model(config), resourceType: 'seed', name: 'events' }) as unknown as GraphNode;
    expect(() => validateDistribution(seed({ distribution_column: '_file', colocate_with: 'countries' }), seeds, JSON_SEED_SHARD_COLUMNS)).not.toThrow();
    expect(() => validateDistribution(seed({ distribution_column: '_file', colocate_with: 'orders' }), seeds)).toThrow(/seed 'events' is colocated with 'orders', which is not another seed/);
    expect(() => validateDistribution(seed({ distribution_column: 'user_id' }), seeds, JSON_SEED_SHARD_COLUMNS)).toThrow(
      /seed 'events' has distribution_column 'user_id', which is not one of the columns it can be sharded by \(_file, _record_no\)/,
    );
  });

  it('colocate a companion table (rejects, staging) with its table, or make it a reference table beside one', () => {
    expect(colocatedWith({ kind: 'hash', column: '_file', shardCount: 4 }, '"s"."t"')).toEqual({ kind: 'hash', column: '_file', colocateWith: '"s"."t"' });
    expect(colocatedWith({ kind: 'reference' }, '"s"."t"')).toEqual({ kind: 'reference' });
    expect(colocatedWith(undefined, '"s"."t"')).toBeUndefined();
  });

  it('refuse a distributed materialized view, on every target', () => {
    const view = (config: Partial<NodeConfig>) => model({ ...config, materialized: 'materialized_view' });
    expect(() => materializedView.validate!(view({}))).not.toThrow();
    expect(() => materializedView.validate!(view({ distribution: 'local' }))).not.toThrow();
    expect(() => materializedView.validate!(view({ distribution_column: 'user_id' }))).toThrow(/model 'orders' is a materialized view with distribution 'hash', and a materialized view cannot be distributed/);
    expect(() => materializedView.validate!(view({ distribution: 'reference' }))).toThrow(/distribution 'reference'/);
  });

  it('are typed config keys: a distribution outside hash, reference and local is refused', () => {
    expect(() => partialNodeConfig.parse({ distribution: 'append' })).toThrow();
    expect(() => partialNodeConfig.parse({ shard_count: 0 })).toThrow();
  });
});
