import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { baselineCounts, openWebBaseline, type WebBaselineHarness } from './baseline-support.js';
import { type BrowserSession, CHROMIUM, chromiumAvailable, launchBrowser } from './browser.js';

/** The web baseline in a real browser (Debian's chromium through playwright-core). */

// Browser-side code is passed as text: the tests are compiled without the DOM library.
const IMAGES_LOADED =
  "[...document.querySelectorAll('.pair-image img')].every((img) => img.complete && img.naturalWidth > 0)";

let session: BrowserSession;
let h: WebBaselineHarness;

beforeAll(async () => {
  if (!chromiumAvailable) {
    throw new Error(
      `No chromium at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium (never npx playwright install).`,
    );
  }
  session = await launchBrowser();
  h = await openWebBaseline();
});
afterAll(async () => {
  await h?.close();
  await session?.close();
});

describe('the baseline page', () => {
  it('goes from the consent notice to a pair, then to its reveal once both images are answered', async () => {
    const page = await (await session.device()).newPage();
    await page.goto(`${h.base}/baseline`);
    await page.getByRole('heading', { name: CONSENT_NOTICE.title }).waitFor();
    await session.screenshot(page, 'baseline-consent');
    expect(await baselineCounts(h.store)).toMatchObject({ consent: 0, progress: 0, answers: 0 });

    await page.getByRole('button', { name: CONSENT_NOTICE.acceptLabel }).click();
    await page.locator('#question-text').waitFor();
    const question = (await page.locator('#question-text').textContent())?.trim();
    const pair = h.set.pairs.find((p) => p.question === question) as ConfusingPair;
    expect(pair).toBeDefined();
    await page.waitForFunction(IMAGES_LOADED);
    await session.screenshot(page, 'baseline-pair');

    await page.locator('button[data-image="1"][data-option="A"]').click();
    await page.getByText('Recorded: image 1 is A.').waitFor();
    const halfway = (await page.locator('main').textContent()) ?? '';
    for (const secret of ['oracle', 'always-a', 'People:', 'the answer is'])
      expect(halfway).not.toContain(secret);
    expect(await page.locator('button[data-image="1"]').first().isDisabled()).toBe(true);

    await page.locator('button[data-image="2"][data-option="B"]').click();
    await page
      .getByRole('heading', { name: /Both right!|Confused|One of two right|Neither right/ })
      .waitFor();
    const reveal = (await page.locator('main').textContent()) ?? '';
    expect(reveal).toContain(`Image 1: the answer is ${pair.images[0].correct}`);
    expect(reveal).toContain(`Image 2: the answer is ${pair.images[1].correct}`);
    expect(reveal).toContain('oracle');
    expect(reveal).toMatch(/People: \d+ of 1 person got both right/);
    await page.waitForFunction(IMAGES_LOADED);
    await session.screenshot(page, 'baseline-reveal');
    expect(await baselineCounts(h.store)).toMatchObject({ consent: 1, answers: 2 });

    await page.getByRole('button', { name: 'Next pair' }).click();
    await page.waitForFunction(
      `document.querySelector('#question-text')?.textContent?.trim() !== ${JSON.stringify(question)}`,
    );
    const next = (await page.locator('#question-text').textContent())?.trim();
    expect(h.set.pairs.map((p) => p.question)).toContain(next);
    await page.close();
  });
});
