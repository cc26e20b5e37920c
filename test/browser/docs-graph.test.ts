import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, fileUrl, launchBrowser, newPage, screenshot, viewReady } from '../helpers/browser.js';
import { shopDocsData, writeDocsSite } from '../helpers/docs-fixture.js';

const LONG_NAME = 'pinterest_country_with_top_user_by_follower_count_and_region';

/** The shop with what crowds a node: a very long name, the longest materialization, a long run with a test count. */
function crowdedShop() {
  const data = shopDocsData();
  const top = data.nodes.find((node) => node.uniqueId === 'model.shop.top_customers')!;
  top.name = LONG_NAME;
  const customerOrders = data.nodes.find((node) => node.uniqueId === 'model.shop.customer_orders')!;
  customerOrders.materialized = 'materialized_view';
  data.lastRun!.results.find((result) => result.uniqueId === customerOrders.uniqueId)!.executionTime = 3725;
  return data;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface DrawnNode {
  id: string;
  title: string;
  name: string;
  box: Box;
  stripe: Box;
  parts: Record<string, Box | null>;
}

// A string, not a function: it runs in the page, and the tests are compiled without the DOM's types.
const DRAWN_NODES = `[...document.querySelectorAll('g.node')].map((g) => {
  const box = (selector) => {
    const element = g.querySelector(selector);
    if (!element) return null;
    const { x, y, width, height } = element.getBBox();
    return { x, y, width, height };
  };
  return {
    id: g.dataset.id, title: g.querySelector('title').textContent, name: g.querySelector('.node-name').textContent,
    box: box('.node-box'), stripe: box('.node-stripe'),
    parts: { name: box('.node-name'), type: box('.node-type'), status: box('.node-status'), facts: box('.node-facts') },
  };
})`;

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(inner: Box, outer: Box, left: number): boolean {
  return inner.x >= left && inner.x + inner.width <= outer.x + outer.width && inner.y >= outer.y && inner.y + inner.height <= outer.y + outer.height;
}

/** The lineage graph in Chromium: nodes whose texts never collide, and the CLI's selector syntax. */
describe.skipIf(!browserAvailable())('docs lineage graph', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = writeDocsSite(crowdedShop());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(hash: string): Promise<Page> {
    const { page, problems } = await newPage(browser);
    await page.goto(`${fileUrl(dir)}${hash}`);
    await viewReady(page);
    expect(problems.errors).toEqual([]);
    return page;
  }

  const views = [['models', '#/graph', '62m 05s · 1 test'], ['tests as nodes', '#/graph?tests=1', '62m 05s']] as const;
  for (const [label, hash, customerOrdersFacts] of views) {
    it(`draws each node's name, type, status dot and duration apart and inside the box (${label})`, async () => {
      const page = await open(hash);
      const nodes = (await page.evaluate(DRAWN_NODES)) as DrawnNode[];
      expect(nodes.length).toBeGreaterThan(8);
      for (const node of nodes) {
        const parts = Object.entries(node.parts).filter((entry): entry is [string, Box] => entry[1] !== null);
        for (const [part, box] of parts) expect(inside(box, node.box, node.stripe.x + node.stripe.width), `${node.id} ${part} inside`).toBe(true);
        for (const [i, [part, box]] of parts.entries()) {
          for (const [other, otherBox] of parts.slice(i + 1)) expect(overlap(box, otherBox), `${node.id}: ${part} over ${other}`).toBe(false);
        }
      }
      const top = nodes.find((node) => node.id === 'model.shop.top_customers')!;
      expect(top.name.endsWith('…')).toBe(true);
      expect(LONG_NAME.startsWith(top.name.slice(0, -1))).toBe(true);
      expect(top.title.split('\n')[0]).toBe(LONG_NAME);
      const customerOrders = nodes.find((node) => node.id === 'model.shop.customer_orders')!;
      expect(customerOrders.parts.status).not.toBeNull();
      expect(await page.locator('g.node[data-id="model.shop.customer_orders"] .node-facts').textContent()).toBe(customerOrdersFacts);
      await screenshot(page, `graph-nodes-${label.replace(/ /g, '-')}`);
      await page.close();
    });
  }

  it('reads a comma as an intersection, as the CLI does', async () => {
    const page = await open(`#/graph?select=${encodeURIComponent('+customer_orders,tag:staging')}`);
    expect((await page.locator('g.node .node-name').allTextContents()).sort()).toEqual(['stg_customers', 'stg_orders']);
    await page.close();
  });

  it('says it cannot evaluate state: instead of drawing nothing silently', async () => {
    const page = await open(`#/graph?select=${encodeURIComponent('state:modified+')}`);
    await expect.poll(() => page.locator('.selector-error').textContent()).toContain("the docs cannot evaluate 'state:modified+'");
    expect(await page.locator('g.node').count()).toBe(0);
    await screenshot(page, 'graph-selector-state');
    await page.close();
  });

  it('shows a malformed selector\'s error and the terms that matched nothing', async () => {
    let page = await open(`#/graph?select=${encodeURIComponent('orders+x')}`);
    await expect.poll(() => page.locator('.selector-error').textContent()).toContain("malformed selector 'orders+x'");
    await page.close();
    page = await open(`#/graph?select=${encodeURIComponent('stg_orders no_such_model')}`);
    await expect.poll(() => page.locator('.notice.warn').textContent()).toBe('Nothing matches: no_such_model');
    expect(await page.locator('g.node .node-name').allTextContents()).toEqual(['stg_orders']);
    await page.close();
  });

  it('links a source\'s page to its lineage with a source: selector', async () => {
    const page = await open('#/node/source.shop.raw.customers');
    await page.getByText('Lineage graph').click();
    await viewReady(page);
    await expect.poll(() => page.locator('input[name="select"]').inputValue()).toBe('2+source:raw.customers+2');
    expect((await page.locator('g.node .node-name').allTextContents()).sort()).toEqual(['customer_orders', 'customers', 'customers_snapshot', 'stg_customers']);
    await page.close();
  });
});
