import { InteractionResponseType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNKNOWN_COMPONENT } from '../../src/bot/interaction-router.js';
import type { RunningBot } from '../../src/bot/run.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { type QuizBotOptions, type QuizWorld, startQuizWorld } from './harness.js';
import {
  buttonId,
  buttonsOf,
  channelPosts,
  press,
  storedAnswers,
  storedSessions,
  waitForPost,
  waitForReveal,
  waitForRoundMessage,
  waitForSummary,
} from './quiz-support.js';

/** The quiz's pacing and host controls, and what it does with clicks it cannot accept. */

let world: QuizWorld;
let running: RunningBot;
let host: FakeUser;
let member: FakeUser;

async function setUp(options: QuizBotOptions, env: Record<string, string> = {}): Promise<void> {
  world = await startQuizWorld({ env });
  running = await world.startBot(options);
  host = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
  member = world.fake.addUser({ username: 'sam', globalName: 'Sam' });
}

async function startQuiz(options: Record<string, string | number | boolean>, by = host) {
  const sent = world.fake.dispatchSlashCommand(by, { name: 'quiz', subcommand: 'start', options });
  return world.fake.waitForReply(sent.id);
}

afterEach(async () => {
  await world?.close();
});

describe('quiz pacing', () => {
  beforeEach(async () => {
    await setUp({ limits: { minSeconds: 1 }, tuning: { revealPauseMs: 50, counterIntervalMs: 50 } });
  });

  it('reveals when the time is up and moves on by itself after the pause, then sums up', async () => {
    await startQuiz({ rounds: 2, seconds: 1 });
    await waitForRoundMessage(world.fake, 1);
    const sessionId = running.engine.session(world.fake.channelId)?.sessionId ?? '';
    // Nobody answers: a one-second question would make any click a race with the clock.
    const reveal1 = await waitForReveal(world.fake, 1);
    expect(reveal1.embeds[0]?.description).toContain('nobody answered');
    expect((await running.engine.roundReveal(sessionId, 1)).closedBy).toBe('timer');
    await waitForRoundMessage(world.fake, 2);
    await waitForReveal(world.fake, 2);
    const summary = await waitForSummary(world.fake);
    expect(summary.embeds[0]?.description).toContain('2 questions revealed · 0 participants');
    expect(running.engine.session(world.fake.channelId)).toBeNull();
    expect(world.fake.schemaViolations()).toEqual([]);
  });
});

describe('quiz host controls', () => {
  beforeEach(async () => {
    await setUp({ tuning: { revealPauseMs: null } }, { DISCORD_HOST_ROLE: 'Quiz Host' });
  });

  it('runs one quiz per channel: a second /quiz start is refused privately', async () => {
    await startQuiz({ rounds: 2 });
    const reply = await startQuiz({ rounds: 3 }, member);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('A quiz is already running here');
  });

  it('explains settings outside the limits without starting anything', async () => {
    const reply = await startQuiz({ category: 'Dermatology' });
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('There is no category "Dermatology"');
    const models = await startQuiz({ models: 'gpt-17' });
    expect(models.content).toContain('Unknown model gpt-17');
    expect(running.engine.session(world.fake.channelId)).toBeNull();
  });

  it('lets members with the host role and members who manage the server use the controls', async () => {
    await startQuiz({ rounds: 3 });
    const round1 = await waitForRoundMessage(world.fake, 1);
    const roleHost = world.fake.addUser({ username: 'ana', roles: ['Quiz Host'] });
    press(world.fake, roleHost, round1, 'Reveal');
    const reveal = await waitForReveal(world.fake, 1);
    const admin = world.fake.addUser({ username: 'admin', permissions: PermissionFlagsBits.ManageGuild });
    press(world.fake, admin, reveal, 'Next question');
    await waitForRoundMessage(world.fake, 2);
  });

  it('refuses /quiz stop to a member who is not a host, and lets the starter stop', async () => {
    await startQuiz({ rounds: 3 });
    await waitForRoundMessage(world.fake, 1);
    const refused = world.fake.dispatchSlashCommand(member, { name: 'quiz', subcommand: 'stop' });
    const reply = await world.fake.waitForReply(refused.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('only the person who started this quiz');
    const stopped = world.fake.dispatchSlashCommand(host, { name: 'quiz', subcommand: 'stop' });
    await world.fake.waitForReply(stopped.id);
    const summary = await waitForSummary(world.fake);
    expect(summary.embeds[0]?.description).toContain('The host stopped the quiz');
    // Nobody had answered, so the question is dropped without giving its answers away.
    expect(channelPosts(world.fake).some((m) => m.embeds.some((e) => e.title?.startsWith('Answers')))).toBe(
      false,
    );
    const round1 = await waitForRoundMessage(world.fake, 1);
    expect(world.fake.message(round1.id).content).toContain('The quiz was stopped');
    expect(
      buttonsOf(world.fake.message(round1.id))
        .filter((b) => !b.disabled)
        .map((b) => b.label),
    ).toEqual(['Full size']);
  });

  it('reveals an answered question when the host presses Stop, then sums up', async () => {
    await startQuiz({ rounds: 3 });
    const round1 = await waitForRoundMessage(world.fake, 1);
    await world.fake.waitForReply(press(world.fake, member, round1, 'Image 1 → A').id);
    press(world.fake, host, round1, 'Stop');
    await waitForReveal(world.fake, 1);
    const summary = await waitForSummary(world.fake);
    expect(summary.embeds[0]?.description).toContain('1 question revealed · 1 participant');
  });

  it('skips a question without revealing it and opens the next', async () => {
    await startQuiz({ rounds: 2 });
    const round1 = await waitForRoundMessage(world.fake, 1);
    await world.fake.waitForReply(press(world.fake, member, round1, 'Image 1 → A').id);
    press(world.fake, host, round1, 'Skip');
    const round2 = await waitForRoundMessage(world.fake, 2);
    expect(round2.content).toContain('**Question 1 of 2**');
    const skipped = world.fake.message(round1.id);
    expect(skipped.content).toContain('skipped this question');
    expect(channelPosts(world.fake).some((m) => m.embeds.some((e) => e.title?.startsWith('Answers')))).toBe(
      false,
    );
  });

  it('cancels the quiz and tells the host when the question cannot be posted', async () => {
    // Discord keeps failing the post, retries included.
    world.fake.injectFault({
      route: '/channels/{channel_id}/messages',
      method: 'POST',
      status: 503,
      times: 10,
    });
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: 2 },
    });
    const note = await world.fake.waitForFollowUp(sent.id);
    expect(note.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(note.content).toContain(
      'I could not post the question in this channel, so the quiz was cancelled',
    );
    expect(running.engine.session(world.fake.channelId)).toBeNull();
    const [session] = await storedSessions(world);
    expect(session?.status).toBe('ended');
    // Logged as an outage, with the upload reduced to its name and size.
    const logged = world.logs.lines.find((line) => line.includes('could not post the first quiz question'));
    expect(logged).toContain('"name":"round-1.jpg"');
    expect(logged?.length).toBeLessThan(20_000);
  });

  it('says so when Reveal is pressed twice', async () => {
    await startQuiz({ rounds: 2 });
    const round1 = await waitForRoundMessage(world.fake, 1);
    const first = press(world.fake, host, round1, 'Reveal');
    await waitForReveal(world.fake, 1);
    await world.fake.waitForCallback(first.id);
    const second = world.fake.dispatchButton(host, buttonId(round1, 'Reveal'), round1);
    const note = await world.fake.waitForFollowUp(second.id);
    expect(note.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(note.content).toContain('already been revealed');
    expect(channelPosts(world.fake).filter((m) => m.embeds[0]?.title?.startsWith('Answers'))).toHaveLength(1);
  });
});

describe('clicks the quiz cannot accept', () => {
  let sessionId: string;
  beforeEach(async () => {
    await setUp({ tuning: { revealPauseMs: null } });
    await startQuiz({ rounds: 2 });
    await waitForRoundMessage(world.fake, 1);
    sessionId = running.engine.session(world.fake.channelId)?.sessionId ?? '';
  });

  it.each([
    ['an image that does not exist', (s: string) => `quiz-answer:${s}:1:3:A`],
    ['an option that does not exist', (s: string) => `quiz-answer:${s}:1:1:C`],
    ['a round that is not a number', (s: string) => `quiz-answer:${s}:one:1:A`],
    ['a host action that does not exist', (s: string) => `quiz-host:${s}:1:win`],
    ['a missing argument', (s: string) => `quiz-answer:${s}:1:1`],
  ])('declines a forged custom id with %s and stores nothing', async (_what, make) => {
    const sent = world.fake.dispatchButton(member, make(sessionId));
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toBe(UNKNOWN_COMPONENT);
    expect(await storedAnswers(world)).toEqual([]);
  });

  it('treats an answer for another session as over, and stores nothing', async () => {
    const sent = world.fake.dispatchButton(member, 'quiz-answer:0f1e2d3c-0000-4000-8000-000000000000:1:1:A');
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('That question is over');
    expect(await storedAnswers(world)).toEqual([]);
  });

  it('treats a host button of another session as over', async () => {
    const sent = world.fake.dispatchButton(host, 'quiz-host:0f1e2d3c-0000-4000-8000-000000000000:1:stop');
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('That quiz is over');
    expect(running.engine.session(world.fake.channelId)?.sessionId).toBe(sessionId);
  });

  it('treats a round number from the future as over', async () => {
    const sent = world.fake.dispatchButton(member, `quiz-answer:${sessionId}:2:1:A`);
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('That question is over');
    expect(await storedAnswers(world)).toEqual([]);
  });

  it('refuses the host buttons privately to members, changing nothing', async () => {
    const round1 = await waitForRoundMessage(world.fake, 1);
    for (const label of ['Reveal', 'Next', 'Skip', 'Stop']) {
      const sent = press(world.fake, member, round1, label);
      const reply = await world.fake.waitForReply(sent.id);
      expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
      expect(reply.content).toContain('Sorry, only the person who started this quiz');
    }
    expect(running.engine.session(world.fake.channelId)?.round?.round).toBe(1);
    expect(running.engine.session(world.fake.channelId)?.round?.state).toBe('open');
  });

  it('answers a click in a channel without a quiz politely', async () => {
    const stop = world.fake.dispatchSlashCommand(host, { name: 'quiz', subcommand: 'stop' });
    await world.fake.waitForReply(stop.id);
    await waitForSummary(world.fake);
    const round1 = await waitForRoundMessage(world.fake, 1);
    const sent = world.fake.dispatchButton(member, buttonId(round1, 'Image 1 → B'), round1);
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.content).toContain('There is no quiz running here');
    const full = press(world.fake, member, round1, 'Full size');
    expect((await world.fake.waitForReply(full.id)).content).toContain('That question is over');
  });

  it('lets people change their answers until the reveal when the host allows it', async () => {
    const stop = world.fake.dispatchSlashCommand(host, { name: 'quiz', subcommand: 'stop' });
    await world.fake.waitForReply(stop.id);
    await waitForSummary(world.fake);
    await startQuiz({ rounds: 1, allow_changes: true });
    const round = await waitForPost(
      world.fake,
      (m) =>
        m.attachments.some((a) => a.filename === 'round-1.jpg') &&
        buttonsOf(m).some((b) => !b.disabled && b.label === 'Reveal'),
      'the new round message',
    );
    const replies = [];
    for (const label of ['Image 1 → A', 'Image 2 → A', 'Image 1 → B']) {
      replies.push(await world.fake.waitForReply(press(world.fake, member, round, label).id));
    }
    expect(replies[1]?.content).toContain('You can still change it until the reveal');
    expect(replies[2]?.content).toContain('image 1: **B**');
    expect(replies[2]?.content).toContain('image 2: **A**');
  });
});

describe('answer confirmations that wait for the store', () => {
  beforeEach(async () => {
    // A budget of 0 ms defers every click, as a store slower than the fast-reply budget would.
    await setUp({ tuning: { revealPauseMs: null, fastReplyMs: 0 } });
  });

  it('defers the click privately, then fills in the confirmation through the interaction webhook', async () => {
    await startQuiz({ rounds: 1 });
    const round1 = await waitForRoundMessage(world.fake, 1);
    const sent = press(world.fake, member, round1, 'Image 2 → B');
    const callback = await world.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(callback.ephemeral).toBe(true);
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('image 2: **B**');
    expect(reply.content).toContain('Now answer image 1');
    expect(await storedAnswers(world)).toHaveLength(1);
    expect(world.fake.schemaViolations()).toEqual([]);
  });
});
