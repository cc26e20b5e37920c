import { beforeAll, describe, expect, it } from 'vitest';
import { compareQueries, sqlDiff, type QueryChange } from '../../src/environments/query-change.js';
import { loadSqlParser } from '../../src/lineage/sql-parser.js';

beforeAll(loadSqlParser);

const none = { added: [], removed: [], modified: [] };
const rowsSame = (columns: Partial<QueryChange>): QueryChange => ({ rowsChanged: false, ...none, ...columns });
const rowsChanged = (columns: Partial<QueryChange> = {}): QueryChange => ({ rowsChanged: true, ...none, ...columns });

const ORDERS = 'select id, customer_id, amount from orders where status = \'paid\'';

describe('compareQueries: the final select list', () => {
  it('finds no change where only formatting changed', () => {
    expect(compareQueries(ORDERS, `SELECT id, customer_id, amount -- all\n FROM orders WHERE status='paid'`)).toEqual(rowsSame({}));
  });

  it('an added column is added, rows unchanged', () => {
    expect(compareQueries(ORDERS, ORDERS.replace('amount', 'amount, amount * 2 as doubled'))).toEqual(rowsSame({ added: ['doubled'] }));
  });

  it('a removed column is removed, rows unchanged', () => {
    expect(compareQueries(ORDERS, ORDERS.replace(', amount', ''))).toEqual(rowsSame({ removed: ['amount'] }));
  });

  it('a rewritten expression is modified, named by PostgreSQL\'s rule (alias, column, function)', () => {
    expect(compareQueries(ORDERS, ORDERS.replace('amount', 'round(amount, 2) as amount'))).toEqual(rowsSame({ modified: ['amount'] }));
    expect(compareQueries('select upper(name) from c', 'select upper(trim(name)) from c')).toEqual(rowsSame({ modified: ['upper'] }));
    expect(compareQueries('select x::int from c', 'select x::bigint from c')).toEqual(rowsSame({ modified: ['x'] }));
  });

  it('a renamed column is one removed and one added', () => {
    expect(compareQueries(ORDERS, ORDERS.replace('amount', 'amount as total'))).toEqual(rowsSame({ added: ['total'], removed: ['amount'] }));
  });

  it('a changed WHERE, JOIN, GROUP BY or LIMIT changes rows', () => {
    expect(compareQueries(ORDERS, ORDERS.replace("'paid'", "'refunded'"))).toEqual(rowsChanged());
    expect(compareQueries('select a.id from a join b on a.id = b.id', 'select a.id from a left join b on a.id = b.id')).toEqual(rowsChanged());
    expect(compareQueries('select k, count(*) from t group by k', 'select k, count(*) from t group by k, j')).toEqual(rowsChanged());
    expect(compareQueries('select a from t limit 10', 'select a from t limit 20')).toEqual(rowsChanged());
  });

  it('still names the columns when rows changed too', () => {
    expect(compareQueries(ORDERS, `${ORDERS.replace('amount', 'amount, 1 as one')} and amount > 0`)).toEqual(rowsChanged({ added: ['one'] }));
  });

  it('a select-list change that decides rows changes rows: DISTINCT, aggregates, set-returning functions, positions', () => {
    expect(compareQueries('select distinct a from t', 'select distinct a, b from t')).toEqual(rowsChanged({ added: ['b'] }));
    expect(compareQueries('select 1 as k from t', 'select 1 as k, count(*) from t')).toEqual(rowsChanged({ added: ['count'] }));
    expect(compareQueries('select a from t', 'select a, unnest(tags) as tag from t')).toEqual(rowsChanged({ added: ['tag'] }));
    expect(compareQueries('select a, b, sum(c) from t group by 1, 2', 'select a, x, b, sum(c) from t group by 1, 2')).toEqual(rowsChanged({ added: ['x'] }));
    expect(compareQueries('select a + 1 as k, count(*) from t group by k', 'select a + 2 as k, count(*) from t group by k')).toEqual(rowsChanged({ modified: ['k'] }));
  });

  it('a select-list change that decides no rows: an appended column beside GROUP BY 1, an aggregate beside GROUP BY', () => {
    expect(compareQueries('select a, sum(c) from t group by 1', 'select a, sum(c), max(c) from t group by 1')).toEqual(rowsSame({ added: ['max'] }));
    expect(compareQueries('select a, sum(c) from t group by a', 'select a, sum(c), count(*) over () as n from t group by a')).toEqual(rowsSame({ added: ['n'] }));
  });

  it('a star is an item named as written: unchanged it is nothing, changed it changes rows', () => {
    expect(compareQueries('select * from t', 'select *, a + 1 as a1 from t')).toEqual(rowsSame({ added: ['a1'] }));
    expect(compareQueries('select * from t', 'select t.* from t')).toEqual(rowsChanged({ added: ['t.*'], removed: ['*'] }));
  });
});

describe('compareQueries: CTEs and subqueries', () => {
  const CTE = 'with paid as (select id, amount from orders where status = \'paid\') select id, amount from paid';

  it('a CTE that only gained a column changes no rows', () => {
    expect(compareQueries(CTE, CTE.replace('id, amount from orders', 'id, amount, currency from orders'))).toEqual(rowsSame({}));
  });

  it('a column a CTE gained and the final select reads is added', () => {
    const after = 'with paid as (select id, amount, currency from orders where status = \'paid\') select id, amount, currency from paid';
    expect(compareQueries(CTE, after)).toEqual(rowsSame({ added: ['currency'] }));
  });

  it('a star over a CTE that gained columns names them', () => {
    const before = 'with s as (select * from orders), f as (select id, amount from s) select * from f';
    const after = 'with s as (select * from orders), f as (select id, amount, upper(status) from s) select * from f';
    expect(compareQueries(before, after)).toEqual(rowsSame({ added: ['upper'] }));
  });

  it('a CTE with a changed filter, a removed or a rewritten column changes rows', () => {
    expect(compareQueries(CTE, CTE.replace("'paid'", "'open'"))).toEqual(rowsChanged());
    expect(compareQueries(CTE, CTE.replace('id, amount from orders', 'id, amount * 100 as amount from orders'))).toEqual(rowsChanged());
  });

  it('a FROM subquery that only gained a column changes no rows, recursively', () => {
    const before = 'select s.id from (select id from (select id from orders) i) s';
    const after = 'select s.id, s.n from (select id, n from (select id, 1 as n from orders) i) s';
    expect(compareQueries(before, after)).toEqual(rowsSame({ added: ['n'] }));
    expect(compareQueries('select * from (select a from t)', 'select * from (select a, b from t)')).toEqual(rowsSame({ added: ['b'] }));
  });

  it('a grown source changes rows where the extra columns count: DISTINCT *, whole rows, NATURAL joins, correlation', () => {
    const grow = (sql: string) => [sql, sql.replace('select a from t', 'select a, b from t')] as const;
    expect(compareQueries(...grow('with c as (select a from t) select distinct * from c'))).toEqual(rowsChanged());
    expect(compareQueries(...grow('with c as (select a from t) select to_jsonb(c) as j from c'))).toEqual(rowsChanged());
    expect(compareQueries(...grow('with c as (select a from t) select a from c natural join d'))).toEqual(rowsChanged());
    expect(compareQueries(...grow('with c as (select a from t) select x from u where exists (select 1 from c where c.a = b)'))).toEqual(rowsChanged());
    expect(compareQueries(...grow('with c as (select a from t) select p from c as x(p)'))).toEqual(rowsChanged());
    expect(compareQueries(...grow('with c as (select a from t), d as ((select * from c union select a from u) union select 1) select a from d'))).toEqual(rowsChanged());
    expect(compareQueries(...grow('with c as (select a from t) select * from c order by 1 limit 5'))).toEqual(rowsChanged());
  });

  it('a star over a grown CTE joined to a table of unknown columns cannot be named: rows changed', () => {
    const before = 'with c as (select id from t) select * from c join u using (id)';
    expect(compareQueries(before, before.replace('select id from t', 'select id, b from t'))).toEqual(rowsChanged());
  });
});

describe('compareQueries: what it cannot classify changes rows', () => {
  it('a union changed in any way', () => {
    expect(compareQueries('select a from t union select a from u', 'select a from t union all select a from u')).toEqual(rowsChanged());
    expect(compareQueries('select a from t union select a from u', 'select a, 1 from t union select a, 1 from u')).toEqual(rowsChanged());
  });

  it('an unchanged union is no change', () => {
    expect(compareQueries('select a from t union select a from u', 'SELECT a FROM t UNION SELECT a FROM u -- same')).toEqual(rowsSame({}));
  });

  it('SQL that does not parse, or several statements', () => {
    expect(compareQueries('select a from t', 'select a, from t')).toEqual(rowsChanged());
    expect(compareQueries('select a, from t', 'select a, b, from t')).toEqual(rowsChanged());
    expect(compareQueries('select a from t', 'select a from t; select 1')).toEqual(rowsChanged());
  });
});

describe('sqlDiff', () => {
  const before = ['select', '  id,', '  amount', 'from orders', "where status = 'paid'", 'and amount > 0', 'and id > 0', 'and 1 = 1', 'and 2 = 2', 'and 3 = 3', 'and 4 = 4', 'order by id'].join('\n');

  it('is a unified diff: labels, hunks with 3 lines of context, - and + lines', () => {
    const after = before.replace('  amount', '  amount,\n  currency').replace('order by id', 'order by id desc');
    expect(sqlDiff(before, after, { old: 'prod', new: 'dev' })).toBe(
      [
        '--- prod',
        '+++ dev',
        '@@ -1,6 +1,7 @@',
        ' select',
        '   id,',
        '-  amount',
        '+  amount,',
        '+  currency',
        ' from orders',
        " where status = 'paid'",
        ' and amount > 0',
        '@@ -9,4 +10,4 @@',
        ' and 2 = 2',
        ' and 3 = 3',
        ' and 4 = 4',
        '-order by id',
        '+order by id desc',
        '',
      ].join('\n'),
    );
  });

  it('labels the sides old and new unless told, and has no hunk for equal texts', () => {
    expect(sqlDiff(before, `${before}\n`)).toBe('--- old\n+++ new\n');
  });
});
