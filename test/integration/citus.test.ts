import { describe, expect, it } from 'vitest';
import { createCitusSql } from '../../src/adapters/citus/citus-sql.js';
import { postgresSql } from '../../src/adapters/postgres/postgres-sql.js';
import { DIALECT_FIXTURES } from '../helpers/backends.js';
import { makeProject } from '../helpers/project.js';

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
    expect(alone).toBe(`select create_distributed_table('"s"."t"', 'user_id', colocate_with => 'none', shard_count => 8)`);
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

const citus = DIALECT_FIXTURES.citus;

// What only a Citus target does: the rest of the integration suite runs on it through describeBackends.
// Declared only where a cluster is reachable: without one (CI here) global setup says once that the Citus half did not
// run, and no test is counted as skipped.
if (citus.unavailable === undefined) describe('distributed tables [citus]', () => {
  const backend = citus.backendForFile();

  it('creates tables distributed, colocated and as reference tables as configured, and keeps them so when rebuilt', async () => {
    const project = makeProject(
      {
        'models/events.sql': '{{config materialized="table" distribution_column="user_id" shard_count=4}}\nselect g % 10 as user_id, g as v from generate_series(1, 1000) as g',
        'models/per_user.sql': '{{config materialized="table" distribution_column="user_id" colocate_with="events"}}\nselect user_id, sum(v) as total from {{ref "events"}} group by user_id',
        'models/kinds.sql': '{{config materialized="table" distribution="reference"}}\nselect 1 as id, \'a\' as name',
        'models/upserts.sql':
          '{{config materialized="incremental" distribution_column="user_id" colocate_with="events" unique_key="user_id" incremental_strategy="merge"}}\nselect user_id, count(*) as n from {{ref "events"}} group by user_id',
        'models/local_one.sql': '{{config materialized="table"}}\nselect 1 as one',
      },
      backend,
    );
    for (let run = 0; run < 2; run++) {
      const result = await project.run('run');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(
      await project.query(
        "select table_name::text as name, citus_table_type as type, distribution_column as column, shard_count::int as shards from citus_tables where table_name::text like 'analytics.%' order by 1",
      ),
    ).toEqual([
      { name: 'analytics.events', type: 'distributed', column: 'user_id', shards: 4 },
      { name: 'analytics.kinds', type: 'reference', column: '<none>', shards: 1 },
      { name: 'analytics.per_user', type: 'distributed', column: 'user_id', shards: 4 },
      { name: 'analytics.upserts', type: 'distributed', column: 'user_id', shards: 4 },
    ]);
    const [colocations] = await project.query<{ groups: number }>(
      "select count(distinct colocation_id)::int as groups from citus_tables where table_name::text in ('analytics.events', 'analytics.per_user', 'analytics.upserts')",
    );
    expect(colocations).toEqual({ groups: 1 });
    expect(await project.query('select sum(total)::int as total from analytics.per_user')).toEqual([{ total: 500500 }]);
    expect(await project.query('select sum(n)::int as n from analytics.upserts')).toEqual([{ n: 1000 }]);
  });
});
