import { describe, expect, it } from 'vitest';
import { postgresSqlDialect } from '../../src/adapters/postgres/postgres-sql-dialect.js';
import { createStateTableQueries, stateTable, writeStateQueries } from '../../src/adapters/state-table.js';

const THINGS = stateTable({
  name: 'things',
  columns: { relation: { type: 'text' }, n: { type: 'integer', nullable: true } },
  key: ['relation'],
  stamp: 'at',
});

describe('state tables in tsdbt_meta', () => {
  it('are created once under a lock, with the stamp last and the key as primary key', () => {
    expect(createStateTableQueries(postgresSqlDialect, THINGS).map((query) => [query.sql, query.parameters])).toEqual([
      ["select pg_advisory_xact_lock(hashtext('tsdbt_meta.things'))", []],
      ['create schema if not exists "tsdbt_meta"', []],
      ['create table if not exists "tsdbt_meta"."things" ("relation" text not null, "n" integer, "at" timestamptz default now() not null, constraint "things_pkey" primary key ("relation"))', []],
    ]);
  });

  it('are written by upserts that stamp the row, split under the parameter limit', () => {
    const [query] = writeStateQueries(postgresSqlDialect, THINGS, [{ relation: 'a', n: 1 }]);
    expect(query!.sql).toBe('insert into "tsdbt_meta"."things" ("relation", "n", "at") values ($1, $2, now()) on conflict ("relation") do update set "n" = "excluded"."n", "at" = now()');
    const many = Array.from({ length: 40_000 }, (_, n) => ({ relation: `r${n}`, n }));
    const queries = writeStateQueries(postgresSqlDialect, THINGS, many);
    expect(queries).toHaveLength(2);
    expect(queries.every((q) => q.parameters.length <= 65_535)).toBe(true);
  });
});
