import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_SUBTITLE } from '../../src/charts/index.js';
import { type BrowserSession, CHROMIUM, chromiumAvailable, launchBrowser, SCREENSHOTS } from './browser.js';
import { openWebHarness, type WebHarness } from './harness.js';

/**
 * The host view on a projector: every phase fits the window at 1920×1080, 1280×720 and 1024×768 with its
 * controls in view, the pair takes most of the height, and the summary chart is the shared ECharts chart
 * with projector-sized text. Screenshots of every phase at each size (and a phone) go to test-output/web.
 */

const SIZES = [
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '1280x720', width: 1280, height: 720 },
  { name: '1024x768', width: 1024, height: 768 },
] as const;

let session: BrowserSession;
let h: WebHarness;

beforeAll(async () => {
  if (!chromiumAvailable) throw new Error(`No chromium at ${CHROMIUM}.`);
  session = await launchBrowser();
  h = await openWebHarness({
    banner:
      'the dataset could not be downloaded (fetch failed); run `mediconfusion data fetch` into /srv/quiz/data/mediconfusion and restart',
  });
});
afterAll(async () => {
  await h?.close();
  await session?.close();
});

interface Fit {
  scrollHeight: number;
  viewportHeight: number;
  scrollWidth: number;
  viewportWidth: number;
  /** Bounding boxes of the host's buttons. */
  controls: Array<{ name: string; top: number; bottom: number; left: number; right: number }>;
}

// Browser-side code is passed as text: the tests are compiled without the DOM library.
const MEASURE = `(() => {
  const el = document.scrollingElement;
  const controls = [...document.querySelectorAll('main button, main a.button')]
    .filter((b) => !b.closest('form') || b.type === 'submit')
    .filter((b) => !b.closest('details'))
    .map((b) => { const r = b.getBoundingClientRect(); return { name: b.textContent.trim(), top: r.top, bottom: r.bottom, left: r.left, right: r.right }; });
  return { scrollHeight: el.scrollHeight, viewportHeight: window.innerHeight, scrollWidth: el.scrollWidth, viewportWidth: window.innerWidth, controls };
})()`;

/** The drawn size of each image of the pair (object-fit: contain), in CSS pixels. */
const IMAGE_HEIGHTS = `(() => [...document.querySelectorAll('.pair img')].map((img) => {
  const r = img.getBoundingClientRect();
  if (!img.naturalWidth) return 0;
  return Math.min(r.height, r.width * img.naturalHeight / img.naturalWidth);
}))()`;

/**
 * Waits until `expression` is true in the page. page.waitForFunction would poll with eval(), which the
 * page's content security policy refuses; evaluate() runs outside it.
 */
async function until(page: Page, expression: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await page.evaluate(expression)) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`never true: ${expression}`);
}

/** Which answer button has focus on the participant's page, as "slot:option". */
const FOCUSED = `(() => { const b = document.activeElement; return b && b.dataset && b.dataset.slot !== undefined ? b.dataset.slot + ':' + b.dataset.option : String(b && b.className); })()`;

async function expectFits(page: Page, phase: string, size: (typeof SIZES)[number]): Promise<void> {
  const fit = (await page.evaluate(MEASURE)) as Fit;
  const where = `${phase} at ${size.name}`;
  expect(fit.scrollHeight, `${where}: page height`).toBeLessThanOrEqual(fit.viewportHeight);
  expect(fit.scrollWidth, `${where}: page width`).toBeLessThanOrEqual(fit.viewportWidth);
  expect(fit.controls.length, `${where}: controls`).toBeGreaterThan(0);
  for (const c of fit.controls) {
    expect(c.top, `${where}: "${c.name}" top`).toBeGreaterThanOrEqual(0);
    expect(c.bottom, `${where}: "${c.name}" bottom`).toBeLessThanOrEqual(fit.viewportHeight);
    expect(c.right, `${where}: "${c.name}" right`).toBeLessThanOrEqual(fit.viewportWidth);
  }
}

async function eachSize(page: Page, phase: string, extra?: (size: (typeof SIZES)[number]) => Promise<void>) {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    // Layout settles on the next frames (the chart redraws for its new box).
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SCREENSHOTS, `projector-${phase}-${size.name}.png`) });
    await expectFits(page, phase, size);
    await extra?.(size);
  }
}

describe('the host view on a projector', () => {
  it('fits every phase on one screen, images large, controls and keys in view', {
    timeout: 180_000,
  }, async () => {
    const context = await session.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const host = await context.newPage();
    await host.goto(`${h.base}/host/${h.code}#key=${h.hostKey}`);
    await host.getByRole('heading', { name: 'New quiz' }).waitFor();
    await until(
      host,
      "(() => { const qr = document.querySelector('img.qr'); return qr && qr.complete && qr.naturalWidth > 0; })()",
    );
    // The operator's note (with the server's path) is on the host view, in one short band.
    expect(await host.locator('.banner').textContent()).toContain('/srv/quiz/data/mediconfusion');
    // Loopback: the host is told that phones cannot join, and how to fix it.
    const warning = await host.locator('.reach-warning').textContent();
    expect(warning).toContain('--host 0.0.0.0');
    expect(warning).toContain('PUBLIC_URL');
    expect(await host.locator('.setup').textContent()).not.toContain('Questions from official');
    await eachSize(host, 'lobby');

    const phone = await (await session.device({ phone: true })).newPage();
    await phone.goto(`${h.base}/join/${h.code}`);
    await phone.getByLabel('Your name').fill('Ada');
    await phone.getByRole('button', { name: 'Join' }).click();
    await phone.getByText('Waiting for the host to start').waitFor();
    // Participants see the short label only.
    const label = await phone.locator('.banner').textContent();
    expect(label).toContain('Demo questions');
    expect(label).not.toContain('/srv/quiz');
    expect(label).not.toContain('data fetch');

    await host.setViewportSize({ width: 1920, height: 1080 });
    await host.getByLabel(/^Rounds/).fill('2');
    await host.getByLabel(/^Seconds per question/).fill('60');
    await host.locator('#model-oracle').check();
    await host.locator('#model-always-a').check();
    await host.getByRole('button', { name: 'Start the quiz' }).click();
    await host.getByRole('button', { name: 'Reveal' }).waitFor();
    await until(
      host,
      "[...document.querySelectorAll('.pair img')].every((i) => i.complete && i.naturalWidth > 0)",
    );
    expect(await host.locator('.keys-hint').textContent()).toMatch(/Space.*reveal.*S.*skip/);
    await eachSize(host, 'question', async (size) => {
      if (size.width !== 1920) return;
      const heights = (await host.evaluate(IMAGE_HEIGHTS)) as number[];
      expect(heights).toHaveLength(2);
      for (const height of heights) expect(height).toBeGreaterThanOrEqual(0.55 * size.height);
    });

    // Key 1 shows image 1 full screen; Escape closes it.
    await host.setViewportSize({ width: 1920, height: 1080 });
    await host.locator('main').click({ position: { x: 5, y: 5 } });
    await host.keyboard.press('1');
    await host.locator('dialog.image-viewer[open] img').waitFor();
    await host.screenshot({ path: path.join(SCREENSHOTS, 'projector-image-full-screen-1920x1080.png') });
    const shown = (await host.evaluate(
      "(() => { const r = document.querySelector('dialog.image-viewer img').getBoundingClientRect(); return r.height; })()",
    )) as number;
    expect(shown).toBeGreaterThan(0.85 * 1080);
    await host.keyboard.press('Escape');
    await host
      .locator('dialog.image-viewer[open]')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    expect(await host.locator('dialog.image-viewer[open]').count()).toBe(0);

    // On the phone, by keyboard: focus moves on to image 2's first answer, then to the locked-in line.
    await phone.locator('#question-text').waitFor();
    await phone.screenshot({
      path: path.join(SCREENSHOTS, 'phone-participant-question-390x844.png'),
      fullPage: true,
    });
    await phone.locator('button[data-slot="0"][data-option="A"]').focus();
    await phone.keyboard.press('Enter');
    await phone.getByText('Recorded: image 1 is A.').waitFor();
    expect(await phone.evaluate(FOCUSED)).toBe('1:A');
    await phone.keyboard.press('Tab');
    await phone.keyboard.press('Enter');
    await phone.getByText('Recorded: image 2 is B.').waitFor();
    // Both answered and locked in (changes are off): the buttons are disabled, focus is on the line saying so.
    expect(await phone.evaluate(FOCUSED)).toBe('confirmation-all');
    await host.getByText('1 person has answered both images').waitFor();
    await eachSize(host, 'live-count');

    await phone.screenshot({
      path: path.join(SCREENSHOTS, 'phone-participant-answered-390x844.png'),
      fullPage: true,
    });
    // Space reveals (focus is on the page, not on a control).
    await host.locator('main h1').click();
    await host.keyboard.press('Space');
    await host.getByRole('heading', { name: 'Models' }).waitFor();
    await eachSize(host, 'reveal');

    await host.keyboard.press('Space');
    await host.getByText('Question 2 of 2').waitFor();
    await host.getByRole('button', { name: 'Reveal' }).click();
    await host.getByRole('button', { name: 'See the results' }).click();
    await host.getByRole('heading', { name: 'Results' }).waitFor();
    await host.locator('figure.chart svg').waitFor();
    // The shared chart (src/charts/category-spec.ts): its subtitle, legend, value labels and chance label.
    // Lines may wrap at any width, so compare without spaces.
    const drawn = ((await host.locator('figure.chart svg').textContent()) ?? '').replace(/\s+/g, '');
    for (const text of [CHART_SUBTITLE, 'People', 'oracle', 'always-a', '100%', 'chance25%'])
      expect(drawn).toContain(text.replace(/\s+/g, ''));
    expect(await host.locator('figure.chart [role="img"]').getAttribute('aria-label')).toMatch(
      /oracle: .*100%/,
    );
    await eachSize(host, 'summary', async (size) => {
      if (size.width !== 1920) return;
      // The chart's text, read from the back of the room: no label under 20 px.
      const sizes = (await host.evaluate(
        "[...document.querySelectorAll('figure.chart svg text')].filter((t) => t.textContent.trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize))",
      )) as number[];
      expect(sizes.length).toBeGreaterThan(5);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(20);
    });
    await phone.getByRole('heading', { name: 'The quiz is over' }).waitFor();
    await phone.screenshot({
      path: path.join(SCREENSHOTS, 'phone-participant-summary-390x844.png'),
      fullPage: true,
    });
    await context.close();
  });

  it('shows the statistics readably on a projector and on a phone, without sideways scrolling', {
    timeout: 120_000,
  }, async () => {
    const page = await (
      await session.browser.newContext({ viewport: { width: 1920, height: 1080 } })
    ).newPage();
    await page.goto(`${h.base}/stats`);
    await page.locator('figure.chart svg').waitFor();
    for (const size of [...SIZES, { name: '390x844', width: 390, height: 844 }]) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.reload();
      await page.locator('figure.chart svg').waitFor();
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(SCREENSHOTS, `stats-${size.name}.png`), fullPage: true });
      const fit = (await page.evaluate(MEASURE)) as Fit;
      expect(fit.scrollWidth, size.name).toBeLessThanOrEqual(fit.viewportWidth);
    }
    // The phone gets the numbers as a list per category, with the whole chance sentence.
    expect(await page.locator('.numbers-list').textContent()).toContain(
      'Chance: 25% set accuracy, 50% individual accuracy',
    );
    expect(await page.locator('table.numbers').count()).toBe(0);
  });
});
