import { describe, expect, it } from 'vitest';
import { DIALECT_FIXTURES } from '../helpers/backends.js';
import { makeProject } from '../helpers/project.js';

const citus = DIALECT_FIXTURES.citus;

// What only a Citus target does: the rest of the integration suite runs on it through describeBackends.
describe.skipIf(citus.unavailable !== undefined)('distributed tables [citus]', () => {
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
