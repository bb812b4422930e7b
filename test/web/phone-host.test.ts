import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserSession,
  CHROMIUM,
  chromiumAvailable,
  launchBrowser,
  SCREENSHOTS,
  SETTLED,
} from './browser.js';
import {
  joinAsPlayer,
  onScreen,
  openWebHarness,
  secretFor,
  type TestClient,
  type WebHarness,
} from './harness.js';

/**
 * The host view on a phone used as the presenter's remote (issue 10: "a laptop and a phone as a remote").
 * In every phase, at 390×844 and 360×740 portrait and 844×390 landscape: nothing is wider than the screen,
 * no control, option, caption or figure overlaps another, every control is a 44×44 CSS px target, no text
 * runs out of its box and no panel is cut off (the page scrolls instead). The host's buttons (Reveal, Next,
 * Stop) stick to the bottom of the screen, so they are on the first screen without scrolling; the layout
 * is measured with the page scrolled to its end, where that bar rests in its own place. Screenshots of each
 * go to test-output/web/phone-host-<phase>-<size>.png (the whole page) and -<size>-screen.png (the first
 * screen, as the host sees it).
 */

const SIZES = [
  { name: '390x844', width: 390, height: 844 },
  { name: '360x740', width: 360, height: 740 },
  { name: '844x390', width: 844, height: 390 },
] as const;

/** Apple's and WCAG 2.5.5's minimum touch target, in CSS px. */
const TARGET = 44;

let session: BrowserSession;
let h: WebHarness;
let player: TestClient;

beforeAll(async () => {
  if (!chromiumAvailable) throw new Error(`No chromium at ${CHROMIUM}.`);
  session = await launchBrowser();
  h = await openWebHarness({
    banner: 'demo content, not real patient images (phone host test)',
  });
  player = await joinAsPlayer(h, secretFor('phone-host'), 'Ada Lovelace-Byron');
});
afterAll(async () => {
  await player?.close();
  await h?.close();
  await session?.close();
});

interface Box {
  name: string;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

interface Layout {
  viewportWidth: number;
  scrollWidth: number;
  /** What the host taps: buttons, link buttons, fields, disclosure toggles, the labels of check boxes. */
  controls: Box[];
  /** Controls plus the blocks of text around them (options, captions, figures, hints). */
  blocks: Box[];
  /** Blocks whose text is wider than the block. */
  overflowing: string[];
  /** Boxes that hide part of their content (a panel cut off, or scrolling inside itself). */
  clipped: string[];
}

// Browser-side code is passed as text: the tests are compiled without the DOM library. Boxes are in page
// coordinates (the page may scroll on a phone).
const MEASURE = `(() => {
  const label = (el) => (el.getAttribute('aria-label') || el.textContent || el.value || el.id || el.tagName)
    .trim().replace(/\\s+/g, ' ').slice(0, 50);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { name: el.tagName.toLowerCase() + ' "' + label(el) + '"', top: r.top + scrollY, left: r.left + scrollX,
      bottom: r.bottom + scrollY, right: r.right + scrollX };
  };
  const main = document.querySelector('main');
  const controls = [
    ...main.querySelectorAll('button, a.button, select, input:not([type="checkbox"]), summary'),
    ...[...main.querySelectorAll('input[type="checkbox"]')].map((c) => main.querySelector('label[for="' + c.id + '"]')),
  ].filter((el) => el && shown(el));
  const texts = [...main.querySelectorAll([
    'h1', 'h2', 'legend', 'label', '.options dt', '.options dd', 'figcaption', '.caption', '.source',
    '.big-figure', '.people p', '.round-number', '.counters', '.countdown', '.keys-hint', '.join-compact',
    '.join-panel p', '.summary-line', 'table', 'figure.chart', '.reach-badge', '.brand', '.status', '.notices',
    '.set-note', '.image-number',
  ].join(','))].filter((el) => shown(el) && !controls.includes(el));
  const all = [...controls, ...texts];
  // Pairs where one holds the other (a label's text in its figure) are not overlaps.
  const blocks = all.filter((el) => !all.some((other) => other !== el && other.contains(el) && !controls.includes(other)))
    .filter((el) => !el.classList.contains('image-number'));
  const overflowing = texts
    .filter((el) => el.clientWidth > 0 && !['TABLE', 'FIGURE'].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1)
    .map((el) => box(el).name + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
  const clipped = [main, ...main.querySelectorAll('*')].filter((el) => {
    if (!shown(el) || el.closest('svg')) return false;
    const s = getComputedStyle(el);
    const hides = (v) => v !== 'visible';
    return (hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1) ||
      (hides(s.overflowX) && el.scrollWidth > el.clientWidth + 1);
  // A bar's track clips its fill; a wide table's wrapper scrolls sideways by design.
  }).filter((el) => !el.classList.contains('bar-track') && !el.classList.contains('table-wrap'))
    .map((el) => box(el).name.slice(0, 60) + ' ' + el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x' + el.clientHeight);
  return { viewportWidth: window.innerWidth, scrollWidth: document.scrollingElement.scrollWidth,
    controls: controls.map(box), blocks: blocks.map(box), overflowing, clipped };
})()`;

/** The host's buttons that lie outside the screen while the page is scrolled to its top. */
const HOST_BUTTONS_OFF_SCREEN = `(() => {
  scrollTo(0, 0);
  return [...document.querySelectorAll('main .host-controls button')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth;
  }).map((el) => el.textContent.trim());
})()`;

const SCROLL_TO_END = 'scrollTo(0, document.scrollingElement.scrollHeight)';

/** Two boxes share an area (touching edges, or a sub-pixel graze from rounding, do not count). */
function overlap(a: Box, b: Box): boolean {
  return (
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1
  );
}

async function expectUsableOnPhones(page: Page, phase: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.evaluate(SETTLED);
    await page.evaluate(SETTLED);
    // Measured before the screenshots: a full-page capture briefly resizes the page (and drops touch emulation).
    const offScreen = (await page.evaluate(HOST_BUTTONS_OFF_SCREEN)) as string[];
    await page.evaluate(SETTLED);
    await page.screenshot({ path: path.join(SCREENSHOTS, `phone-host-${phase}-${size.name}-screen.png`) });
    await page.evaluate(SCROLL_TO_END);
    await page.evaluate(SETTLED);
    const layout = (await page.evaluate(MEASURE)) as Layout;
    await page.screenshot({
      path: path.join(SCREENSHOTS, `phone-host-${phase}-${size.name}.png`),
      fullPage: true,
    });
    const where = `${phase} at ${size.name}`;
    expect.soft(offScreen, `${where}: host buttons off the first screen`).toEqual([]);
    // A phone widens its layout viewport to fit content that is too wide, so compare with the screen's width.
    expect.soft(layout.viewportWidth, `${where}: layout viewport`).toBe(size.width);
    expect.soft(layout.scrollWidth, `${where}: page width`).toBeLessThanOrEqual(size.width);
    expect.soft(layout.controls.length, `${where}: controls`).toBeGreaterThan(0);
    for (const c of layout.controls) {
      expect.soft(c.right - c.left, `${where}: ${c.name} width`).toBeGreaterThanOrEqual(TARGET);
      expect.soft(c.bottom - c.top, `${where}: ${c.name} height`).toBeGreaterThanOrEqual(TARGET);
      expect.soft(c.left, `${where}: ${c.name} left`).toBeGreaterThanOrEqual(0);
      expect.soft(c.right, `${where}: ${c.name} right`).toBeLessThanOrEqual(size.width);
    }
    const overlaps: string[] = [];
    layout.blocks.forEach((a, i) => {
      for (const b of layout.blocks.slice(i + 1)) if (overlap(a, b)) overlaps.push(`${a.name} / ${b.name}`);
    });
    expect.soft(overlaps, `${where}: overlapping`).toEqual([]);
    expect.soft(layout.overflowing, `${where}: text wider than its box`).toEqual([]);
    expect.soft(layout.clipped, `${where}: cut off`).toEqual([]);
  }
}

describe('the host view on a phone used as a remote', () => {
  it('keeps every phase readable and every control tappable at phone sizes', {
    timeout: 180_000,
  }, async () => {
    const context = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const host = await context.newPage();
    await host.goto(`${h.base}/host/${h.code}#key=${h.hostKey}`);
    await host.getByRole('heading', { name: 'New quiz' }).waitFor();
    await host.getByText('1 participant connected').waitFor();
    await expectUsableOnPhones(host, 'lobby');

    await host.getByLabel(/^Rounds/).fill('2');
    await host.getByLabel(/^Seconds per question/).fill('600');
    await host.locator('#model-oracle').check();
    await host.locator('#model-always-a').check();
    await host.getByRole('button', { name: 'Start the quiz' }).click();
    await host.getByRole('button', { name: 'Reveal' }).waitFor();
    await expectUsableOnPhones(host, 'question');

    await player.request({ type: 'answer', ...onScreen(player), slot: 0, option: 'A' });
    await player.request({ type: 'answer', ...onScreen(player), slot: 1, option: 'B' });
    await host.getByText('1 person has answered both images').waitFor();
    await host.getByRole('button', { name: 'Reveal' }).click();
    await host.getByRole('heading', { name: 'Models' }).waitFor();
    await expectUsableOnPhones(host, 'reveal');

    await host.getByRole('button', { name: 'Next question' }).click();
    await host.getByText('Question 2 of 2').waitFor();
    await host.getByRole('button', { name: 'Reveal' }).click();
    await host.getByRole('button', { name: 'See the results' }).waitFor();
    await expectUsableOnPhones(host, 'reveal-last');

    // The summary is drawn for the screen it opens on (a list of numbers rather than a table on a phone).
    await host.setViewportSize({ width: 390, height: 844 });
    await host.getByRole('button', { name: 'See the results' }).click();
    await host.getByRole('heading', { name: 'Results' }).waitFor();
    await host.locator('figure.chart svg').waitFor();
    await expectUsableOnPhones(host, 'summary');
    await host.locator('.numbers-details summary').click();
    await expectUsableOnPhones(host, 'summary-numbers');

    await host.getByRole('button', { name: 'New quiz' }).click();
    await host.getByRole('heading', { name: 'New quiz' }).waitFor();
    await expectUsableOnPhones(host, 'new-quiz');
    await context.close();
  });
});
