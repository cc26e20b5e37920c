import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createDocsServer } from '../../src/docs/serve.js';

/**
 * Browser tests drive Debian's Chromium through playwright-core (no browser is ever downloaded). Without it they
 * skip with a notice, unless TSDBT_REQUIRE_BROWSER=1 (CI), where its absence is a failure.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const SCREENSHOT_DIR = resolve('test-results/screenshots');

/** Whether the browser tests can run; throws when they must and cannot. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.TSDBT_REQUIRE_BROWSER === '1') {
    throw new Error(`TSDBT_REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  }
  console.warn(`\n  NOTICE: ${CHROMIUM_PATH} not found, browser tests skipped (apt-get install -y chromium to run them)\n`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  // Chromium's sandbox refuses to start as root (containers, CI).
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

/** What went wrong in a page: console errors, uncaught exceptions and Content-Security-Policy violations. */
export interface PageProblems {
  errors: string[];
}

/** A new page (1400x900) that records its problems; CSP violations are reported by the page itself. */
export async function newPage(browser: Browser): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // A wait that catches a page that never gets there, not a slow machine: the suite runs beside other work.
  page.setDefaultTimeout(120_000);
  const problems: PageProblems = { errors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.errors.push(`page error: ${error.message}`));
  // A string, not a function: this runs in the page, and the tests are compiled without the DOM's types.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => {
    console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI);
  });`);
  return { page, problems };
}

/** The docs folder served over http on 127.0.0.1 by `tsdbt docs serve`'s own server, with its headers. */
export async function serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createDocsServer(dir);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/** The file:// address of a docs folder's index.html. */
export function fileUrl(dir: string): string {
  return pathToFileURL(join(dir, 'index.html')).href;
}

/** Waits until the current view is fully drawn (a graph laid out): the site sets data-ready on <main>. */
export async function viewReady(page: Page): Promise<void> {
  await page.locator('main.content[data-ready="true"]').waitFor();
}

/** An attribute of every element a locator matches, in document order. */
export async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Opens a docs folder from file:// at a lineage selection (e.g. `2+model_2500+2`) in a fresh page and times it:
 * `loadMs` until the data is loaded and indexed, `focusedMs` until the focused graph is drawn, both from navigation
 * start, as the page measures them (window.__tsdbtDocsReady). For the bench and the performance test.
 */
export async function measureDocsLoad(docsDir: string, select: string, browser?: Browser): Promise<{ loadMs: number; focusedMs: number }> {
  const owned = browser ?? (await launchBrowser());
  try {
    const page = await owned.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${fileUrl(docsDir)}#/graph?select=${encodeURIComponent(select)}`);
    const timings = (await page.evaluate('window.__tsdbtDocsReady')) as { loadMs: number; drawnMs: number };
    await page.close();
    return { loadMs: timings.loadMs, focusedMs: timings.drawnMs };
  } finally {
    if (!browser) await owned.close();
  }
}
