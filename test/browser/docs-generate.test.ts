import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteBackend } from '../helpers/backends.js';
import { browserAvailable, fileUrl, launchBrowser, newPage, screenshot, viewReady } from '../helpers/browser.js';
import { readDocsData, SHOP_PROJECT, VIRTUAL_SHOP_PROJECT } from '../helpers/docs-project.js';
import { makeProject, spawnCli, type TestProject } from '../helpers/project.js';

/**
 * End to end: a project built, `tsdbt docs generate` run by the real CLI, and its site opened in Chromium, from
 * file:// and from `tsdbt docs serve`: the real catalog and lineage reach the page.
 */
describe.skipIf(!browserAvailable())('tsdbt docs generate, in a browser', () => {
  let browser: Browser;
  let project: TestProject;

  beforeAll(async () => {
    project = makeProject(SHOP_PROJECT, pgliteBackend);
    expect((await project.run('build')).code).toBe(0);
    const generated = await project.run('docs', 'generate');
    expect(generated.code, generated.stderr).toBe(0);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the built project: search, a node page with its real columns, and column lineage through the ephemeral model', async () => {
    const { page, problems } = await newPage(browser);
    await page.goto(`${fileUrl(`${project.dir}/target/docs`)}`);
    await viewReady(page);
    await page.getByLabel('search', { exact: true }).fill('customer_tot');
    await expect.poll(() => page.locator('.search-result').first().textContent()).toContain('customer_totals');
    await page.goto(`${fileUrl(`${project.dir}/target/docs`)}#/node/model.test_project.orders`);
    await viewReady(page);
    await expect.poll(() => page.locator('article.page h1').textContent()).toBe('orders');
    // The types come from the database's catalog.
    await expect.poll(() => page.locator('table.columns').textContent()).toContain('numeric(16,2)');
    // The description's script is text, and never ran.
    await expect.poll(() => page.locator('.markdown').first().textContent()).toContain('<script>window.pwned = 1</script>');
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    await page.locator('table.columns a.column-name', { hasText: 'amount' }).click();
    await viewReady(page);
    const columns = async (role: string) =>
      Promise.all((await page.locator(`.lineage-column.is-${role}`).all()).map(async (row) => `${await row.getAttribute('data-node')}.${await row.getAttribute('data-column')}`));
    expect(await columns('upstream')).toEqual(['seed.test_project.raw_orders.amount']);
    expect(await columns('downstream')).toEqual(['model.test_project.customer_totals.total_cents']);
    await screenshot(page, 'generated-column-lineage');
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('with virtual environments, shows the environment documented and each model\'s fingerprint and physical table', async () => {
    const virtual = makeProject(VIRTUAL_SHOP_PROJECT, pgliteBackend);
    for (const args of [['plan', 'dev', '--auto-apply'], ['docs', 'generate', '--env', 'dev']]) {
      const result = await virtual.run(...args);
      expect(result.code, result.stderr).toBe(0);
    }
    const version = readDocsData(virtual).nodes.find((node) => node.uniqueId === 'model.test_project.orders')!.version!;
    const { page, problems } = await newPage(browser);
    await page.goto(fileUrl(`${virtual.dir}/target/docs`));
    await viewReady(page);
    await expect.poll(() => page.locator('.topbar .environment-badge').textContent()).toBe('env: dev');
    await expect.poll(() => page.locator('.page-head .tag.environment').textContent()).toBe('Environment dev');
    await page.goto(`${fileUrl(`${virtual.dir}/target/docs`)}#/node/model.test_project.orders`);
    await viewReady(page);
    await expect.poll(() => page.locator('.page-head code').first().textContent()).toBe('"analytics__dev"."orders"');
    await expect.poll(() => page.locator('.page-head .tag.fingerprint').textContent()).toBe(version.fingerprint);
    const facts = await page.locator('dl.facts').textContent();
    expect(facts).toContain(`Fingerprint${version.fingerprint}`);
    expect(facts).toContain(`Physical table${version.table}`);
    expect(version.table).toMatch(/^"tsdbt_physical"\."analytics__orders__[0-9a-f]{16}"$/);
    await screenshot(page, 'generated-environment-node-page');
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it('is served by tsdbt docs serve on loopback, under its Content-Security-Policy, until SIGTERM', async () => {
    let url: string | undefined;
    let page: Awaited<ReturnType<typeof newPage>> | undefined;
    const served = spawnCli(['docs', 'serve', '--port', '0', '--project-dir', project.dir, '--profiles-dir', project.dir], {
      onStdout: (output, kill) => {
        const match = /Serving .* on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (!match || url) return;
        url = match[1];
        void (async () => {
          page = await newPage(browser);
          const response = await page.page.goto(`${url}#/node/model.test_project.customer_totals`);
          expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
          await viewReady(page.page);
          await expect.poll(() => page!.page.locator('article.page h1').textContent()).toBe('customer_totals');
          await screenshot(page.page, 'served-node-page');
          kill('SIGTERM');
        })().catch(() => kill('SIGKILL'));
      },
      killAfterMs: 60_000,
    });
    const result = await served;
    expect(result.code, result.stderr).toBe(0);
    expect(url).toBeDefined();
    expect(page!.problems.errors).toEqual([]);
    await page!.page.close();
  });
});
