import { beforeAll, describe, expect, it } from 'vitest';
import { sqlLogicHash } from '../../src/environments/sql-normal-form.js';
import { loadSqlParser, parseStatements } from '../../src/lineage/sql-parser.js';

beforeAll(loadSqlParser);

const MODEL = `-- orders per customer
select customer_id, count(*) as orders
from raw.orders
where status = 'paid'
group by customer_id`;

describe('sqlLogicHash', () => {
  it('is 16 hex characters, the same for the same text', () => {
    expect(sqlLogicHash(MODEL)).toMatch(/^[0-9a-f]{16}$/);
    expect(sqlLogicHash(MODEL)).toBe(sqlLogicHash(MODEL));
  });

  it('does not count comments, whitespace, keyword case, AS or quotes that change nothing', () => {
    const reformatted = `SELECT customer_id,  COUNT(*) orders /* per customer */
      FROM raw."orders" WHERE (status = 'paid') GROUP BY customer_id;`;
    expect(sqlLogicHash(reformatted)).toBe(sqlLogicHash(MODEL));
  });

  it('counts a changed literal, a changed column and a quoted identifier of another case', () => {
    const base = sqlLogicHash(MODEL);
    expect(sqlLogicHash(MODEL.replace("'paid'", "'refunded'"))).not.toBe(base);
    expect(sqlLogicHash(MODEL.replace('count(*)', 'count(distinct id)'))).not.toBe(base);
    expect(sqlLogicHash('select "Id" from t')).not.toBe(sqlLogicHash('select id from t'));
    expect(sqlLogicHash('select "id" from t')).toBe(sqlLogicHash('select ID from t'));
  });

  it('falls back to the tokens for SQL that does not parse: comments, whitespace and keyword case still do not count', () => {
    const broken = 'select a, from t -- trailing comma';
    expect(parseStatements(broken)).toHaveProperty('error');
    expect(sqlLogicHash('SELECT a,\n  FROM t')).toBe(sqlLogicHash(broken));
    expect(sqlLogicHash("select a, from t where x = '--'")).not.toBe(sqlLogicHash(broken));
  });

  it('falls back to the text for several statements, and to collapsed whitespace when even the scanner refuses', () => {
    expect(sqlLogicHash('select 1; select 2')).toBe(sqlLogicHash('select 1 ;\n/* two */ select 2'));
    expect(sqlLogicHash('select 1; select 2')).not.toBe(sqlLogicHash('select 1; select 3'));
    expect(sqlLogicHash("select 'unterminated")).toBe(sqlLogicHash("  select   'unterminated "));
  });
});

describe('parseStatements', () => {
  it('gives the statements, or the parser\'s message', () => {
    expect(parseStatements('select 1; select 2')).toMatchObject({ statements: [{ SelectStmt: {} }, { SelectStmt: {} }] });
    expect(parseStatements('select from where')).toEqual({ error: expect.stringContaining('syntax error') });
  });
});
