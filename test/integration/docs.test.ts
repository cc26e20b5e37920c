/**
 * `tsdbt docs generate`, `tsdbt docs serve` and `tsdbt lineage` on a small project, on each backend: the catalog read
 * from the database, the column lineage, the site's data with the last run, the server's confinement to the docs
 * folder and its headers. (The site itself is tested in a real browser: test/browser/.)
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createDocsServer } from '../../src/docs/serve.js';
import { siteContentSecurityPolicy } from '../../src/docs/site-files.js';
import type { ProjectLineage } from '../../src/lineage/types.js';
import { readDocsData, SHOP_PROJECT as FILES } from '../helpers/docs-project.js';
import { makeProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';


describeBackends('docs', (backend) => {
  it('docs generate writes the catalog, the column lineage and the site with the last run', async () => {
    const project = makeProject(FILES, backend);
    const build = await project.run('build');
    expect(build.code, build.stdout).toBe(0);
    const generated = await project.run('docs', 'generate');
    expect(generated.stderr).toBe('');
    expect(generated.code, generated.stdout).toBe(0);
    expect(generated.stdout).toMatch(/Documented \d+ nodes \(3 relations found in the database, column lineage of 2 models\)/);

    const catalog = JSON.parse(project.read('target/catalog.json')) as { nodes: Record<string, { metadata: { type: string; schema: string; name: string }; columns: Record<string, { type: string; index: number }> }> };
    const orders = catalog.nodes['model.test_project.orders']!;
    expect(orders.metadata).toMatchObject({ type: 'table', schema: 'analytics', name: 'orders' });
    expect(orders.columns).toEqual({
      order_id: { name: 'order_id', type: 'integer', index: 1 },
      customer: { name: 'customer', type: 'text', index: 2 },
      amount: { name: 'amount', type: 'numeric(16,2)', index: 3 },
    });
    expect(catalog.nodes['model.test_project.customer_totals']!.metadata.type).toBe('view');
    expect(Object.keys(catalog.nodes).sort()).toEqual(['model.test_project.customer_totals', 'model.test_project.orders', 'seed.test_project.raw_orders']);

    // Through the ephemeral model (a CTE), a * expansion, a CTE with aggregates and an expression.
    const lineage = JSON.parse(project.read('target/lineage.json')) as ProjectLineage;
    const seedColumn = (column: string) => ({ node: 'seed.test_project.raw_orders', column });
    const orderColumn = (column: string) => ({ node: 'model.test_project.orders', column });
    expect(lineage['model.test_project.orders']!.columns).toEqual({
      order_id: { upstream: [seedColumn('id')] },
      customer: { upstream: [seedColumn('customer')] },
      amount: { upstream: [seedColumn('amount')] },
    });
    expect(lineage['model.test_project.customer_totals']!.columns).toEqual({
      customer_name: { upstream: [orderColumn('customer')] },
      total_cents: { upstream: [orderColumn('amount')] },
      orders: { upstream: [] },
    });

    const data = readDocsData(project);
    const node = (id: string) => data.nodes.find((n) => n.uniqueId === id)!;
    expect(data.projectName).toBe('test_project');
    const docsOrders = node('model.test_project.orders');
    expect(docsOrders).toMatchObject({ resourceType: 'model', materialized: 'table', relation: '"analytics"."orders"', path: 'models/orders.sql' });
    // Kept as written: the site renders it as text.
    expect(docsOrders.description).toContain('<script>window.pwned = 1</script>');
    expect(docsOrders.columns.map((c) => [c.name, c.type, c.tests.length])).toEqual([['order_id', 'integer', 2], ['customer', 'text', 0], ['amount', 'numeric(16,2)', 0]]);
    expect(docsOrders.compiledCode).toMatch(/__tsdbt__cte__stg_orders/);
    expect(docsOrders.parents).toEqual(['model.test_project.stg_orders']);
    expect(docsOrders.children).toContain('model.test_project.customer_totals');
    expect(docsOrders.stats?.relationType).toBe('table');
    expect(node('model.test_project.customer_totals')).toMatchObject({ tags: ['finance'], materialized: 'view' });
    expect(node('model.test_project.stg_orders').relation).toBeUndefined();
    const test = data.nodes.find((n) => n.resourceType === 'test' && n.name.startsWith('unique_orders_order_id'))!;
    expect(test.attachedNode).toBe('model.test_project.orders');
    expect(data.lineage).toEqual(lineage);
    // The last run: the build's every node, with its thread and timing.
    const run = data.lastRun!;
    // The command the build recorded in run_results.json (the docs once looked for dbt's args.which and found none).
    expect(run.command).toBe('build');
    expect(run.results.map((r) => r.uniqueId)).toContain('model.test_project.orders');
    for (const result of run.results) {
      expect(result.status).toMatch(/^(success|pass)$/);
      expect(result.threadId).not.toBe('');
      expect(Date.parse(result.completedAt!)).toBeGreaterThanOrEqual(Date.parse(result.startedAt!));
    }
    for (const file of ['index.html', 'app.js', 'app.css', 'data.js']) expect(project.read(`target/docs/${file}`).length).toBeGreaterThan(0);
  });

  it('a TypeScript model returning a Kysely query has column lineage once it has run (its SQL is written then)', async () => {
    const project = makeProject(
      {
        ...FILES,
        'models/big_orders.ts': [
          "import { sql } from 'kysely';",
          'export default (context: any) =>',
          "  context.db.selectFrom(`${context.ref('orders')} as o`).where('o.amount', '>', 10).select(['o.order_id', sql<string>`upper(o.customer)`.as('shouting')]);",
        ].join('\n'),
      },
      backend,
    );
    const before = await project.run('docs', 'generate');
    expect(before.code, before.stderr).toBe(0);
    expect((JSON.parse(project.read('target/lineage.json')) as ProjectLineage)['model.test_project.big_orders']).toBeUndefined();
    expect((await project.run('build')).code).toBe(0);
    expect((await project.run('docs', 'generate')).code).toBe(0);
    const lineage = JSON.parse(project.read('target/lineage.json')) as ProjectLineage;
    expect(lineage['model.test_project.big_orders']!.columns).toEqual({
      order_id: { upstream: [{ node: 'model.test_project.orders', column: 'order_id' }] },
      shouting: { upstream: [{ node: 'model.test_project.orders', column: 'customer' }] },
    });
  });

  it('tsdbt lineage prints a column\'s upstream and downstream trees; an unknown column is a usage error', async () => {
    const project = makeProject(FILES, backend);
    expect((await project.run('build')).code).toBe(0);
    const both = await project.run('lineage', 'orders.amount');
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toBe(['orders.amount', 'upstream:', '  <- raw_orders.amount', 'downstream:', '  -> customer_totals.total_cents'].join('\n'));
    const up = await project.run('lineage', 'customer_totals.total_cents', '--upstream');
    expect(up.stdout).toBe(['customer_totals.total_cents', 'upstream:', '  <- orders.amount', '    <- raw_orders.amount'].join('\n'));
    const shallow = await project.run('lineage', 'customer_totals.total_cents', '--upstream', '--depth', '1');
    expect(shallow.stdout).toBe(['customer_totals.total_cents', 'upstream:', '  <- orders.amount'].join('\n'));
    const seed = await project.run('lineage', 'raw_orders.placed_at', '--downstream');
    expect(seed.stdout).toBe(['raw_orders.placed_at', 'downstream: none'].join('\n'));
    const typo = await project.run('lineage', 'orders.amont');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/orders has no column 'amont'[\s\S]*did you mean 'amount'/);
    const nothing = await project.run('lineage', 'ordrs.amount');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/'ordrs.amount' does not name a column/);
  });
});

it('docs serve serves only the docs folder, with a restrictive Content-Security-Policy', async () => {
  const project = makeProject({});
  const docs = join(project.dir, 'target', 'docs');
  mkdirSync(join(docs, 'assets'), { recursive: true });
  writeFileSync(join(docs, 'index.html'), '<!doctype html><title>docs</title>');
  writeFileSync(join(docs, 'assets', 'app.js'), 'void 0;');
  writeFileSync(join(project.dir, 'secret.txt'), 'secret');
  symlinkSync(join(project.dir, 'secret.txt'), join(docs, 'linked-secret.txt'));
  const server = createDocsServer(docs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>docs</title>');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(`${siteContentSecurityPolicy()}; frame-ancestors 'none'`);
    expect(siteContentSecurityPolicy()).toMatch(/^default-src 'none'; script-src 'self';/);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // fetch normalises `..` itself: these paths go out as written, through a raw request line.
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/linked-secret.txt', '/%00', '/missing.js', '/assets']) {
      const response = await rawGet(base, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain('secret');
    }
    expect((await fetch(`${base}/index.html`, { method: 'POST' })).status).toBe(405);
    expect(readFileSync(join(project.dir, 'secret.txt'), 'utf8')).toBe('secret');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A GET whose path is sent exactly as given (no URL normalisation). */
async function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
