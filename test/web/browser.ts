import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from '../support/paths.js';

/**
 * Debian's chromium driven by playwright-core (never a downloaded browser). CI installs it with
 * `command -v chromium || (apt-get update && apt-get install -y chromium)`.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** Screenshots land here (git-ignored) for a person to look at. */
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'web');

/** Browser-side: resolves after the page has laid out and painted twice, so a new viewport size has taken effect. */
export const SETTLED =
  'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))';

export interface BrowserSession {
  browser: Browser;
  /** A fresh context (its own storage, like a separate device). */
  device(options?: { phone?: boolean }): Promise<BrowserContext>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserSession> {
  // launch() gives chromium a fresh temporary profile (user data dir) of its own and deletes it on close;
  // playwright refuses a --user-data-dir argument, so none is passed.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    browser,
    device: (options = {}) =>
      browser.newContext(
        options.phone
          ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
          : { viewport: { width: 1600, height: 900 } },
      ),
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
    },
  };
}
