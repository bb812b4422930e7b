import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { type BrowserSession, CHROMIUM, chromiumAvailable, launchBrowser } from './browser.js';
import { openWebHarness, type WebHarness } from './harness.js';

/** The web quiz in a real browser (Debian's chromium through playwright-core): host on a wide screen, phones. */

let session: BrowserSession;
let h: WebHarness;

beforeAll(async () => {
  if (!chromiumAvailable) {
    throw new Error(
      `No chromium at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium (never npx playwright install).`,
    );
  }
  session = await launchBrowser();
});
afterAll(async () => {
  await session?.close();
});
beforeEach(async () => {
  h = await openWebHarness({ banner: 'demo content, not real patient images (browser test)' });
});
afterEach(async () => {
  await h.close();
});

const hostLink = () => `${h.base}/host/${h.code}#key=${h.hostKey}`;
const joinLink = () => `${h.base}/join/${h.code}`;

async function openHost(): Promise<Page> {
  const page = await (await session.device()).newPage();
  await page.goto(hostLink());
  await page.getByRole('heading', { name: 'New quiz' }).waitFor();
  return page;
}

async function openParticipant(name: string): Promise<Page> {
  const page = await (await session.device({ phone: true })).newPage();
  await page.goto(joinLink());
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByText('Waiting for the host to start').waitFor();
  return page;
}

async function startFromHost(host: Page, options: { rounds: number; models?: string[] }): Promise<void> {
  await host.getByLabel(/^Rounds/).fill(String(options.rounds));
  await host.getByLabel(/^Seconds per question/).fill('60');
  for (const model of options.models ?? []) await host.locator(`#model-${model}`).check();
  await host.getByRole('button', { name: 'Start the quiz' }).click();
  await host.getByRole('button', { name: 'Reveal' }).waitFor();
}

/** The pair on screen, found by its question text. */
async function pairOn(page: Page): Promise<ConfusingPair> {
  const text = (await page.locator('#question-text').textContent())?.trim();
  const pair = h.set.pairs.find((p) => p.question === text);
  if (pair === undefined) throw new Error(`no pair asks "${text}"`);
  return pair;
}

async function answer(page: Page, slot: 0 | 1, option: 'A' | 'B'): Promise<void> {
  await page.locator(`button[data-slot="${slot}"][data-option="${option}"]`).click();
  await page.getByText(`Recorded: image ${slot + 1} is ${option}.`).waitFor();
}

describe('the web quiz in a browser', () => {
  it('lets a host and two participants play a whole session', { timeout: 120_000 }, async () => {
    const host = await openHost();
    expect(await host.locator('.banner').textContent()).toContain('demo content, not real patient images');
    expect(await host.locator('.room-code').textContent()).toContain(h.code);
    // Browser-side code is passed as text: the tests are compiled without the DOM library.
    await host.waitForFunction(
      "(() => { const qr = document.querySelector('img.qr'); return qr && qr.complete && qr.naturalWidth > 0; })()",
    );
    await session.screenshot(host, 'host-idle');

    const ada = await openParticipant('Ada');
    const bo = await openParticipant('Bo');
    await session.screenshot(ada, 'participant-waiting');
    await host.getByText('2 participants connected').waitFor();

    await startFromHost(host, { rounds: 2, models: ['oracle', 'always-a'] });
    const pair = await pairOn(host);
    const right = (slot: 0 | 1) => pair.images[slot].correct;
    expect(await host.locator('.pair img').count()).toBe(2);
    expect(await host.locator('.pair img').first().getAttribute('alt')).toMatch(/Image 1 of the pair/);

    await ada.locator('#question-text').waitFor();
    await answer(ada, 0, right(0));
    await answer(ada, 1, right(1));
    await ada.getByText('Both answers are locked in').waitFor();
    await answer(bo, 0, 'A');
    await answer(bo, 1, 'A');
    await host.getByText('2 people have answered both images').waitFor();
    await session.screenshot(host, 'host-question');
    await session.screenshot(ada, 'participant-question');

    await host.getByRole('button', { name: 'Reveal' }).click();
    await host.getByRole('heading', { name: 'Models' }).waitFor();
    expect(await host.locator('.big-figure').textContent()).toContain(
      'People: 50% got both images right (1 of 2)',
    );
    expect(await host.locator('.models').textContent()).toContain('confused');
    expect(await host.locator('.pair img').first().getAttribute('alt')).toMatch(
      new RegExp(`^Image 1: ${escapeRegExp(pair.images[0].caption)}`),
    );
    await ada.getByRole('heading', { name: 'Both right!' }).waitFor();
    expect(await ada.locator('.score').textContent()).toContain('Your score: 1 of 1 pair fully right');
    await bo.locator('.result').waitFor();
    await session.screenshot(host, 'host-reveal');
    await session.screenshot(ada, 'participant-reveal');

    await host.getByRole('button', { name: 'Next question' }).click();
    await host.getByText('Question 2 of 2').waitFor();
    const second = await pairOn(host);
    await ada.getByText('Question 2 of 2').waitFor();
    await answer(ada, 0, second.images[0].correct === 'A' ? 'B' : 'A');
    await answer(ada, 1, second.images[1].correct);
    await host.getByRole('button', { name: 'Reveal' }).click();
    await host.getByRole('button', { name: 'See the results' }).click();

    await host.getByRole('heading', { name: 'Results' }).waitFor();
    expect(await host.locator('table.standings tbody tr').count()).toBe(2);
    expect(await host.locator('table.standings tbody tr').first().textContent()).toContain('Ada');
    expect(await host.locator('figure.chart svg').count()).toBe(1);
    expect(await host.locator('figure.chart table').textContent()).toContain('Chance: 25% set accuracy');
    await ada.getByRole('heading', { name: 'The quiz is over' }).waitFor();
    expect(await ada.locator('.score').textContent()).toContain('1 of 2 pairs fully right');
    await host.waitForTimeout(300); // the chart draws on the next animation frame
    await session.screenshot(host, 'host-summary');
    await session.screenshot(ada, 'participant-summary');

    const stats = await (await session.device()).newPage();
    await stats.goto(`${h.base}/stats`);
    await stats.getByRole('heading', { name: 'People versus models' }).waitFor();
    expect(await stats.locator('figure.chart table').textContent()).toContain('oracle');
    await stats.waitForTimeout(300);
    await session.screenshot(stats, 'stats');
  });

  it('keeps a participant’s answers when the page is reloaded mid-round', { timeout: 60_000 }, async () => {
    const host = await openHost();
    const rae = await openParticipant('Rae');
    await startFromHost(host, { rounds: 1 });
    await rae.locator('#question-text').waitFor();
    // Keyboard only: focus the button and press Enter.
    await rae.locator('button[data-slot="0"][data-option="B"]').focus();
    await rae.keyboard.press('Enter');
    await rae.getByText('Recorded: image 1 is B.').waitFor();

    await rae.reload();
    await rae.getByText('Recorded: image 1 is B.').waitFor();
    expect(await rae.locator('button[data-slot="0"][data-option="B"]').getAttribute('aria-pressed')).toMatch(
      'true',
    );
    expect(await rae.locator('.brand').textContent()).toContain('Rae');
    await answer(rae, 1, 'A');
    await rae.getByText('Both answers are locked in').waitFor();
    await host.getByText('1 person has answered both images').waitFor();
  });

  it('gives a participant no way to reveal: no control on the page, and the server refuses', {
    timeout: 60_000,
  }, async () => {
    const host = await openHost();
    const mallory = await openParticipant('Mallory');
    await startFromHost(host, { rounds: 1 });
    await mallory.locator('#question-text').waitFor();
    expect(await mallory.locator('[data-command]').count()).toBe(0);
    expect(await mallory.getByRole('button', { name: /reveal/i }).count()).toBe(0);

    // Speaking the protocol by hand from the participant's page, with their own id.
    const ack: unknown = await mallory.evaluate(
      `new Promise((resolve) => {
      const ws = new WebSocket('ws://' + location.host + '/ws');
      ws.onopen = () => {
        const player = localStorage.getItem('mediconfusion.participant');
        ws.send(JSON.stringify({ type: 'hello', role: 'player', room: ${JSON.stringify('__ROOM__')}, player, name: 'Mallory' }));
        ws.send(JSON.stringify({ type: 'reveal', id: 99 }));
      };
      ws.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type === 'ack') resolve(message);
      };
    })`.replace('__ROOM__', h.code),
    );
    expect(ack).toMatchObject({ ok: false, code: 'NOT_HOST' });
    expect(await host.getByRole('button', { name: 'Reveal' }).isVisible()).toBe(true);
    expect(h.engine.session(`web:${h.code}`)?.round?.state).toBe('open');
  });

  it('shows nothing of the answers before the reveal, in the page or on the wire', {
    timeout: 60_000,
  }, async () => {
    const host = await openHost();
    const page = await (await session.device({ phone: true })).newPage();
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(String(frame.payload))));
    await page.goto(joinLink());
    await page.getByLabel('Your name').fill('Eve');
    await page.getByRole('button', { name: 'Join' }).click();
    await startFromHost(host, { rounds: 1, models: ['oracle'] });
    await page.locator('#question-text').waitFor();
    const pair = await pairOn(page);

    const html = await page.content();
    const before = frames.join('\n');
    for (const image of pair.images) {
      expect(html).not.toContain(image.caption);
      expect(before).not.toContain(image.caption);
      expect(html).not.toContain(image.file?.split('/').pop() ?? '.png');
    }
    expect(before).not.toMatch(/"correct"/);
    expect(await page.locator('.correct-answer').count()).toBe(0);

    await host.getByRole('button', { name: 'Reveal' }).click();
    await page.locator('.my-answers').waitFor();
    expect(await page.content()).toContain(pair.images[0].caption);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
