import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import { openWebBaseline, type WebBaselineHarness } from './baseline-support.js';
import { type BrowserSession, CHROMIUM, chromiumAvailable, launchBrowser, SETTLED } from './browser.js';
import { openWebHarness, type WebHarness } from './harness.js';

/**
 * axe-core (the npm package) in Chromium on every page of the web channel: home, join, host in each phase,
 * participant in each phase, stats and the private baseline. Any violation, of any impact, fails. The host's
 * pages are checked on a projector and again on a phone (the host link as the presenter's remote), whose
 * one-column layout and sticky buttons are a different page to a screen reader and to touch.
 */

const require = createRequire(import.meta.url);
let axeSource: string;
let session: BrowserSession;

beforeAll(async () => {
  if (!chromiumAvailable) throw new Error(`No chromium at ${CHROMIUM}.`);
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  session = await launchBrowser();
});
afterAll(async () => {
  await session?.close();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/** Runs axe on the page as it is now; returns the violations, readable in a failure message. */
async function violations(page: Page): Promise<string[]> {
  // evaluate() runs outside the page's content security policy, which refuses inline scripts.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  const found = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))",
  )) as Violation[];
  return found.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('; ')}`,
  );
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  expect.soft(await violations(page), where).toEqual([]);
}

const PROJECTOR = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };

/** The host's page on the projector, then at a phone's size, then back on the projector. */
async function expectHostAccessible(page: Page, where: string): Promise<void> {
  await expectAccessible(page, `${where} (projector)`);
  await page.setViewportSize(PHONE);
  await page.evaluate(SETTLED);
  await expectAccessible(page, `${where} (phone)`);
  await page.setViewportSize(PROJECTOR);
  await page.evaluate(SETTLED);
}

describe('the quiz pages, checked by axe-core', () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await openWebHarness({ banner: 'demo content, not real patient images (accessibility test)' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('has no violations on home, join, host and participant pages in every phase, and stats', {
    timeout: 240_000,
  }, async () => {
    const desktop = await session.device();
    const home = await desktop.newPage();
    await home.goto(`${h.base}/`);
    await home.locator('h1').first().waitFor();
    await expectAccessible(home, 'home');

    const joinCode = await (await session.device({ phone: true })).newPage();
    await joinCode.goto(`${h.base}/join`);
    await joinCode.locator('form').waitFor();
    await expectAccessible(joinCode, 'join (room code)');

    const host = await (await session.browser.newContext({ viewport: PROJECTOR })).newPage();
    await host.goto(`${h.base}/host/${h.code}#key=${h.hostKey}`);
    await host.getByRole('heading', { name: 'New quiz' }).waitFor();
    await expectHostAccessible(host, 'host lobby');

    const phone = await (await session.device({ phone: true })).newPage();
    await phone.goto(`${h.base}/join/${h.code}`);
    await phone.getByLabel('Your name').waitFor();
    await expectAccessible(phone, 'join (name)');
    await phone.getByLabel('Your name').fill('Ada');
    await phone.getByRole('button', { name: 'Join' }).click();
    await phone.getByText('Waiting for the host to start').waitFor();
    await expectAccessible(phone, 'participant waiting');

    await host.getByLabel(/^Rounds/).fill('1');
    await host.getByLabel(/^Seconds per question/).fill('60');
    await host.locator('#model-oracle').check();
    await host.getByRole('button', { name: 'Start the quiz' }).click();
    await host.getByRole('button', { name: 'Reveal' }).waitFor();
    await expectHostAccessible(host, 'host question');

    await phone.locator('#question-text').waitFor();
    await expectAccessible(phone, 'participant question');
    await phone.locator('button[data-slot="0"][data-option="A"]').click();
    await phone.getByText('Recorded: image 1 is A.').waitFor();
    await expectAccessible(phone, 'participant question, one answered');
    await phone.locator('button[data-slot="1"][data-option="A"]').click();
    await phone.getByText('Recorded: image 2 is A.').waitFor();
    await host.getByText('1 person has answered both images').waitFor();
    await expectHostAccessible(host, 'host live count');

    await host.getByRole('button', { name: 'Reveal' }).click();
    await host.getByRole('heading', { name: 'Models' }).waitFor();
    await expectHostAccessible(host, 'host reveal');
    await phone.locator('.my-answers').waitFor();
    await expectAccessible(phone, 'participant reveal');

    await host.getByRole('button', { name: 'See the results' }).click();
    await host.getByRole('heading', { name: 'Results' }).waitFor();
    await host.locator('figure.chart svg').waitFor();
    await expectHostAccessible(host, 'host summary');
    await host.locator('.numbers-details summary').click();
    await expectHostAccessible(host, 'host summary, numbers open');
    await phone.getByRole('heading', { name: 'The quiz is over' }).waitFor();
    await expectAccessible(phone, 'participant summary');

    const stats = await desktop.newPage();
    await stats.goto(`${h.base}/stats`);
    await stats.locator('figure.chart svg').waitFor();
    await expectAccessible(stats, 'stats');
    const phoneStats = await (await session.device({ phone: true })).newPage();
    await phoneStats.goto(`${h.base}/stats`);
    await phoneStats.locator('figure.chart svg').waitFor();
    await expectAccessible(phoneStats, 'stats on a phone');
  });
});

describe('the private baseline page, checked by axe-core', () => {
  let b: WebBaselineHarness;
  beforeAll(async () => {
    b = await openWebBaseline();
  });
  afterAll(async () => {
    await b?.close();
  });

  /** Consent, a pair, its reveal: axe on each, on the device given. */
  async function walkThrough(device: 'desktop' | 'phone'): Promise<void> {
    const page = await (await session.device({ phone: device === 'phone' })).newPage();
    await page.goto(`${b.base}/baseline`);
    await page.getByRole('heading', { name: CONSENT_NOTICE.title }).waitFor();
    // The web page words the notice for the web: no Discord command, no account id.
    const notice = (await page.locator('main').textContent()) ?? '';
    expect(notice).not.toContain('/forget-me');
    expect(notice).not.toContain('account id');
    expect(notice).toContain('Forget me');
    await expectAccessible(page, `baseline consent (${device})`);

    await page.getByRole('button', { name: CONSENT_NOTICE.acceptLabel }).click();
    await page.locator('#question-text').waitFor();
    await expectAccessible(page, `baseline pair (${device})`);
    await page.locator('button[data-image="1"][data-option="A"]').click();
    await page.getByText('Recorded: image 1 is A.').waitFor();
    await page.locator('button[data-image="2"][data-option="B"]').click();
    await page
      .getByRole('heading', { name: /Both right!|Confused|One of two right|Neither right/ })
      .waitFor();
    await expectAccessible(page, `baseline reveal (${device})`);
  }

  it('has no violations on the consent notice, a pair and its reveal', { timeout: 120_000 }, async () => {
    await walkThrough('desktop');
  });

  it('has no violations on a phone either', { timeout: 120_000 }, async () => {
    await walkThrough('phone');
  });
});
