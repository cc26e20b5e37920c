import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DocsColumn, DocsData, DocsNode, DocsRunResult } from '../../src/docs/docs-data.js';
import type { ProjectLineage } from '../../src/lineage/types.js';
import { docsDataScript, docsSiteFiles } from '../../src/docs/site-files.js';

/**
 * Docs data for the browser tests, without a project or a database: a small shop (sources, a seed, models of each
 * materialization, a snapshot, tests, a unit test, a last run over three threads, column lineage with an unresolved
 * column) with hostile strings in one model, and a generated project of any size for the performance check.
 */

/** Every place a user string reaches the page carries one of these; none may run or create an element. */
export const HOSTILE = {
  description: '# Evil\n<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">\n\n[click me](javascript:window.__pwned=3)',
  columnDescription: '<img src=x onerror="window.__pwned = 4">',
  code: "select '</script><script>window.__pwned = 5</script>' as x",
  message: '<img src=x onerror="window.__pwned = 6">',
  tag: '<b>bold</b>',
  column: '<i>col</i>',
};

type NodeInit = Partial<DocsNode> & Pick<DocsNode, 'uniqueId' | 'name' | 'resourceType'>;

/** The fqn, package and source names a parser would give, from the unique_id (`source.<package>.<source>.<table>`) and path. */
function node(init: NodeInit): DocsNode {
  const path = init.path ?? `${init.resourceType}s/${init.name}.sql`;
  const [, packageName = '', ...rest] = init.uniqueId.split('.');
  const source = init.resourceType === 'source' ? { name: rest[0] ?? '', table: rest[1] ?? '' } : undefined;
  const fqn = source ? [packageName, source.name, source.table] : [packageName, ...path.split('/').slice(1, -1), init.name];
  return {
    path, fqn, packageName, ...(source && { source }), description: '', tags: [], config: {}, columns: [], rawCode: '',
    parents: [], children: [], ...init,
  };
}

function columns(...specs: [name: string, type: string, description?: string, tests?: string[]][]): DocsColumn[] {
  return specs.map(([name, type, description = '', tests = []]) => ({ name, type, description, tests }));
}

/** Children from parents, as the generator derives them. */
function linkChildren(nodes: DocsNode[]): DocsNode[] {
  const byId = new Map(nodes.map((n) => [n.uniqueId, n]));
  for (const n of nodes) for (const parent of n.parents) byId.get(parent)?.children.push(n.uniqueId);
  return nodes;
}

const ref = (node: string, column: string) => ({ node, column });

export function shopDocsData(): DocsData {
  const nodes = linkChildren([
    node({ uniqueId: 'source.shop.raw.customers', name: 'customers', resourceType: 'source', path: 'models/sources.yml', relation: '"raw"."customers"', schema: 'raw',
      description: 'Customers as the **CRM** exports them.', columns: columns(['id', 'integer'], ['name', 'text'], ['data', 'jsonb', 'The raw CRM document.']) }),
    node({ uniqueId: 'source.shop.raw.orders', name: 'orders', resourceType: 'source', path: 'models/sources.yml', relation: '"raw"."orders"', schema: 'raw',
      columns: columns(['id', 'integer'], ['customer_id', 'integer'], ['amount_cents', 'bigint'], ['status', 'text']) }),
    node({ uniqueId: 'seed.shop.country_codes', name: 'country_codes', resourceType: 'seed', materialized: 'seed', path: 'seeds/country_codes.csv', relation: '"raw"."country_codes"',
      columns: columns(['code', 'text'], ['country_name', 'text']), stats: { relationType: 'table', rowEstimate: 249, bytes: 16384 } }),
    node({ uniqueId: 'model.shop.stg_customers', name: 'stg_customers', resourceType: 'model', materialized: 'view', language: 'sql', path: 'models/staging/stg_customers.sql',
      relation: '"analytics"."stg_customers"', description: 'One row per customer, names trimmed.', tags: ['staging'],
      parents: ['source.shop.raw.customers'],
      rawCode: "select id as customer_id, trim(name) as customer_name, data->>'country' as country_code\nfrom {{source \"raw\" \"customers\"}}",
      compiledCode: 'select id as customer_id, trim(name) as customer_name, data->>\'country\' as country_code\nfrom "raw"."customers"',
      columns: columns(['customer_id', 'integer', 'The customer.', ['test.shop.not_null_stg_customers_customer_id', 'test.shop.unique_stg_customers_customer_id']],
        ['customer_name', 'text'], ['country_code', 'text', 'ISO code, from the CRM document.']) }),
    node({ uniqueId: 'model.shop.stg_orders', name: 'stg_orders', resourceType: 'model', materialized: 'view', language: 'sql', path: 'models/staging/stg_orders.sql',
      relation: '"analytics"."stg_orders"', description: 'Orders, amounts in dollars.', tags: ['staging'], parents: ['source.shop.raw.orders'],
      rawCode: 'select id as order_id, customer_id, amount_cents / 100.0 as amount, status\nfrom {{source "raw" "orders"}}',
      compiledCode: 'select id as order_id, customer_id, amount_cents / 100.0 as amount, status\nfrom "raw"."orders"',
      columns: columns(['order_id', 'integer'], ['customer_id', 'integer'], ['amount', 'numeric'], ['status', 'text', '', ['test.shop.accepted_values_stg_orders_status']]) }),
    node({ uniqueId: 'model.shop.customer_orders', name: 'customer_orders', resourceType: 'model', materialized: 'table', language: 'sql', path: 'models/marts/customer_orders.sql',
      relation: '"analytics"."customer_orders"', tags: ['finance'], config: { materialized: 'table', schema: 'analytics' },
      description: 'Each customer with the **total** of their orders.\n\n- one row per customer\n- `total_amount` in dollars',
      parents: ['model.shop.stg_customers', 'model.shop.stg_orders', 'seed.shop.country_codes'],
      rawCode: 'select c.customer_id, c.customer_name, k.country_name, sum(o.amount) as total_amount, count(o.order_id) as order_count\nfrom {{ref "stg_customers"}} c\njoin {{ref "stg_orders"}} o using (customer_id)\nleft join {{ref "country_codes"}} k on k.code = c.country_code\ngroup by 1, 2, 3',
      compiledCode: 'select c.customer_id, c.customer_name, k.country_name, sum(o.amount) as total_amount, count(o.order_id) as order_count\nfrom "analytics"."stg_customers" c\njoin "analytics"."stg_orders" o using (customer_id)\nleft join "raw"."country_codes" k on k.code = c.country_code\ngroup by 1, 2, 3',
      columns: columns(['customer_id', 'integer', '', ['test.shop.not_null_customer_orders_customer_id']], ['customer_name', 'text'], ['country_name', 'text'],
        ['total_amount', 'numeric', 'Sum of the orders, in dollars.'], ['order_count', 'bigint']),
      stats: { relationType: 'table', rowEstimate: 1200, bytes: 98304 } }),
    node({ uniqueId: 'model.shop.top_customers', name: 'top_customers', resourceType: 'model', materialized: 'incremental', language: 'typescript', path: 'models/marts/top_customers.ts',
      relation: '"analytics"."top_customers"', description: 'The hundred best customers, with a segment computed in TypeScript.', parents: ['model.shop.customer_orders'],
      rawCode: 'export default (db) => db.selectFrom("customer_orders").select(["customer_id", "total_amount"]).orderBy("total_amount", "desc").limit(100);',
      compiledCode: 'select "customer_id", "total_amount", segment_of("total_amount") as "segment" from "analytics"."customer_orders" order by "total_amount" desc limit 100',
      columns: columns(['customer_id', 'integer'], ['total_amount', 'numeric'], ['segment', 'text']) }),
    node({ uniqueId: 'model.shop.evil', name: 'evil', resourceType: 'model', materialized: 'ephemeral', language: 'sql', path: 'models/evil.sql',
      description: HOSTILE.description, tags: [HOSTILE.tag], rawCode: HOSTILE.code, compiledCode: HOSTILE.code, parents: ['model.shop.stg_orders'],
      columns: columns([HOSTILE.column, 'text', HOSTILE.columnDescription]) }),
    node({ uniqueId: 'snapshot.shop.customers_snapshot', name: 'customers_snapshot', resourceType: 'snapshot', materialized: 'snapshot', path: 'snapshots/customers_snapshot.sql',
      relation: '"snapshots"."customers_snapshot"', parents: ['model.shop.stg_customers'], rawCode: 'select * from {{ref "stg_customers"}}',
      columns: columns(['customer_id', 'integer'], ['customer_name', 'text'], ['dbt_valid_from', 'timestamp'], ['dbt_valid_to', 'timestamp']) }),
    node({ uniqueId: 'test.shop.not_null_stg_customers_customer_id', name: 'not_null_stg_customers_customer_id', resourceType: 'test', materialized: 'test',
      attachedNode: 'model.shop.stg_customers', parents: ['model.shop.stg_customers'], path: 'models/staging/schema.yml' }),
    node({ uniqueId: 'test.shop.unique_stg_customers_customer_id', name: 'unique_stg_customers_customer_id', resourceType: 'test', materialized: 'test',
      attachedNode: 'model.shop.stg_customers', parents: ['model.shop.stg_customers'], path: 'models/staging/schema.yml' }),
    node({ uniqueId: 'test.shop.accepted_values_stg_orders_status', name: 'accepted_values_stg_orders_status', resourceType: 'test', materialized: 'test',
      attachedNode: 'model.shop.stg_orders', parents: ['model.shop.stg_orders'], path: 'models/staging/schema.yml' }),
    node({ uniqueId: 'test.shop.not_null_customer_orders_customer_id', name: 'not_null_customer_orders_customer_id', resourceType: 'test', materialized: 'test',
      attachedNode: 'model.shop.customer_orders', parents: ['model.shop.customer_orders'], path: 'models/marts/schema.yml' }),
    node({ uniqueId: 'unit_test.shop.top_customers.ranks_by_total', name: 'ranks_by_total', resourceType: 'unit_test', path: 'models/marts/schema.yml',
      attachedNode: 'model.shop.top_customers', parents: ['model.shop.top_customers'] }),
  ]);
  const lineage: ProjectLineage = {
    'model.shop.stg_customers': { columns: {
      customer_id: { upstream: [ref('source.shop.raw.customers', 'id')] },
      customer_name: { upstream: [ref('source.shop.raw.customers', 'name')] },
      country_code: { upstream: [ref('source.shop.raw.customers', 'data')] },
    } },
    'model.shop.stg_orders': { columns: {
      order_id: { upstream: [ref('source.shop.raw.orders', 'id')] },
      customer_id: { upstream: [ref('source.shop.raw.orders', 'customer_id')] },
      amount: { upstream: [ref('source.shop.raw.orders', 'amount_cents')] },
      status: { upstream: [ref('source.shop.raw.orders', 'status')] },
    } },
    'model.shop.customer_orders': { columns: {
      customer_id: { upstream: [ref('model.shop.stg_customers', 'customer_id'), ref('model.shop.stg_orders', 'customer_id')] },
      customer_name: { upstream: [ref('model.shop.stg_customers', 'customer_name')] },
      country_name: { upstream: [ref('seed.shop.country_codes', 'country_name')] },
      total_amount: { upstream: [ref('model.shop.stg_orders', 'amount')] },
      order_count: { upstream: [ref('model.shop.stg_orders', 'order_id')] },
    } },
    'model.shop.top_customers': { columns: {
      customer_id: { upstream: [ref('model.shop.customer_orders', 'customer_id')] },
      total_amount: { upstream: [ref('model.shop.customer_orders', 'total_amount')] },
      segment: { upstream: [ref('model.shop.customer_orders', 'total_amount')], unresolved: 'segment_of(...) is a function the parser cannot see into' },
    } },
    'model.shop.evil': { columns: { [HOSTILE.column]: { upstream: [], unresolved: HOSTILE.message } } },
  };
  const start = Date.parse('2024-05-01T06:00:00Z');
  const result = (uniqueId: string, threadId: string, from: number, seconds: number, status = 'success', message = ''): DocsRunResult => ({
    uniqueId, status, threadId, executionTime: seconds, message,
    startedAt: new Date(start + from * 1000).toISOString(), completedAt: new Date(start + (from + seconds) * 1000).toISOString(),
  });
  return {
    projectName: 'shop', tsdbtVersion: '0.1.0', generatedAt: '2024-05-01T06:01:00Z', nodes, lineage,
    lastRun: {
      command: 'build', generatedAt: '2024-05-01T06:00:30Z', elapsedTime: 27.5,
      results: [
        result('seed.shop.country_codes', 'Thread-1', 0, 1.2),
        result('model.shop.stg_customers', 'Thread-2', 0.1, 0.4),
        result('model.shop.stg_orders', 'Thread-3', 0.1, 0.6),
        result('test.shop.not_null_stg_customers_customer_id', 'Thread-2', 0.6, 0.2, 'pass'),
        result('test.shop.unique_stg_customers_customer_id', 'Thread-3', 0.8, 0.3, 'pass'),
        result('test.shop.accepted_values_stg_orders_status', 'Thread-1', 1.3, 0.2, 'fail', 'Got 3 results, configured to fail if != 0'),
        result('snapshot.shop.customers_snapshot', 'Thread-2', 1.0, 2.5),
        result('model.shop.customer_orders', 'Thread-1', 1.6, 22.4),
        result('test.shop.not_null_customer_orders_customer_id', 'Thread-1', 24.1, 0.5, 'pass'),
        result('model.shop.top_customers', 'Thread-2', 24.1, 3.2, 'error', HOSTILE.message),
        { uniqueId: 'unit_test.shop.top_customers.ranks_by_total', status: 'skipped', threadId: 'Thread-3', executionTime: 0, message: 'skipped: an upstream node failed' },
      ],
    },
  };
}

/**
 * A generated project in layers: `sources` sources, then models each reading one to three models or sources of
 * earlier layers (deterministic), five columns each with their lineage, `testsPerModel` tests each, and a last run.
 */
export function generatedDocsData(options: { models: number; testsPerModel?: number; sources?: number; threads?: number }): DocsData {
  const { models, testsPerModel = 3, sources = Math.max(5, Math.round(models / 50)), threads = 8 } = options;
  let state = 42;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const cols = ['id', 'key', 'amount', 'category', 'updated_at'];
  const nodes: DocsNode[] = [];
  const lineage: ProjectLineage = {};
  const upstreamPool: string[] = [];
  for (let i = 0; i < sources; i++) {
    const id = `source.big.raw.table_${i}`;
    nodes.push(node({ uniqueId: id, name: `table_${i}`, resourceType: 'source', path: 'models/sources.yml', columns: columns(...cols.map((c): [string, string] => [c, 'text'])) }));
    upstreamPool.push(id);
  }
  const layerSize = Math.max(1, Math.ceil(models / 12));
  const results: DocsRunResult[] = [];
  const start = Date.parse('2024-05-01T06:00:00Z');
  const threadClock = Array.from({ length: threads }, () => 0);
  for (let i = 0; i < models; i++) {
    const id = `model.big.model_${i}`;
    // Parents from the models of earlier layers (and sources), so the graph is a DAG as deep as a real project's.
    const earlier = upstreamPool.slice(0, sources + Math.floor(i / layerSize) * layerSize);
    const parents = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(earlier)))];
    const tests = Array.from({ length: testsPerModel }, (_, t) => `test.big.${['not_null', 'unique', 'accepted_values'][t % 3]}_model_${i}_${cols[t % cols.length]}_${t}`);
    const folder = `area_${i % 20}`;
    nodes.push(node({
      uniqueId: id, name: `model_${i}`, resourceType: 'model', materialized: pick(['view', 'table', 'incremental']), language: 'sql',
      path: `models/${folder}/model_${i}.sql`, relation: `"analytics"."model_${i}"`, tags: [folder],
      description: `Model ${i} of the generated project, reading ${parents.length} upstream nodes.`, parents,
      rawCode: `select ${cols.join(', ')}\nfrom ${parents.map((p) => `{{ref "${p.split('.').pop() ?? p}"}}`).join('\njoin ')}`,
      compiledCode: `select ${cols.join(', ')}\nfrom ${parents.map((p) => `"analytics"."${p.split('.').pop() ?? p}"`).join('\njoin ')}`,
      columns: cols.map((c, k) => ({ name: c, type: 'text', description: `The ${c}.`, tests: tests.filter((_, t) => t % cols.length === k) })),
    }));
    lineage[id] = { columns: Object.fromEntries(cols.map((c) => [c, { upstream: parents.map((p) => ref(p, c)) }])) };
    for (const test of tests) {
      nodes.push(node({ uniqueId: test, name: test.slice('test.big.'.length), resourceType: 'test', materialized: 'test', attachedNode: id, parents: [id], path: `models/${folder}/schema.yml` }));
    }
    const thread = threadClock.indexOf(Math.min(...threadClock));
    const seconds = 0.05 + random() * 0.5;
    const from = threadClock[thread] ?? 0;
    threadClock[thread] = from + seconds;
    results.push({ uniqueId: id, status: random() < 0.01 ? 'error' : 'success', threadId: `Thread-${thread + 1}`, executionTime: seconds, message: '',
      startedAt: new Date(start + from * 1000).toISOString(), completedAt: new Date(start + (from + seconds) * 1000).toISOString() });
    upstreamPool.push(id);
  }
  return {
    projectName: 'big', tsdbtVersion: '0.1.0', generatedAt: '2024-05-01T07:00:00Z', nodes: linkChildren(nodes), lineage,
    lastRun: { command: 'run', generatedAt: '2024-05-01T07:00:00Z', elapsedTime: Math.max(...threadClock), results },
  };
}

/** A docs folder as `tsdbt docs generate` writes it (the built site and data.js), in a new temporary folder. */
export function writeDocsSite(data: DocsData, dir = mkdtempSync(join(tmpdir(), 'tsdbt-docs-'))): string {
  for (const file of [...docsSiteFiles(), { path: 'data.js', content: docsDataScript(data) }]) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return dir;
}
