import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributes, browserAvailable, fileUrl, launchBrowser, newPage, screenshot, serveFolder, viewReady, type PageProblems } from '../helpers/browser.js';
import { shopDocsData, writeDocsSite } from '../helpers/docs-fixture.js';

/** The docs site in Chromium, from file:// and over http: navigation, search, lineage, hostile input, the timeline. */
describe.skipIf(!browserAvailable())('docs site in a browser', () => {
  let browser: Browser;
  let dir: string;
  let server: Awaited<ReturnType<typeof serveFolder>>;

  beforeAll(async () => {
    dir = writeDocsSite(shopDocsData());
    server = await serveFolder(dir);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const origins = [
    ['file://', () => fileUrl(dir)],
    ['http', () => server.url],
  ] as const;

  async function open(hash = ''): Promise<{ page: Page; problems: PageProblems }> {
    const opened = await newPage(browser);
    await opened.page.goto(`${fileUrl(dir)}${hash}`);
    await viewReady(opened.page);
    return opened;
  }

  for (const [origin, url] of origins) {
    it(`loads from ${origin} under its Content-Security-Policy, with no error, and draws the whole lineage`, async () => {
      const { page, problems } = await newPage(browser);
      await page.goto(`${url()}#/graph`);
      await viewReady(page);
      // The layout ran in a blob: worker and the styles applied: nothing the policy had to block.
      await expect.poll(() => page.locator('g.node').count()).toBe(9);
      expect(problems.errors).toEqual([]);
      // The policy is in force: an inline script is refused.
      await page.addScriptTag({ content: 'window.__inline = 1' }).catch(() => undefined);
      expect(await page.evaluate('window.__inline')).toBeUndefined();
      expect(problems.errors.some((error) => error.includes('CSP violation'))).toBe(true);
      await screenshot(page, `graph-${origin === 'http' ? 'http' : 'file'}`);
      await page.close();
    });
  }

  it('finds a model by name, column and description, and opens its page', async () => {
    const { page, problems } = await open();
    const search = page.getByLabel('search', { exact: true });
    await search.fill('order_count');
    await expect.poll(() => page.locator('.search-result').first().textContent()).toContain('customer_orders');
    await search.fill('crm export');
    await expect.poll(() => page.locator('.search-result').first().textContent()).toContain('customers');
    await search.fill('customer ord');
    await screenshot(page, 'search');
    await search.press('Enter');
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('customer_orders');
    expect(page.url()).toContain('#/node/model.shop.customer_orders');
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('focuses a selection like 1+stg_orders+1, lights a clicked node\'s lineage and opens its page', async () => {
    const { page, problems } = await open('#/graph?select=1+stg_orders+1');
    const names = await page.locator('g.node .node-name').allTextContents();
    expect(names.sort()).toEqual(['customer_orders', 'evil', 'orders', 'stg_orders']);
    await page.locator('g.node[data-id="model.shop.customer_orders"]').click();
    await expect.poll(() => page.locator('g.node.focused').getAttribute('data-id')).toBe('model.shop.customer_orders');
    // evil reads stg_orders but is not in customer_orders' lineage.
    await expect.poll(() => page.locator('g.node.lit').count()).toBe(3);
    await screenshot(page, 'graph-focused');
    await page.locator('.graph-details').getByText('Open page').click();
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('customer_orders');
    await expect.poll(() => page.locator('.page-side').textContent()).toContain('stg_customers');
    await expect.poll(() => page.locator('.page-side').textContent()).toContain('top_customers');
    await expect.poll(() => page.locator('pre.code .hljs-keyword').first().textContent()).toBe('select');
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('opens a node from the project tree', async () => {
    const { page } = await open();
    await page.locator('.sidebar summary', { hasText: 'Seeds' }).click();
    await page.locator('.tree-node', { hasText: 'country_codes' }).click();
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('country_codes');
    await page.close();
  });

  it('highlights a column\'s upstream and downstream columns across models, and says what it cannot resolve', async () => {
    const { page, problems } = await open('#/node/model.shop.customer_orders');
    await page.locator('table.columns a.column-name', { hasText: 'total_amount' }).click();
    await viewReady(page);
    const roles = async (role: string) =>
      Promise.all((await page.locator(`.lineage-column.is-${role}`).all()).map(async (row) => `${await row.getAttribute('data-node')}.${await row.getAttribute('data-column')}`));
    expect(await roles('selected')).toEqual(['model.shop.customer_orders.total_amount']);
    expect((await roles('upstream')).sort()).toEqual(['model.shop.stg_orders.amount', 'source.shop.raw.orders.amount_cents']);
    expect((await roles('downstream')).sort()).toEqual(['model.shop.top_customers.segment', 'model.shop.top_customers.total_amount']);
    await expect.poll(() => page.locator('.unresolved-list').textContent()).toContain('segment_of(...) is a function the parser cannot see into');
    await screenshot(page, 'column-lineage');
    // A column upstream opens its own lineage, which reaches back down to where we came from.
    await page.locator('.lineage-column.is-upstream[data-column="amount_cents"]').click();
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('orders');
    await expect.poll(() => page.locator('.lineage-column.is-downstream[data-column="total_amount"]').count()).toBe(2);
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('renders hostile descriptions, SQL, tags, column names and messages as inert text', async () => {
    const { page, problems } = await open('#/node/model.shop.evil');
    await page.locator('table.columns a.column-name').click();
    await viewReady(page);
    await expect.poll(() => page.locator('.markdown').first().textContent()).toContain('<script>window.__pwned = 1</script>');
    await expect.poll(() => page.locator('.page-head .tag').textContent()).toBe('<b>bold</b>');
    await expect.poll(() => page.locator('table.columns a.column-name').textContent()).toBe('<i>col</i>');
    await expect.poll(() => page.locator('.unresolved-list').textContent()).toContain('<img src=x onerror=');
    expect(await page.locator('article.page script, article.page img, article.page b, article.page i:not(.swatch):not(.dot)').count()).toBe(0);
    // The javascript: link is not a link.
    expect(await page.locator('.markdown a').count()).toBe(0);
    await page.goto(`${fileUrl(dir)}#/timeline`);
    await viewReady(page);
    await page.locator('.bar[data-id="model.shop.top_customers"]').hover();
    await expect.poll(() => page.locator('.timeline-tip').textContent()).toContain('<img src=x onerror=');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.goto(`${fileUrl(dir)}#/node/model.shop.evil`);
    await viewReady(page);
    await screenshot(page, 'hostile');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('keeps a deep link through a reload', async () => {
    const { page } = await open('#/node/model.shop.customer_orders?column=customer_id');
    await page.reload();
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('customer_orders');
    await expect.poll(() => page.locator('.column-lineage').getAttribute('data-column')).toBe('customer_id');
    await page.goto(`${fileUrl(dir)}#/graph?select=${encodeURIComponent('+customer_orders')}`);
    await viewReady(page);
    await page.reload();
    await viewReady(page);
    await expect.poll(() => page.locator('input[name="select"]').inputValue()).toBe('+customer_orders');
    await expect.poll(() => page.locator('g.node').count()).toBe(6);
    await page.close();
  });

  it('shows the last run as one lane per thread, a bar per node coloured by status, and the chain that set its length', async () => {
    const { page, problems } = await open('#/timeline');
    expect(await attributes(page.locator('.lane'), 'data-thread')).toEqual(['Thread-1', 'Thread-2', 'Thread-3']);
    await expect.poll(() => page.locator('.bar').count()).toBe(10);
    await expect.poll(() => page.locator('.bar.status-error').count()).toBe(2);
    expect(await attributes(page.locator('.bar.critical'), 'data-id')).toEqual([
      'seed.shop.country_codes', 'model.shop.customer_orders', 'model.shop.top_customers',
    ]);
    await page.locator('.bar[data-id="model.shop.customer_orders"]').hover();
    await expect.poll(() => page.locator('.timeline-tip').textContent()).toContain('22.4 s');
    await screenshot(page, 'timeline');
    await page.locator('.bar[data-id="model.shop.customer_orders"]').click();
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('customer_orders');
    expect(problems.errors).toEqual([]);
    await page.close();
  });
});
