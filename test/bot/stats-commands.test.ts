import { InteractionResponseType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/bot/run.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { type QuizWorld, startQuizWorld } from './harness.js';
import { optionFor, press, waitForReveal, waitForRoundMessage, waitForSummary } from './quiz-support.js';

/**
 * /stats and /leaderboard after a quiz played over the wire: Ana answers every pair right but always
 * last, Ben is always first and gets one pair right, Cy answers a single pair.
 */

const ROUNDS = 3;

describe('/stats and /leaderboard', () => {
  let world: QuizWorld;
  let running: RunningBot;
  let host: FakeUser;
  let ana: FakeUser;
  let ben: FakeUser;
  let cy: FakeUser;

  beforeAll(async () => {
    world = await startQuizWorld();
    running = await world.startBot({
      models: { 'always-b': { ok: true, chosen: ['B', 'B'], raw: ['B', 'B'] } },
      tuning: { revealPauseMs: null, leaderboardMinPairs: 2 },
    });
    host = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
    ana = world.fake.addUser({ username: 'ana', globalName: 'Ana' });
    ben = world.fake.addUser({ username: 'ben', globalName: 'Ben' });
    cy = world.fake.addUser({ username: 'cy', globalName: 'Cy' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('says there is nothing to show before any question has been revealed', async () => {
    const sent = world.fake.dispatchSlashCommand(host, { name: 'stats' });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.embeds[0]?.description).toContain('No revealed quiz questions here yet');
  });

  it('plays a quiz to have something to count', async () => {
    const start = world.fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: ROUNDS, models: 'always-b' },
    });
    await world.fake.waitForReply(start.id);
    for (let round = 1; round <= ROUNDS; round++) {
      const message = await waitForRoundMessage(world.fake, round);
      const pair = running.engine.session(world.fake.channelId)?.round?.pair;
      if (!pair) throw new Error(`no pair for round ${round}`);
      const answer = async (user: FakeUser, right: [boolean, boolean]) => {
        await world.fake.waitForReply(
          press(world.fake, user, message, `Image 1 → ${optionFor(pair, 0, right[0])}`).id,
        );
        await world.fake.waitForReply(
          press(world.fake, user, message, `Image 2 → ${optionFor(pair, 1, right[1])}`).id,
        );
      };
      await answer(ben, [true, round === 1]);
      if (round === 2) await answer(cy, [true, true]);
      await answer(ana, [true, true]);
      press(world.fake, host, message, 'Reveal');
      const reveal = await waitForReveal(world.fake, round);
      press(world.fake, host, reveal, round === ROUNDS ? 'Final results' : 'Next question');
    }
    await waitForSummary(world.fake);
  });

  it('ranks by set accuracy, never by speed, and counts those below the minimum apart', async () => {
    const sent = world.fake.dispatchSlashCommand(host, { name: 'leaderboard' });
    const reply = await world.fake.waitForReply(sent.id);
    const text = reply.embeds[0]?.description ?? '';
    expect(text).toMatch(/\n\s+1 Ana\s+100\.0 /);
    expect(text).toMatch(/\n\s+2 Ben\s+33\.3 /);
    expect(text).not.toContain('Cy');
    expect(text).toContain('1 more person has answered fewer than 2 pairs');
    expect(reply.flags & MessageFlags.Ephemeral).toBe(0);
  });

  it('answers an unknown category privately, listing the categories', async () => {
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'leaderboard',
      options: { category: 'Dental' },
    });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('There is no category "Dental"');
    expect(reply.content).toContain('Cerebral');
  });

  it("shows only the asker's own numbers, privately, for scope me", async () => {
    const sent = world.fake.dispatchSlashCommand(ana, { name: 'stats', options: { scope: 'me' } });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const stats = await running.engine.stats({ kind: 'user', userId: ana.user.id });
    expect(stats.comparison.people.pairs).toBe(ROUNDS);
    const all = reply.embeds[0]?.fields?.find((f) => f.name === 'All categories')?.value ?? '';
    expect(all).toMatch(new RegExp(`people\\s+100\\.0\\s+\\d+–100\\s+100\\.0\\s+0\\.0\\s+${ROUNDS}`));
    expect(reply.embeds[0]?.title).toContain('you');
  });

  it('shows one category when asked, with the same figures as the engine and the chance line', async () => {
    const stats = await running.engine.stats({ kind: 'guild', guildId: world.fake.guildId });
    const row = stats.comparison.people.rows.find((r) => r.category !== 'All' && r.n > 0);
    if (!row) throw new Error('no category was played');
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'stats',
      options: { category: row.category.toLowerCase() },
    });
    const reply = await world.fake.waitForReply(sent.id);
    const fields = reply.embeds[0]?.fields ?? [];
    expect(fields.map((f) => f.name)).toEqual([row.category]);
    expect(fields[0]?.value).toMatch(
      new RegExp(
        `people\\s+${row.setAccuracy.toFixed(1)}\\s+${Math.round(row.setInterval.low)}–${Math.round(row.setInterval.high)}\\s+${row.individualAccuracy.toFixed(1)}\\s+${row.confusion.toFixed(1)}\\s+${row.n}`,
      ),
    );
    const model = stats.comparison.models[0]?.rows.find((r) => r.category === row.category);
    expect(fields[0]?.value).toMatch(new RegExp(`always-b\\s+${model?.setAccuracy.toFixed(1)}`));
    expect(fields[0]?.value).toMatch(/chance\s+25\.0\s+50\.0\s+50\.0/);
  });

  it('suggests categories while typing', async () => {
    const sent = world.fake.dispatchAutocomplete(host, {
      name: 'stats',
      options: { category: 'card' },
      focused: 'category',
    });
    const callback = await world.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    expect(callback.data?.choices).toEqual([{ name: 'Cardiac', value: 'Cardiac' }]);
  });

  it('suggests known models for /quiz start, keeping the ones already typed', async () => {
    const sent = world.fake.dispatchAutocomplete(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { models: 'always-b, al' },
      focused: 'models',
    });
    const callback = await world.fake.waitForCallback(sent.id);
    // always-b is already chosen, so nothing else matches.
    expect(callback.data?.choices).toEqual([]);
    const fresh = world.fake.dispatchAutocomplete(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { models: 'alw' },
      focused: 'models',
    });
    expect((await world.fake.waitForCallback(fresh.id)).data?.choices).toEqual([
      { name: 'always-b', value: 'always-b' },
    ]);
  });

  it('sends only bodies that match Discord’s published schema', () => {
    expect(world.fake.schemaViolations()).toEqual([]);
  });
});
