import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeLineage } from '../../src/lineage/compute-lineage.js';
import { LineageGraph } from '../../src/lineage/lineage-graph.js';
import { createRelationIndex, type IndexedRelation } from '../../src/lineage/relation-index.js';
import type { NodeLineage, ProjectLineage } from '../../src/lineage/types.js';
import { runCli } from '../helpers/project.js';
import { lineageChain } from '../helpers/scale-inputs.js';

/** A small warehouse: a seed with a jsonb column, a model, and a source whose columns are not known. */
const RELATIONS: IndexedRelation[] = [
  { uniqueId: 'seed.p.orders', schema: 'raw', identifier: 'orders', columns: ['id', 'customer_id', 'amount', 'status'] },
  { uniqueId: 'seed.p.docs', schema: 'raw', identifier: 'docs', columns: ['data', '_file'] },
  { uniqueId: 'model.p.customers', schema: 'public', identifier: 'customers', columns: ['id', 'name', 'country'] },
  { uniqueId: 'source.p.app.events', schema: 'public', identifier: 'events' },
];
const INDEX = createRelationIndex(RELATIONS, 'public');
const MODEL = 'model.p.m';

async function lineageOf(sql: string): Promise<NodeLineage> {
  return (await computeLineage([{ uniqueId: MODEL, sql }], INDEX))[MODEL]!;
}

/** Each output column's upstream as `relation.column` (the unique_id's last part), sorted. */
function upstreamByColumn(lineage: NodeLineage): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(lineage.columns).map(([column, { upstream }]) => [column, upstream.map((ref) => `${ref.node.split('.').at(-1)}.${ref.column}`).sort()]),
  );
}

async function upstreamOf(sql: string): Promise<Record<string, string[]>> {
  const lineage = await lineageOf(sql);
  expect(lineage.error).toBeUndefined();
  for (const [column, { unresolved }] of Object.entries(lineage.columns)) expect(unresolved, column).toBeUndefined();
  return upstreamByColumn(lineage);
}

describe('column lineage of SQL constructs', () => {
  it('follows aliases, expressions, casts and case folding; output order is the select list', async () => {
    const lineage = await upstreamOf('select O.ID as order_id, o.amount * 2 + o.customer_id as x, status::text, "status"::varchar(5) s2 from RAW.Orders O');
    expect(lineage).toEqual({ order_id: ['orders.id'], x: ['orders.amount', 'orders.customer_id'], status: ['orders.status'], s2: ['orders.status'] });
    expect(Object.keys(lineage)).toEqual(['order_id', 'x', 'status', 's2']);
  });

  it('names unnamed values as PostgreSQL does', async () => {
    const lineage = await upstreamOf(`select upper(name), 'a'::text, country::text, (select max(amount) from raw.orders), coalesce(id, 0), case when id > 0 then name end, id + 1 from customers`);
    expect(Object.keys(lineage)).toEqual(['upper', 'text', 'country', 'max', 'coalesce', 'case', '?column?']);
  });

  it('goes through CTEs referencing CTEs, NOT MATERIALIZED, comments and subqueries with column aliases', async () => {
    const lineage = await upstreamOf(`
      -- a leading comment
      with base as not materialized (select id, amount from raw.orders), -- trailing
      doubled as (select id, amount * 2 as twice from base),
      nested as (with inner_cte as (select twice as t from doubled) select t from inner_cte)
      select s.a, s.b, n.t from (select id, twice from doubled) as s(a, b) cross join nested n`);
    expect(lineage).toEqual({ a: ['orders.id'], b: ['orders.amount'], t: ['orders.amount'] });
  });

  it('resolves ephemeral models inlined as "__tsdbt__cte__<name>" through their body', async () => {
    const lineage = await upstreamOf(`with "__tsdbt__cte__stg" as (select id as order_id, amount from raw.orders) select order_id, amount from "__tsdbt__cte__stg"`);
    expect(lineage).toEqual({ order_id: ['orders.id'], amount: ['orders.amount'] });
  });

  it('follows recursive CTEs to their fixpoint', async () => {
    const lineage = await upstreamOf(`
      with recursive chain(id, total, depth) as (
        select id, amount, 1 from raw.orders
        union all
        select c.id, c.total + o.amount, c.depth + 1 from chain c join customers cu on cu.id = c.id join raw.orders o on o.customer_id = cu.id
      )
      select id, total, depth from chain`);
    expect(lineage).toEqual({ id: ['orders.id'], total: ['orders.amount'], depth: [] });
  });

  it('merges USING and NATURAL join columns by join type', async () => {
    expect(await upstreamOf('select id, name, amount from raw.orders join customers using (id)')).toEqual({ id: ['orders.id'], name: ['customers.name'], amount: ['orders.amount'] });
    expect(await upstreamOf('select id from raw.orders right join customers using (id)')).toEqual({ id: ['customers.id'] });
    expect(await upstreamOf('select id, o.id as oid from raw.orders o full join customers using (id)')).toEqual({ id: ['customers.id', 'orders.id'], oid: ['orders.id'] });
    expect(await upstreamOf('select * from customers natural join (select id, amount from raw.orders) o')).toEqual({ id: ['customers.id'], name: ['customers.name'], country: ['customers.country'], amount: ['orders.amount'] });
    expect(await upstreamOf('select j.k from (raw.orders join customers using (id)) as j(k)')).toEqual({ k: ['orders.id'] });
  });

  it('expands * and t.* from the index, joined USING columns once', async () => {
    const all = await upstreamOf('select * from raw.orders o join customers c on c.id = o.customer_id');
    expect(Object.keys(all)).toEqual(['id', 'customer_id', 'amount', 'status', 'name', 'country']);
    // Two output columns named id (legal in a SELECT) share one entry.
    expect(all.id).toEqual(['customers.id', 'orders.id']);
    const using = await upstreamOf('select * from raw.orders join customers using (id)');
    expect(Object.keys(using)).toEqual(['id', 'customer_id', 'amount', 'status', 'name', 'country']);
    expect(await upstreamOf('select c.*, o.amount from raw.orders o, customers c')).toEqual({ id: ['customers.id'], name: ['customers.name'], country: ['customers.country'], amount: ['orders.amount'] });
    expect(await upstreamOf('select row_to_json(c.*) as doc, to_jsonb(c) as doc2 from customers c')).toEqual({
      doc: ['customers.country', 'customers.id', 'customers.name'],
      doc2: ['customers.country', 'customers.id', 'customers.name'],
    });
  });

  it('counts value expressions, not row selection: CASE, functions, aggregates, windows, FILTER, WITHIN GROUP', async () => {
    const lineage = await upstreamOf(`
      select
        customer_id,
        sum(amount) as total,
        case when status = 'paid' then amount else 0 end as paid,
        rank() over (partition by customer_id order by amount) as position,
        sum(amount) over (partition by customer_id) as customer_total,
        percentile_cont(0.5) within group (order by amount) as median,
        count(*) filter (where status = 'paid') as paid_count,
        string_agg(status, ',' order by id) as statuses
      from raw.orders where id > 0 group by customer_id having count(*) > 1 order by 1`);
    expect(lineage).toEqual({
      customer_id: ['orders.customer_id'],
      total: ['orders.amount'],
      paid: ['orders.amount', 'orders.status'],
      position: [],
      customer_total: ['orders.amount'],
      median: ['orders.amount'],
      paid_count: [],
      statuses: ['orders.status'],
    });
  });

  it('derives column i of UNION, INTERSECT and EXCEPT from column i of every branch', async () => {
    const lineage = await upstreamOf(`
      select id, amount as value from raw.orders
      union all select id, country from customers
      except select 1, null
      intersect select customer_id, status from raw.orders`);
    expect(lineage).toEqual({ id: ['customers.id', 'orders.customer_id', 'orders.id'], value: ['customers.country', 'orders.amount', 'orders.status'] });
  });

  it('follows LATERAL subqueries and correlated references', async () => {
    const lineage = await upstreamOf(`
      select c.name, l.total, l.label
      from customers c
      cross join lateral (select sum(o.amount) as total, c.country || '!' as label from raw.orders o where o.customer_id = c.id) l`);
    expect(lineage).toEqual({ name: ['customers.name'], total: ['orders.amount'], label: ['customers.country'] });
  });

  it('derives JSON extraction and set-returning jsonb functions from the jsonb column', async () => {
    const lineage = await upstreamOf(`
      select
        data ->> 'x' as x,
        d.data -> 'a' ->> 'b' as b,
        (data #>> '{c,d}')::int as c,
        program ->> 'id' as program_id,
        e.value ->> 'name' as program_name,
        tag,
        kv.key,
        r.n
      from raw.docs d
      cross join lateral jsonb_array_elements(d.data -> 'programs') as e
      cross join lateral jsonb_array_elements(d.data -> 'programs') as p(program)
      cross join jsonb_array_elements_text(data -> 'tags') with ordinality as t(tag, tag_no)
      cross join jsonb_each(data -> 'meta') as kv
      cross join jsonb_to_record(data -> 'r') as r(n int)`);
    const data = ['docs.data'];
    expect(lineage).toEqual({ x: data, b: data, c: data, program_id: data, program_name: data, tag: data, key: data, n: data });
  });

  it('gives VALUES and generate_series no upstream', async () => {
    expect(await upstreamOf(`select v.a, b, column3 from (values (1, 'x', true), (2, 'y', false)) as v(a, b)`)).toEqual({ a: [], b: [], column3: [] });
    expect(await upstreamOf(`select d::date as day, g, generate_series from generate_series('2024-01-01'::date, '2024-01-31', interval '1 day') as d, generate_series(1, 2) g, generate_series(1, 3)`)).toEqual({ day: [], g: [], generate_series: [] });
    expect(await upstreamOf(`select v.x from customers c cross join lateral (values (c.id), (c.name)) as v(x)`)).toEqual({ x: ['customers.id', 'customers.name'] });
  });

  it('follows scalar subqueries in the select list, and not EXISTS', async () => {
    const lineage = await upstreamOf(`
      select c.id,
        (select max(o.amount) from raw.orders o where o.customer_id = c.id) as max_amount,
        exists (select 1 from raw.orders o where o.customer_id = c.id) as has_orders,
        c.id in (select customer_id from raw.orders) as in_orders,
        array(select status from raw.orders) as statuses
      from customers c`);
    expect(lineage).toEqual({
      id: ['customers.id'],
      max_amount: ['orders.amount'],
      has_orders: [],
      in_orders: ['customers.id', 'orders.customer_id'],
      statuses: ['orders.status'],
    });
  });

  it('ignores DISTINCT ON, GROUP BY and ORDER BY for lineage', async () => {
    expect(await upstreamOf('select distinct on (customer_id) customer_id, amount from raw.orders group by customer_id, amount, id order by customer_id, id desc')).toEqual({
      customer_id: ['orders.customer_id'],
      amount: ['orders.amount'],
    });
  });

  it('reports what it cannot resolve, and never guesses', async () => {
    const catalog = await lineageOf('select c.relname, 1 as one, oid from pg_catalog.pg_class c');
    expect(catalog.columns.relname).toEqual({ upstream: [], unresolved: 'c.relname: relation pg_catalog.pg_class is not a project relation' });
    expect(catalog.columns.one).toEqual({ upstream: [] });
    expect(catalog.columns.oid?.unresolved).toBe('oid: relation pg_catalog.pg_class is not a project relation');

    const unknownColumns = await lineageOf('select e.kind, c.name, amount from events e join customers c on true join raw.orders o on true');
    expect(unknownColumns.columns.kind).toEqual({ upstream: [], unresolved: 'e.kind: the columns of source.p.app.events are not known' });
    // A qualified or known column stays resolved next to a relation of unknown columns...
    expect(unknownColumns.columns.name).toEqual({ upstream: [{ node: 'model.p.customers', column: 'name' }] });
    expect(unknownColumns.columns.amount).toEqual({ upstream: [{ node: 'seed.p.orders', column: 'amount' }] });
    // ...but an unqualified one that is not found may be in it.
    expect((await lineageOf('select kind from events join customers on true')).columns.kind?.unresolved).toBe('kind: the columns of source.p.app.events are not known');

    expect(await lineageOf('select * from events')).toEqual({ columns: {}, error: 'cannot list the output columns: * over the columns of source.p.app.events are not known' });
    expect((await lineageOf('select nope, o.nope as n2 from raw.orders o')).columns).toEqual({
      nope: { upstream: [], unresolved: 'nope: no such column in scope' },
      n2: { upstream: [], unresolved: 'o.nope: o has no column nope' },
    });
    expect((await lineageOf('select f.x from my_function(1) as f')).columns.x).toEqual({ upstream: [] });
    expect((await lineageOf('select * from my_function(1) as f')).error).toBe('cannot list the output columns: * over the columns of my_function() are not known');
  });

  it('reports SQL it cannot analyse as the node error', async () => {
    expect((await lineageOf('select from where')).error).toMatch(/^cannot parse the compiled SQL: syntax error/);
    expect(await lineageOf('select 1; select 2')).toEqual({ columns: {}, error: 'the compiled SQL is not a single SELECT' });
    expect((await lineageOf('insert into raw.orders values (1)')).error).toBe('the compiled SQL is not a single SELECT');
  });

  it("takes a model's columns from its own SQL, upstream first, whatever the order given", async () => {
    const index = createRelationIndex([...RELATIONS, { uniqueId: 'model.p.a', schema: 'public', identifier: 'a' }, { uniqueId: 'model.p.b', schema: 'public', identifier: 'b' }], 'public');
    const lineage = await computeLineage(
      [
        { uniqueId: 'model.p.b', sql: 'select * from a where doubled > 0' },
        { uniqueId: 'model.p.a', sql: 'select id, amount * 2 as doubled from raw.orders' },
      ],
      index,
    );
    expect(Object.keys(lineage)).toEqual(['model.p.b', 'model.p.a']);
    expect(upstreamByColumn(lineage['model.p.b']!)).toEqual({ id: ['a.id'], doubled: ['a.doubled'] });
  });
});

describe('walking column lineage', () => {
  const lineage: ProjectLineage = {
    'model.p.a': { columns: { x: { upstream: [{ node: 'seed.p.s', column: 'data' }] } } },
    'model.p.b': { columns: { y: { upstream: [{ node: 'model.p.a', column: 'x' }] }, z: { upstream: [{ node: 'seed.p.s', column: 'data' }] } } },
    'model.p.c': { columns: { w: { upstream: [{ node: 'model.p.b', column: 'y' }, { node: 'model.p.b', column: 'z' }] } } },
  };
  const graph = new LineageGraph(lineage);

  it('walks upstream and downstream, nearest first, each column once, within a depth', () => {
    expect(graph.walk({ node: 'model.p.c', column: 'w' }, 'upstream')).toEqual([
      { column: { node: 'model.p.b', column: 'y' }, depth: 1 },
      { column: { node: 'model.p.b', column: 'z' }, depth: 1 },
      { column: { node: 'model.p.a', column: 'x' }, depth: 2 },
      { column: { node: 'seed.p.s', column: 'data' }, depth: 2 },
    ]);
    expect(graph.walk({ node: 'seed.p.s', column: 'data' }, 'downstream', 1)).toEqual([
      { column: { node: 'model.p.a', column: 'x' }, depth: 1 },
      { column: { node: 'model.p.b', column: 'z' }, depth: 1 },
    ]);
    expect(graph.walk({ node: 'seed.p.s', column: 'data' }, 'downstream').map((step) => `${step.column.node}.${step.column.column}`)).toEqual([
      'model.p.a.x', 'model.p.b.z', 'model.p.b.y', 'model.p.c.w',
    ]);
    expect(graph.walk({ node: 'model.p.none', column: 'q' }, 'upstream')).toEqual([]);
  });
});

describe("the example project's models", () => {
  const JSON_LOADER_COLUMNS = ['data', '_file', '_record_no', '_loaded_at', '_repaired'];
  const PROJECT = 'seed.tsdbt_examples.';
  const MODELS = 'model.tsdbt_examples.';
  let dir: string;
  let lineage: ProjectLineage;
  let graph: LineageGraph;

  interface ManifestNode {
    resource_type: string;
    language?: string;
    schema: string;
    alias: string;
    compiled_path?: string;
    config: { materialized?: string; format?: string };
    columns: Record<string, unknown>;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsdbt-lineage-'));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    for (const entry of ['tsdbt_project.yml', 'models', 'macros', 'seeds', 'tests', 'snapshots']) cpSync(join(root, entry), join(dir, entry), { recursive: true });
    const compiled = await runCli(['compile', '--project-dir', dir]);
    expect(compiled.code, compiled.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'target/manifest.json'), 'utf8')) as { nodes: Record<string, ManifestNode> };
    const nodes = Object.entries(manifest.nodes).filter(([, node]) => ['model', 'seed', 'snapshot'].includes(node.resource_type));
    const relations = nodes.map(([uniqueId, node]) => ({
      uniqueId,
      schema: node.schema,
      identifier: node.alias,
      // JSON seeds are loaded as (data, _file) plus the loader's columns; other declarations may be partial.
      columns: node.resource_type === 'seed' && 'data' in node.columns ? JSON_LOADER_COLUMNS : undefined,
    }));
    const models = nodes
      // Ephemeral models are inlined into the others; TypeScript models' SQL exists only when they run.
      .filter(([, node]) => node.resource_type === 'model' && node.language === 'sql' && node.config.materialized !== 'ephemeral')
      .map(([uniqueId, node]) => ({ uniqueId, sql: readFileSync(join(dir, node.compiled_path!), 'utf8') }));
    lineage = await computeLineage(models, createRelationIndex(relations, 'public'));
    graph = new LineageGraph(lineage);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rawSources = (model: string, column: string) =>
    graph.walk({ node: MODELS + model, column }, 'upstream').filter((step) => step.column.node.startsWith(PROJECT)).map((step) => `${step.column.node.slice(PROJECT.length)}.${step.column.column}`).sort();

  it('analyses every compiled SQL model, unresolved only where the index has no columns', () => {
    expect(Object.keys(lineage).length).toBeGreaterThan(25);
    expect(Object.values(lineage).filter((node) => node.error)).toEqual([]);
    const unresolved = Object.values(lineage).flatMap((node) => Object.values(node.columns).flatMap((column) => (column.unresolved ? column.unresolved.split('; ') : [])));
    // CSV seeds whose columns are not declared, and a TypeScript model: the catalog would know them, the manifest does not.
    const unknownRelations = new Set(unresolved.map((reason) => /the columns of (\S+) are not known$/.exec(reason)?.[1] ?? reason));
    expect([...unknownRelations].sort()).toEqual([
      `${MODELS}activity_clusters`,
      `${PROJECT}user_interactions`,
      `${PROJECT}user_interactions_late`,
      `${PROJECT}user_metadata`,
    ]);
  });

  it('resolves the Pinterest top users to the cleaned tables, and those to the raw jsonb', () => {
    expect(upstreamByColumn(lineage[`${MODELS}pinterest_top_user_by_country`]!)).toEqual({
      country: ['pinterest_geo_cleaned.country'],
      poster_name: ['pinterest_pins.poster_name'],
      follower_count: ['pinterest_pins.follower_count'],
    });
    expect(upstreamByColumn(lineage[`${MODELS}pinterest_pins`]!).follower_count).toEqual(['pinterest_pin.data']);
    expect(rawSources('pinterest_top_user_by_country', 'country')).toEqual(['pinterest_geo.data']);
    expect(rawSources('pinterest_top_user_by_country', 'follower_count')).toEqual(['pinterest_pin.data']);
  });

  it('finds the row inputs of every model, unresolved only over relations whose columns the index does not know', () => {
    const unresolved = Object.entries(lineage).filter(([, node]) => node.rowInputsUnresolved !== undefined);
    expect(unresolved.map(([id]) => id.slice(MODELS.length)).sort()).toEqual(['dim_users', 'fct_interactions', 'regional_activity_clusters']);
    for (const [, node] of unresolved) expect(node.rowInputsUnresolved).toMatch(/the columns of \S+ are not known/);
    // Through the ephemeral join on `ind`: the window's PARTITION BY and ORDER BY, the WHERE, and DISTINCT's columns.
    expect(lineage[`${MODELS}pinterest_top_user_by_country`]!.rowInputs!.map((ref) => `${ref.node.slice(MODELS.length)}.${ref.column}`)).toEqual([
      'pinterest_geo_cleaned.country', 'pinterest_geo_cleaned.ind', 'pinterest_pins.follower_count', 'pinterest_pins.ind', 'pinterest_pins.poster_name',
    ]);
  });

  it('unpacks the ambassador documents from the raw jsonb column and file name', () => {
    const ambassadors = upstreamByColumn(lineage[`${MODELS}dim_ambassadors`]!);
    expect(ambassadors.ambassador_id).toEqual(['ambassadors._file', 'ambassadors.data']);
    expect(ambassadors.email).toEqual(['ambassadors.data']);
    expect(ambassadors.joined_at).toEqual(['ambassadors.data']);
    expect(ambassadors.source_file).toEqual(['ambassadors._file']);
    const tasks = upstreamByColumn(lineage[`${MODELS}tasks_completed`]!);
    for (const column of ['task_id', 'platform', 'post_url', 'likes', 'comments', 'shares', 'reach']) expect(tasks[column], column).toEqual(['ambassadors.data']);
    const programs = upstreamByColumn(lineage[`${MODELS}advocacy_programs`]!);
    expect(programs.total_sales_attributed).toEqual(['ambassadors.data']);
    expect(programs.brand_id).toEqual(['brands.brand_id']);
  });
});

describe('scale', () => {
  // How long this takes is a figure of `npm run bench -- --only in-process`, on the same models.
  it('follows a column through a chain of 5,000 generated models', async () => {
    const count = 5000;
    const { models, relations } = lineageChain(count);
    const lineage = await computeLineage(models, createRelationIndex(relations, 'public'));
    expect(Object.keys(lineage)).toHaveLength(count);
    expect(lineage[`model.p.m${count - 1}`]!.columns.amount!.upstream).toEqual([{ node: `model.p.m${count - 2}`, column: 'amount' }]);
    expect(lineage['model.p.m0']!.columns.amount!.upstream).toEqual([{ node: 'seed.p.orders', column: 'amount' }]);
  });
});
