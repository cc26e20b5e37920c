import { describe, expect, it } from 'vitest';
import { createCitusSql } from '../../src/adapters/citus/citus-sql.js';
import { postgresSql } from '../../src/adapters/postgres/postgres-sql.js';

const citusSql = createCitusSql({ shardCount: 8 });
const byUser = { kind: 'hash', column: 'user_id' } as const;

// Citus's spelling of a table with a distribution: created empty, distributed, then filled, so no row lands on the coordinator.
describe("Citus's dialect SQL", () => {
  it('creates a hash-distributed table from a query empty, distributes it with the profile shard count, then fills it', () => {
    expect(citusSql.createTableAs('"s"."t"', 'select 1 as user_id', { distribution: byUser })).toEqual([
      'create table "s"."t" as (\nselect 1 as user_id\n) with no data',
      `select create_distributed_table('"s"."t"', 'user_id', shard_count => 8)`,
      'insert into "s"."t"\nselect * from (\nselect 1 as user_id\n) as model',
    ]);
  });

  it("colocates with another table (taking its shard count), or with none, or in the model's own shard count", () => {
    const [, colocated] = citusSql.createTableAs('"s"."t"', 'select 1', { distribution: { ...byUser, colocateWith: '"s"."events"', shardCount: 4 } });
    expect(colocated).toBe(`select create_distributed_table('"s"."t"', 'user_id', colocate_with => '"s"."events"')`);
    const [, alone] = citusSql.createTableAs('"s"."t"', 'select 1', { distribution: { ...byUser, colocateWith: 'none' } });
    expect(alone).toBe(`select create_distributed_table('"s"."t"', 'user_id', colocate_with => 'none')`);
    const [, ownCount] = createCitusSql({}).createTableAs('"s"."t"', 'select 1', { distribution: { ...byUser, shardCount: 4 } });
    expect(ownCount).toBe(`select create_distributed_table('"s"."t"', 'user_id', shard_count => 4)`);
    const [, citusDefault] = createCitusSql({}).createTableAs('"s"."t"', 'select 1', { distribution: byUser });
    expect(citusDefault).toBe(`select create_distributed_table('"s"."t"', 'user_id')`);
  });

  it('creates reference tables, and empty distributed tables without the insert', () => {
    expect(citusSql.createTableAs('"s"."t"', 'select 1', { distribution: { kind: 'reference' }, withData: false })).toEqual([
      'create table "s"."t" as (\nselect 1\n) with no data',
      `select create_reference_table('"s"."t"')`,
    ]);
  });

  it('distributes tables of declared columns, one that may exist only if it is not distributed yet', () => {
    expect(citusSql.createTable('"s"."t"', '"user_id" int', { distribution: byUser })).toEqual([
      'create table "s"."t" ("user_id" int)',
      `select create_distributed_table('"s"."t"', 'user_id', shard_count => 8)`,
    ]);
    expect(citusSql.createTable('"s"."t"', '"a" int', { distribution: { kind: 'reference' }, ifNotExists: true })).toEqual([
      'create table if not exists "s"."t" ("a" int)',
      `select create_reference_table('"s"."t"')\nwhere not exists (select from pg_dist_partition where logicalrelid = '"s"."t"'::regclass)`,
    ]);
  });

  it("keeps temporary tables and tables without a distribution local, as PostgreSQL's", () => {
    expect(citusSql.createTableAs('"t"', 'select 1', { temporary: true, distribution: byUser })).toEqual(postgresSql.createTableAs('"t"', 'select 1', { temporary: true }));
    expect(citusSql.createTableAs('"s"."t"', 'select 1', {})).toEqual(postgresSql.createTableAs('"s"."t"', 'select 1', {}));
    expect(citusSql.createTable('"t"', '"a" int', { temporary: true, distribution: byUser })).toEqual(postgresSql.createTable('"t"', '"a" int', { temporary: true }));
  });

  it("ignores a distribution on PostgreSQL's", () => {
    expect(postgresSql.createTableAs('"s"."t"', 'select 1', { distribution: byUser })).toEqual(postgresSql.createTableAs('"s"."t"', 'select 1', {}));
  });
});
