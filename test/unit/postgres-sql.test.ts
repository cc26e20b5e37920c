import { describe, expect, it } from 'vitest';
import { postgresSql } from '../../src/adapters/postgres/postgres-sql.js';

// PostgreSQL's spelling of the statements a dialect may override: what a run writes under target/run/.
describe("PostgreSQL's dialect SQL", () => {
  it('creates tables from a query, temporary ones dropped at commit, empty ones, with the columns renamed', () => {
    expect(postgresSql.createTableAs('"s"."t"', 'select 1', {})).toEqual(['create table "s"."t" as (\nselect 1\n)']);
    expect(postgresSql.createTableAs('"t"', 'select 1', { temporary: true, withData: false })).toEqual(['create temporary table "t" on commit drop as (\nselect 1\n) with no data']);
    expect(postgresSql.createTableAs('"s"."t"', 'select 1, 2', { columns: ['"a"', '"b"'] })).toEqual(['create table "s"."t" ("a", "b") as (\nselect 1, 2\n)']);
  });

  it('creates tables of declared columns, where missing if asked', () => {
    expect(postgresSql.createTable('"s"."t"', '"a" int', { ifNotExists: true })).toEqual(['create table if not exists "s"."t" ("a" int)']);
    expect(postgresSql.createTable('"t"', '"a" text', { temporary: true })).toEqual(['create temporary table "t" ("a" text) on commit drop']);
  });

  it('creates views and materialized views, and comments on objects', () => {
    expect(postgresSql.createView('"s"."v"', 'select 1', { orReplace: true })).toBe('create or replace view "s"."v" as\nselect 1');
    expect(postgresSql.createView('"s"."m"', ' SELECT 1;', { materialized: true })).toBe('create materialized view "s"."m" as\n SELECT 1;');
    expect(postgresSql.commentOn('column "s"."t"."a"', "it's")).toBe(`comment on column "s"."t"."a" is 'it''s'`);
  });

  it("spells COPY's options for text rows and for CSV", () => {
    expect(postgresSql.copyTextOptions).toBe('format text');
    expect(postgresSql.copyCsvOptions({ header: true, delimiter: ';', quote: "'", null: '' })).toBe(`format csv, header true, delimiter ';', quote '''', null ''`);
  });
});
