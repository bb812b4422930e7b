import { MessageFlags } from 'discord.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/bot/run.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import type { FakeMessage, FakeUser } from '../support/fake-discord/index.js';
import { type QuizWorld, startQuizWorld } from './harness.js';
import {
  buttonId,
  buttonsOf,
  channelPosts,
  optionFor,
  press,
  storedAnswers,
  visibleJson,
  waitForReveal,
  waitForRoundMessage,
  waitForSummary,
} from './quiz-support.js';

/**
 * A whole quiz over the wire: /quiz start, the round message, 50 people answering, the live count, the
 * host's reveal, the next round, the summary, and /stats, with the real bot against the fake Discord.
 */

const PEOPLE = 50;

describe('a quiz session in a channel', () => {
  let world: QuizWorld;
  let running: RunningBot;
  let host: FakeUser;
  let people: FakeUser[];
  let round1: FakeMessage;
  let pair1: ConfusingPair;
  let sessionId: string;

  beforeAll(async () => {
    world = await startQuizWorld();
    running = await world.startBot({
      models: {
        'always-a': { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] },
        broken: { ok: false, reason: 'rate limited by the provider' },
      },
      tuning: { revealPauseMs: null, counterIntervalMs: 100 },
    });
    host = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
    people = Array.from({ length: PEOPLE }, (_, i) =>
      world.fake.addUser({ username: `student${i}`, globalName: `Student ${i}` }),
    );
  });
  afterAll(async () => {
    await world?.close();
  });

  it('starts with /quiz start and announces the settings in the reply', async () => {
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: 2, seconds: 600, models: 'always-a, broken' },
    });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('Dr Lee');
    expect(reply.content).toContain('started a quiz: 2 questions · 600 s each');
    expect(reply.content).toContain('`always-a`, `broken`');
    expect(reply.flags & MessageFlags.Ephemeral).toBe(0);
    round1 = await waitForRoundMessage(world.fake, 1);
    const session = running.engine.session(world.fake.channelId);
    if (!session?.round) throw new Error('no session after /quiz start');
    sessionId = session.sessionId;
    pair1 = session.round.pair;
  });

  it('posts the round as a channel message with the question, both options, its categories and a countdown', () => {
    expect(round1.interactionId).toBeNull();
    expect(round1.content).toContain('**Question 1 of 2**');
    // The pair id waits for the reveal: it would let anyone look the answers up.
    expect(round1.content).not.toContain(`pair ${pair1.id}`);
    expect(round1.content).toContain(`**A:** ${pair1.options.A}`);
    expect(round1.content).toContain(`**B:** ${pair1.options.B}`);
    const deadline = running.engine.session(world.fake.channelId)?.round?.deadline ?? 0;
    expect(round1.content).toContain(`<t:${Math.floor(deadline / 1000)}:R>`);
    for (const category of new Set([...pair1.images[0].categories, ...pair1.images[1].categories])) {
      expect(round1.content).toContain(category);
    }
  });

  it('attaches one side-by-side composite of both images that decodes as a JPEG about two images wide', async () => {
    expect(round1.attachments.map((a) => a.filename)).toEqual(['round-1.jpg']);
    const bytes = round1.attachments[0]?.bytes ?? Buffer.alloc(0);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('jpeg');
    // Two square placeholders side by side at a common height, plus margins and the label band.
    expect(meta.width).toBeGreaterThan(1.7 * (meta.height ?? 0));
    expect(meta.width).toBeLessThanOrEqual(2048);
    expect(bytes.length).toBeLessThan(8 * 1024 * 1024);
  });

  it('offers image 1 → A/B, image 2 → A/B, Full size and the host controls as buttons', () => {
    expect(buttonsOf(round1).map((b) => b.label)).toEqual([
      'Image 1 → A',
      'Image 1 → B',
      'Image 2 → A',
      'Image 2 → B',
      'Full size',
      'Reveal',
      'Next',
      'Skip',
      'Stop',
    ]);
    expect(buttonsOf(round1).every((b) => !b.disabled)).toBe(true);
  });

  it('gives nothing away before the reveal: no caption, source, image id or answer in the message', () => {
    const shown = visibleJson(round1);
    for (const image of pair1.images) {
      expect(shown).not.toContain(image.caption.slice(0, 30));
      if (image.pmcArticle) expect(shown).not.toContain(image.pmcArticle);
      expect(shown).not.toContain(image.localId);
    }
    expect(shown.toLowerCase()).not.toContain('correct');
    for (const b of buttonsOf(round1)) {
      expect(b.customId).toMatch(
        new RegExp(
          `^quiz-(answer:${sessionId}:1:[12]:[AB]|host:${sessionId}:1:(reveal|next|skip|stop)|full:${sessionId}:1)$`,
        ),
      );
    }
  });

  it('confirms each click privately and locks both answers once given', async () => {
    // Person i: image 1 right for the first 30, image 2 right for every even i.
    const clicks = people.flatMap((person, i) => {
      const first = optionFor(pair1, 0, i < 30);
      const second = optionFor(pair1, 1, i % 2 === 0);
      return [
        { sent: press(world.fake, person, round1, `Image 1 → ${first}`), complete: false },
        { sent: press(world.fake, person, round1, `Image 2 → ${second}`), complete: true },
      ];
    });
    const replies = await Promise.all(clicks.map((c) => world.fake.waitForReply(c.sent.id)));
    for (const [i, reply] of replies.entries()) {
      expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
      const click = clicks[i];
      if (click?.complete)
        expect(reply.content).toMatch(/Locked in: image 1: \*\*[AB]\*\*.*image 2: \*\*[AB]\*\*/);
      else expect(reply.content).toContain('Now answer image 2');
    }
    expect(await storedAnswers(world)).toHaveLength(2 * PEOPLE);
    const person0 = replies[1]?.content ?? '';
    expect(person0).toContain(`image 1: **${optionFor(pair1, 0, true)}**`);
    expect(person0).toContain(`image 2: **${optionFor(pair1, 1, true)}**`);
  });

  it('refuses to change a locked answer, saying what was kept', async () => {
    const first = optionFor(pair1, 0, true);
    const other = first === 'A' ? 'B' : 'A';
    const sent = press(world.fake, people[0] as FakeUser, round1, `Image 1 → ${other}`);
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('locked in');
    expect(reply.content).toContain(`image 1: ${first}`);
  });

  it('keeps a live "N answered" on the round message', async () => {
    await world.fake.waitUntil(
      () => (world.fake.message(round1.id).content.includes(`**${PEOPLE}** answered`) ? true : undefined),
      `"${PEOPLE} answered" on the round message`,
    );
  });

  it('refuses the host controls to anyone but the hosts, politely and privately', async () => {
    const sent = press(world.fake, people[3] as FakeUser, round1, 'Reveal');
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('only the person who started this quiz');
    expect(running.engine.session(world.fake.channelId)?.round?.state).toBe('open');
  });

  it('sends both full-size images privately under neutral names', async () => {
    const sent = press(world.fake, people[4] as FakeUser, round1, 'Full size');
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.attachments.map((a) => a.filename)).toEqual(['image-1.jpg', 'image-2.jpg']);
  });

  let reveal1: FakeMessage;
  it("reveals on the host's button: right answers, people's shares, set accuracy and confusion", async () => {
    const sent = press(world.fake, host, round1, 'Reveal');
    reveal1 = await waitForReveal(world.fake, 1);
    expect((await world.fake.waitForCallback(sent.id)).type).toBe(6);
    const text = JSON.stringify(reveal1.embeds);
    const expected = await running.engine.roundReveal(sessionId, 1);
    const [img1, img2] = expected.images;
    expect(img1.right).toBe(30);
    expect(img2.right).toBe(25);
    const description = reveal1.embeds[0]?.description ?? '';
    expect(description).toContain(`**Image 1 → ${img1.correct}:** ${img1.correctText}`);
    expect(description).toContain(`**Image 2 → ${img2.correct}:** ${img2.correctText}`);
    expect(description).toContain('30 of 50 right (60%)');
    expect(description).toContain('25 of 50 right (50%)');
    // Both right: i < 30 and even → 15 people; confused: one right, one wrong with equal letters.
    expect(description).toContain(`set accuracy) **30%** (15 of 50)`);
    expect(description).toContain(
      `confused ${Math.round(expected.people.confusion ?? 0)}% (${expected.people.confused} of 50`,
    );
    expect(text).toContain(`https://pmc.ncbi.nlm.nih.gov/articles/${pair1.images[0].pmcArticle}/`);
    expect(reveal1.embeds[1]?.description).toContain(pair1.images[0].caption.slice(0, 40));
    expect(reveal1.embeds[2]?.description).toContain(pair1.images[1].caption.slice(0, 40));
  });

  it("shows each model's two answers with right/wrong and confused marks, and a failed model's reason", () => {
    const description = reveal1.embeds[0]?.description ?? '';
    const mark = (slot: 0 | 1) => (pair1.images[slot].correct === 'A' ? '✅' : '❌');
    expect(description).toContain(`\`always-a\`: image 1 → A ${mark(0)} · image 2 → A ${mark(1)}`);
    expect(description).toContain('😵 confused');
    expect(description).toContain('`broken`: ⚠️ failed: rate limited by the provider');
  });

  it('disables the answer buttons on the round message at the reveal', () => {
    const after = world.fake.message(round1.id);
    const state = Object.fromEntries(buttonsOf(after).map((b) => [b.label, b.disabled]));
    expect(state).toMatchObject({
      'Image 1 → A': true,
      'Image 1 → B': true,
      'Image 2 → A': true,
      'Image 2 → B': true,
      Reveal: true,
      'Full size': false,
    });
    expect(after.content).toContain(`**${PEOPLE}** answered`);
  });

  it('answers a click after the reveal with a polite note, and stores nothing', async () => {
    const late = world.fake.addUser({ username: 'latecomer' });
    const sent = world.fake.dispatchButton(
      late,
      buttonId(round1, 'Image 1 → A'),
      world.fake.message(round1.id),
    );
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain("Time's up");
    const again = await running.engine.roundReveal(sessionId, 1);
    expect(again.people.participants).toBe(PEOPLE);
  });

  let round2: FakeMessage;
  it('opens the next question on the Next button of the reveal', async () => {
    expect(buttonsOf(reveal1).map((b) => b.label)).toEqual(['Next question', 'Stop quiz']);
    press(world.fake, host, reveal1, 'Next question');
    round2 = await waitForRoundMessage(world.fake, 2);
    expect(round2.content).toContain('**Question 2 of 2**');
    // The old reveal loses its controls once the quiz has moved on.
    await world.fake.waitUntil(
      () => (world.fake.message(reveal1.id).components.length === 0 ? true : undefined),
      'the first reveal without buttons',
    );
  });

  it('tells a click on an earlier question that it is over', async () => {
    const sent = world.fake.dispatchButton(people[5] as FakeUser, buttonId(round1, 'Image 2 → B'), round1);
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('That question is over');
    const hostSent = world.fake.dispatchButton(host, buttonId(round1, 'Skip'), round1);
    const hostReply = await world.fake.waitForReply(hostSent.id);
    expect(hostReply.content).toContain('earlier question');
    expect(running.engine.session(world.fake.channelId)?.round?.round).toBe(2);
  });

  it('ends with a summary: accuracy per participant, the podium, and people vs models per category', async () => {
    const session = running.engine.session(world.fake.channelId);
    const pair2 = session?.round?.pair as ConfusingPair;
    const answers = people
      .slice(0, 10)
      .flatMap((person, i) => [
        press(world.fake, person, round2, `Image 1 → ${optionFor(pair2, 0, true)}`),
        press(world.fake, person, round2, `Image 2 → ${optionFor(pair2, 1, i < 5)}`),
      ]);
    await Promise.all(answers.map((a) => world.fake.waitForReply(a.id)));
    // Next on an open last question reveals it and ends the quiz.
    press(world.fake, host, round2, 'Next');
    await waitForReveal(world.fake, 2);
    const summary = await waitForSummary(world.fake);
    const expected = await running.engine.summary(sessionId);
    const results = summary.embeds[0]?.description ?? '';
    expect(results).toContain('2 questions revealed · 50 participants');
    const best = expected.participants[0];
    expect(results).toContain(`🥇 ${best?.displayName}: both right ${best?.setAccuracy.toFixed(0)}%`);
    for (const p of expected.participants.slice(0, 20)) {
      expect(results).toMatch(
        new RegExp(
          `${p.rank}\\s+${p.displayName}\\s+${p.setAccuracy.toFixed(1)}\\s+${p.individualAccuracy.toFixed(1)}`,
        ),
      );
    }
    const comparison = summary.embeds[1];
    expect(comparison?.title).toBe('People vs models on these questions');
    const all = comparison?.fields?.find((f) => f.name === 'All categories')?.value ?? '';
    const peopleAll = expected.comparison.people.rows.find((r) => r.category === 'All');
    expect(all).toMatch(new RegExp(`people\\s+${peopleAll?.setAccuracy.toFixed(1)}`));
    expect(all).toContain('always-a');
    expect(all).toMatch(/chance\s+25\.0\s+50\.0\s+50\.0/);
    expect(running.engine.session(world.fake.channelId)).toBeNull();
  });

  it('answers /stats with the same numbers as the engine, per category', async () => {
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'stats',
      options: { scope: 'channel' },
    });
    const reply = await world.fake.waitForReply(sent.id);
    const stats = await running.engine.stats({ kind: 'room', roomId: world.fake.channelId });
    const embed = reply.embeds[0];
    expect(embed?.description).toContain('2 revealed questions in 1 quiz · 50 people');
    const fields = new Map((embed?.fields ?? []).map((f) => [f.name, f.value]));
    for (const row of stats.comparison.people.rows.filter((r) => r.n > 0)) {
      const value = fields.get(row.category === 'All' ? 'All categories' : row.category) ?? '';
      expect(value).toMatch(
        new RegExp(
          `people\\s+${row.setAccuracy.toFixed(1)}\\s+${Math.round(row.setInterval.low)}–${Math.round(row.setInterval.high)}\\s+${row.individualAccuracy.toFixed(1)}\\s+${row.confusion.toFixed(1)}\\s+${row.n}`,
        ),
      );
    }
    const modelAll = stats.comparison.models
      .find((m) => m.who === 'always-a')
      ?.rows.find((r) => r.category === 'All');
    expect(fields.get('All categories')).toMatch(
      new RegExp(`always-a\\s+${modelAll?.setAccuracy.toFixed(1)}`),
    );
    // A model that failed is left out rather than counted wrong.
    expect(fields.get('All categories')).not.toContain('broken');
    expect(embed?.footer?.text).toContain('chance');
  });

  it('answers /leaderboard ranked by set accuracy, with the minimum stated', async () => {
    const sent = world.fake.dispatchSlashCommand(host, { name: 'leaderboard' });
    const reply = await world.fake.waitForReply(sent.id);
    const text = reply.embeds[0]?.description ?? '';
    expect(text).toContain('Speed never counts');
    expect(text).toContain('at least 10 answered pairs');
    expect(text).toContain('Nobody qualifies yet (50 people have answered fewer pairs)');
  });

  it('lets a new quiz start in the channel once the last one has ended', async () => {
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: 1 },
    });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('started a quiz: 1 question');
    const stop = world.fake.dispatchSlashCommand(host, { name: 'quiz', subcommand: 'stop' });
    const stopped = await world.fake.waitForReply(stop.id);
    expect(stopped.content).toContain('stopped the quiz');
    expect(channelPosts(world.fake).at(-1)?.embeds[0]?.title).toBe('🏁 Quiz results');
  });

  it('sends only bodies that match Discord’s published schema', () => {
    expect(world.fake.schemaViolations()).toEqual([]);
  });
});
