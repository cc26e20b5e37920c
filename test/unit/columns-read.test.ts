import { describe, expect, it } from 'vitest';
import { columnsRead } from '../../src/lineage/columns-read.js';
import { computeLineage } from '../../src/lineage/compute-lineage.js';
import { createRelationIndex } from '../../src/lineage/relation-index.js';
import type { NodeLineage } from '../../src/lineage/types.js';

const ORDERS = 'seed.p.orders';
const CUSTOMERS = 'model.p.customers';
const EVENTS = 'source.p.app.events';
const MODEL = 'model.p.reader';

/** Orders and customers with known columns, a source whose columns are not known, and the model itself (`{{this}}`). */
const INDEX = createRelationIndex([
  { uniqueId: ORDERS, schema: 'raw', identifier: 'orders', columns: ['id', 'customer_id', 'amount', 'status', 'placed_at'] },
  { uniqueId: CUSTOMERS, schema: 'public', identifier: 'customers', columns: ['id', 'name', 'country', 'tags'] },
  { uniqueId: EVENTS, schema: 'public', identifier: 'events' },
  { uniqueId: MODEL, schema: 'public', identifier: 'reader', columns: ['id', 'amount'] },
], 'public');

async function lineageOf(sql: string): Promise<NodeLineage> {
  return (await computeLineage([{ uniqueId: MODEL, sql }], INDEX))[MODEL]!;
}

/** The row inputs as `relation.column` (the unique_id's last part), in their order; none may be unresolved. */
async function rowInputsOf(sql: string): Promise<string[]> {
  const lineage = await lineageOf(sql);
  expect(lineage.error).toBeUndefined();
  expect(lineage.rowInputsUnresolved).toBeUndefined();
  return lineage.rowInputs!.map((ref) => `${ref.node.split('.').at(-1)}.${ref.column}`);
}

/** What the model reads of orders and of customers, sorted. */
async function readOf(sql: string): Promise<{ orders: string[] | 'all'; customers: string[] | 'all' }> {
  const lineage = await lineageOf(sql);
  const sorted = (read: ReadonlySet<string> | 'all') => (read === 'all' ? read : [...read].sort());
  return { orders: sorted(columnsRead(lineage, ORDERS)), customers: sorted(columnsRead(lineage, CUSTOMERS)) };
}

describe('row inputs: what decides a model\'s rows', () => {
  it('counts WHERE, and reads it with the output columns', async () => {
    expect(await rowInputsOf(`select id from raw.orders where status = 'paid' and placed_at > now() - interval '1 day'`)).toEqual(['orders.placed_at', 'orders.status']);
    expect(await readOf(`select id from raw.orders where status = 'paid'`)).toEqual({ orders: ['id', 'status'], customers: [] });
  });

  it('counts JOIN ON, USING and NATURAL join columns of both sides', async () => {
    expect(await rowInputsOf('select o.id, c.name from raw.orders o join customers c on c.id = o.customer_id')).toEqual(['customers.id', 'orders.customer_id']);
    expect(await rowInputsOf('select id, name from raw.orders join customers using (id)')).toEqual(['customers.id', 'orders.id']);
    expect(await rowInputsOf('select name from customers natural join (select id, amount from raw.orders) o')).toEqual(['customers.id', 'orders.id']);
    expect(await readOf('select c.name from raw.orders o left join customers c on c.id = o.customer_id')).toEqual({ orders: ['customer_id'], customers: ['id', 'name'] });
  });

  it('counts GROUP BY: input columns first, then output names and positions, through ROLLUP', async () => {
    expect(await rowInputsOf('select customer_id, sum(amount) from raw.orders group by customer_id')).toEqual(['orders.customer_id']);
    // `s` is no input column: the output column of that name.
    expect(await rowInputsOf('select upper(status) as s, count(*) from raw.orders group by s')).toEqual(['orders.status']);
    // `id` is an input column: it wins over the output column named id.
    expect(await rowInputsOf('select customer_id as id, count(*) from raw.orders group by id, 1')).toEqual(['orders.customer_id', 'orders.id']);
    expect(await rowInputsOf('select status, customer_id, count(*) from raw.orders group by rollup (status, customer_id)')).toEqual(['orders.customer_id', 'orders.status']);
  });

  it('counts a column read only in HAVING', async () => {
    expect(await readOf('select customer_id from raw.orders group by customer_id having sum(amount) > 100')).toEqual({ orders: ['amount', 'customer_id'], customers: [] });
  });

  it('resolves a CTE column the outer query filters on to what it derives from, and counts the CTE\'s own row inputs', async () => {
    const sql = `
      with paid as (select id, amount * 2 as doubled from raw.orders where status = 'paid'),
      unused as (select 1 as one from customers where country = 'FR')
      select id from paid where doubled > 10`;
    expect(await rowInputsOf(sql)).toEqual(['customers.country', 'orders.amount', 'orders.status']);
    expect(await readOf(sql)).toEqual({ orders: ['amount', 'id', 'status'], customers: ['country'] });
    // A subquery in FROM, and a window output filtered outside: its PARTITION BY and ORDER BY decide the rows.
    expect(await rowInputsOf('select id from (select id, row_number() over (partition by customer_id order by placed_at desc) as n from raw.orders) t where n = 1'))
      .toEqual(['orders.customer_id', 'orders.placed_at']);
  });

  it('counts window PARTITION BY and ORDER BY, named windows, aggregate FILTER and ORDER BY, not WITHIN GROUP', async () => {
    expect(await rowInputsOf('select id, rank() over (partition by customer_id order by amount) from raw.orders')).toEqual(['orders.amount', 'orders.customer_id']);
    expect(await rowInputsOf('select sum(amount) over w from raw.orders window w as (partition by status)')).toEqual(['orders.status']);
    expect(await rowInputsOf(`select count(*) filter (where status = 'paid'), string_agg(status, ',' order by placed_at) from raw.orders`)).toEqual(['orders.placed_at', 'orders.status']);
    expect(await rowInputsOf('select percentile_cont(0.5) within group (order by amount) from raw.orders')).toEqual([]);
  });

  it('counts EXISTS and IN subqueries, in WHERE and in the select list, correlated references too', async () => {
    const sql = `select c.name from customers c where exists (select 1 from raw.orders o where o.customer_id = c.id and o.status = 'paid')`;
    expect(await rowInputsOf(sql)).toEqual(['customers.id', 'orders.customer_id', 'orders.status']);
    expect(await readOf(sql)).toEqual({ orders: ['customer_id', 'status'], customers: ['id', 'name'] });
    expect(await rowInputsOf('select id from customers where id in (select customer_id from raw.orders where amount > 0)')).toEqual(['customers.id', 'orders.amount', 'orders.customer_id']);
    const selectList = await lineageOf('select c.id, exists (select 1 from raw.orders o where o.customer_id = c.id) as has_orders from customers c');
    expect(selectList.columns.has_orders).toEqual({ upstream: [] });
    expect(selectList.rowInputs).toEqual([{ node: CUSTOMERS, column: 'id' }, { node: ORDERS, column: 'customer_id' }]);
  });

  it('counts ORDER BY (output names first), DISTINCT ON, LIMIT and OFFSET', async () => {
    // `amount` is the output column, from orders.id; `status` is an input column.
    expect(await rowInputsOf('select id as amount from raw.orders order by amount, status desc')).toEqual(['orders.id', 'orders.status']);
    expect(await rowInputsOf('select distinct on (customer_id) customer_id, amount from raw.orders order by customer_id, placed_at desc')).toEqual([
      'orders.customer_id', 'orders.placed_at',
    ]);
    expect(await rowInputsOf('select id from raw.orders order by 1 limit (select count(*) from customers where country = \'FR\') offset 2')).toEqual(['customers.country', 'orders.id']);
  });

  it('counts every column of DISTINCT, UNION, INTERSECT and EXCEPT, not of UNION ALL', async () => {
    expect(await rowInputsOf('select id from (select distinct id, status from raw.orders) d')).toEqual(['orders.id', 'orders.status']);
    expect(await rowInputsOf('select id from (select id, amount from raw.orders union select id, null from customers) u')).toEqual(['customers.id', 'orders.amount', 'orders.id']);
    expect(await rowInputsOf('select id from raw.orders union all select id from customers')).toEqual([]);
    expect(await rowInputsOf('select id from raw.orders except all select id from customers')).toEqual(['customers.id', 'orders.id']);
    expect(await rowInputsOf('select id from raw.orders union all select id from customers order by id')).toEqual(['customers.id', 'orders.id']);
  });

  it('counts what set-returning functions expand, in FROM and in the select list', async () => {
    expect(await rowInputsOf('select c.id from customers c cross join lateral jsonb_array_elements(c.tags) t')).toEqual(['customers.tags']);
    expect(await rowInputsOf('select id from (select id, jsonb_array_elements(tags) as tag from customers) t')).toEqual(['customers.tags']);
  });

  it("leaves the model's own rows (`{{this}}`) out", async () => {
    expect(await rowInputsOf('select id, amount from raw.orders where placed_at > (select max(r.id) from reader r)')).toEqual(['orders.placed_at']);
  });

  it('leaves the output columns\' upstream as it was', async () => {
    const lineage = await lineageOf(`
      select customer_id, sum(amount) as total, count(*) filter (where status = 'paid') as paid_count,
        rank() over (partition by customer_id order by sum(amount)) as position
      from raw.orders where id > 0 group by customer_id having count(*) > 1 order by 1`);
    expect(lineage.columns).toEqual({
      customer_id: { upstream: [{ node: ORDERS, column: 'customer_id' }] },
      total: { upstream: [{ node: ORDERS, column: 'amount' }] },
      paid_count: { upstream: [] },
      position: { upstream: [] },
    });
    expect(lineage.rowInputs).toEqual(['amount', 'customer_id', 'id', 'status'].map((column) => ({ node: ORDERS, column })));
  });
});

describe('columnsRead', () => {
  it('is every column when the row inputs cannot be resolved', async () => {
    const joined = await lineageOf('select o.id from raw.orders o join events e on e.order_id = o.id');
    expect(joined.rowInputsUnresolved).toBe('e.order_id: the columns of source.p.app.events are not known');
    expect(columnsRead(joined, ORDERS)).toBe('all');
    // An unqualified name may be a column of events.
    expect((await lineageOf('select o.id from raw.orders o, events e where kind = 1')).rowInputsUnresolved).toBe('kind: the columns of source.p.app.events are not known');
    expect((await readOf('select id from raw.orders order by nope')).orders).toBe('all');
    expect((await readOf('select o.id from raw.orders o natural join events')).orders).toBe('all');
    expect((await readOf('select id from raw.orders tablesample system (10)')).orders).toBe('all');
  });

  it('is every column for an unresolved output column, an error, no lineage, or lineage without row inputs', async () => {
    expect((await lineageOf('select o.id, e.kind from raw.orders o join events e on true')).rowInputsUnresolved).toBeUndefined();
    expect((await readOf('select o.id, e.kind from raw.orders o join events e on true')).orders).toBe('all');
    expect((await readOf('select * from events')).orders).toBe('all');
    expect((await readOf('select from where')).orders).toBe('all');
    expect(columnsRead(undefined, ORDERS)).toBe('all');
    expect(columnsRead({ columns: { id: { upstream: [{ node: ORDERS, column: 'id' }] } } }, ORDERS)).toBe('all');
  });

  it('is nothing of a parent the model does not read, and only what it reads of one it does', async () => {
    expect(await readOf('select count(*) from raw.orders')).toEqual({ orders: [], customers: [] });
    expect(await readOf('select o.amount from raw.orders o join customers c on c.id = o.customer_id where c.country = \'FR\'')).toEqual({
      orders: ['amount', 'customer_id'],
      customers: ['country', 'id'],
    });
  });
});
