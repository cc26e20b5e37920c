import { describe, expect, it } from 'vitest';
import { partialNodeConfig, type NodeConfig } from '../../src/core/node-config.js';
import type { GraphNode } from '../../src/core/nodes.js';
import { distributionOf, tableDistribution, validateDistribution } from '../../src/materializations/distribution.js';

/** A model with just what distribution reads: its config, refs, constraints and columns. */
function model(config: Partial<NodeConfig>, refs: string[] = []): GraphNode {
  return {
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
    refused({ distribution_column: 'user_id', colocate_with: 'events' }, /colocated with 'events', which it does not ref/);
    refused({ distribution_column: 'user_id', unique_key: ['user_id', 'day'], merge_update_columns: ['user_id', 'total'] }, /model 'orders' updates its distribution column 'user_id' \(merge_update_columns\)/);
    const referenceMerge = { materialized: 'incremental', distribution: 'reference', incremental_strategy: 'merge', unique_key: 'id' } as const;
    refused({ ...referenceMerge, incremental_predicates: ['DBT_INTERNAL_DEST.day > 0'] }, /model 'orders' merges into a reference table with incremental_predicates/);
    expect(() => validateDistribution(model(referenceMerge))).not.toThrow();
  });

  it('are typed config keys: a distribution outside hash, reference and local is refused', () => {
    expect(() => partialNodeConfig.parse({ distribution: 'append' })).toThrow();
    expect(() => partialNodeConfig.parse({ shard_count: 0 })).toThrow();
  });
});
