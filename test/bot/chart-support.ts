import { expect } from 'vitest';
import type { RunningBot } from '../../src/bot/run.js';
import { CHART_HEIGHT, CHART_WIDTH, DISCORD_THEME } from '../../src/charts/index.js';
import { countColour, decode, distinctColours } from '../charts/pixels.js';
import type { FakeAttachment, FakeDiscord, FakeUser } from '../support/fake-discord/index.js';
import { optionFor, press, waitForReveal, waitForRoundMessage } from './quiz-support.js';

/** Helpers for the chart tests: a quiz played over the wire, and what a chart attachment must look like. */

/**
 * Plays a quiz of `rounds` questions in the fake channel: `right[i]` says whether each player gets round i
 * right (both images), the host reveals each question and moves on, ending on the final results.
 */
export async function playQuiz(
  fake: FakeDiscord,
  running: RunningBot,
  host: FakeUser,
  rounds: number,
  players: ReadonlyArray<{ user: FakeUser; right: readonly boolean[] }>,
  options: Record<string, string | number | boolean> = {},
): Promise<void> {
  const start = fake.dispatchSlashCommand(host, {
    name: 'quiz',
    subcommand: 'start',
    options: { rounds, ...options },
  });
  await fake.waitForReply(start.id);
  for (let round = 1; round <= rounds; round++) {
    const message = await waitForRoundMessage(fake, round);
    const pair = running.engine.session(fake.channelId)?.round?.pair;
    if (!pair) throw new Error(`no pair for round ${round}`);
    for (const { user, right } of players) {
      const ok = right[round - 1] ?? false;
      await fake.waitForReply(press(fake, user, message, `Image 1 → ${optionFor(pair, 0, ok)}`).id);
      await fake.waitForReply(press(fake, user, message, `Image 2 → ${optionFor(pair, 1, ok)}`).id);
    }
    press(fake, host, message, 'Reveal');
    const reveal = await waitForReveal(fake, round);
    press(fake, host, reveal, round === rounds ? 'Final results' : 'Next question');
  }
}

/**
 * A chart as Discord will show it: a PNG of the chart's size that decodes, with many shades (text, grid,
 * error bars), the people's bars and at least a sliver of the first model's, so it is not a blank card.
 */
export async function expectChartImage(attachment: FakeAttachment): Promise<void> {
  expect(attachment.contentType ?? 'image/png').toMatch(/^image\/png/);
  const px = await decode(attachment.bytes);
  expect([px.width, px.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  const whole = { left: 0, top: 0, right: px.width, bottom: px.height };
  expect(distinctColours(px, whole)).toBeGreaterThan(50);
  expect(countColour(px, whole, DISCORD_THEME.people[0], 2)).toBeGreaterThan(1000);
  expect(countColour(px, whole, DISCORD_THEME.models[0], 2)).toBeGreaterThan(20);
}
