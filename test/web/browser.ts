import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/**
 * Headless Debian Chromium driven by playwright-core (no browser download: the machine's own, installed
 * by .ci/run). The flags keep it from calling out to a network it does not have.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS_DIR = join(__dirname, 'screenshots');

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Messages of console errors and uncaught exceptions seen so far: a test expects none. */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * One Chromium per test file, started at the first page a test opens and closed after the file's last test:
 * each test still gets a context of its own (cookies, localStorage, viewport), which is what keeps tests
 * apart, without a browser launch each (1–3 s of both cores).
 */
let shared: Promise<Browser> | null = null;

function sharedBrowser(): Promise<Browser> {
  shared ??= chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return shared;
}

afterAll(async () => {
  const browser = shared;
  shared = null;
  if (browser) await (await browser).close();
});

export async function openBrowser(baseURL: string, options: { token?: string; viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const browser = await sharedBrowser();
  const context = await browser.newContext({ baseURL, viewport: options.viewport ?? { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
  if (options.token) {
    // The pages keep the token in localStorage (web/assets/app.js).
    await context.addInitScript({ content: `localStorage.setItem('crte.jeton', ${JSON.stringify(options.token)});` });
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return {
    browser,
    context,
    page,
    errors,
    async screenshot(name) {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
    },
  };
}
