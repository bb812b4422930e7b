import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeMessage, FakeUser } from '../support/fake-discord/index.js';
import { type QuizWorld, startQuizWorld } from './harness.js';
import {
  buttonsOf,
  type ChildBot,
  channelPosts,
  optionFor,
  press,
  ShiftedClock,
  spawnQuizBot,
  storedAnswers,
  storedSessions,
  waitForPost,
  waitForReveal,
  waitForRoundMessage,
  waitForRoundRecord,
  waitForSummary,
} from './quiz-support.js';

/**
 * The bot process is killed (SIGKILL: no cleanup) in the middle of a question, and a new bot starts on the
 * same store file and the same Discord. Every answer acknowledged before the kill must count.
 */

const PEOPLE = 10;
const tuning = { revealPauseMs: null, counterIntervalMs: 50 };

let world: QuizWorld;
let child: ChildBot | null = null;
let host: FakeUser;
let people: FakeUser[];

beforeEach(async () => {
  world = await startQuizWorld();
  host = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
  people = Array.from({ length: PEOPLE }, (_, i) => world.fake.addUser({ username: `student${i}` }));
});
afterEach(async () => {
  if (child && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  await child?.exited;
  child = null;
  await world?.close();
});

/** Starts a quiz in a separate bot process, has everyone answer question 1, then kills the process. */
function answerThenKill(): Promise<{ round1: FakeMessage; deadline: number }> {
  return answerThenKillAfter('answers');
}

/** The same, killing the process once everyone has answered, or once the host has revealed question 1. */
async function answerThenKillAfter(
  moment: 'answers' | 'reveal',
): Promise<{ round1: FakeMessage; deadline: number }> {
  child = await spawnQuizBot(world, { tuning });
  const sent = world.fake.dispatchSlashCommand(host, {
    name: 'quiz',
    subcommand: 'start',
    options: { rounds: 2, seconds: 600 },
  });
  await world.fake.waitForReply(sent.id);
  const round1 = await waitForRoundMessage(world.fake, 1);
  const [session] = await storedSessions(world);
  const pair = world.pairSet.pairs.find((p) => p.id === session?.rounds[0]?.pairId);
  if (!session || !pair) throw new Error('the first bot stored no session');
  const clicks = people.flatMap((person, i) => [
    press(world.fake, person, round1, `Image 1 → ${optionFor(pair, 0, true)}`),
    press(world.fake, person, round1, `Image 2 → ${optionFor(pair, 1, i < 6)}`),
  ]);
  // Every click is acknowledged to its person before the kill.
  for (const click of clicks) await world.fake.waitForReply(click.id);
  await waitForRoundRecord(world, (r) => r.messageId === round1.id);
  if (moment === 'reveal') {
    press(world.fake, host, round1, 'Reveal');
    const reveal = await waitForReveal(world.fake, 1);
    // Killed once the bot has also noted the reveal message, not between posting and noting it.
    await waitForRoundRecord(world, (r) => r.revealMessageId === reveal.id);
  }
  child.child.kill('SIGKILL');
  expect((await child.exited).signal).toBe('SIGKILL');
  return { round1, deadline: session.rounds[0]?.deadline ?? 0 };
}

describe('a bot killed mid-question', () => {
  it('resumes the question on its message after a restart and reveals it at the deadline', async () => {
    const { round1, deadline } = await answerThenKill();
    const killedAt = world.fake.requests.length;
    const clock = new ShiftedClock();
    // Close to the deadline, so that the timer re-armed by the new bot fires in about four seconds.
    clock.offsetMs = deadline - Date.now() - 4_000;
    const running = await world.startBot({ tuning, clock });

    const note = await waitForPost(world.fake, (m) => m.content.includes('I restarted'), 'the restart note');
    expect(note.content).toContain('Question 1 is still open; answers given before the restart are kept');
    // The same round message goes on being edited; no second one is posted.
    await world.fake.waitForRequest(
      (r) => r.seq > killedAt && r.method === 'PATCH' && r.params.message_id === round1.id,
      'an edit of the original round message',
    );
    expect(
      channelPosts(world.fake).filter((m) => m.attachments.some((a) => a.filename === 'round-1.jpg')),
    ).toHaveLength(1);

    // The resumed question still takes answers, on the old message's buttons.
    const newcomer = world.fake.addUser({ username: 'newcomer' });
    const late = press(world.fake, newcomer, world.fake.message(round1.id), 'Image 1 → A');
    expect((await world.fake.waitForReply(late.id)).content).toContain('Now answer image 2');

    const reveal = await waitForReveal(world.fake, 1);
    const session = running.engine.session(world.fake.channelId);
    const result = await running.engine.roundReveal(session?.sessionId ?? '', 1);
    expect(result.closedBy).toBe('timer');
    expect(result.people.participants).toBe(PEOPLE + 1);
    expect(result.images[0].right).toBe(PEOPLE + (result.images[0].correct === 'A' ? 1 : 0));
    expect(result.people.setCorrect).toBe(6);
    expect(reveal.embeds[0]?.description).toContain(`${PEOPLE + 1} answered`);
    expect(buttonsOf(world.fake.message(round1.id)).find((b) => b.label === 'Image 1 → A')?.disabled).toBe(
      true,
    );
    expect(await storedAnswers(world)).toHaveLength(2 * PEOPLE + 1);
    expect(world.fake.schemaViolations()).toEqual([]);
  });

  it('closes a quiz left too long with its results kept, saying so in the channel', async () => {
    const { round1, deadline } = await answerThenKill();
    const clock = new ShiftedClock();
    // The question's time ran out more than 15 minutes ago (the engine's staleAfterMs).
    clock.offsetMs = deadline - Date.now() + 16 * 60_000;
    const running = await world.startBot({ tuning, clock });

    const reveal = await waitForReveal(world.fake, 1);
    expect(reveal.content).toContain('restarted while question 1 was running and its time ran out');
    expect(buttonsOf(reveal)).toEqual([]);
    const summary = await waitForSummary(world.fake);
    expect(summary.content).toContain('offline too long');
    expect(summary.embeds[0]?.description).toContain(`1 question revealed · ${PEOPLE} participants`);
    const closed = await world.fake.waitUntil(() => {
      const message = world.fake.message(round1.id);
      return buttonsOf(message).every((b) => b.disabled || b.label === 'Full size') ? message : undefined;
    }, 'the round message closed');
    expect(closed.content).toContain('closed while the bot was offline');
    expect(running.engine.session(world.fake.channelId)).toBeNull();
    const [session] = await storedSessions(world);
    expect(session?.status).toBe('ended');
    expect(session?.endReason).toBe('expired');
    expect(await storedAnswers(world)).toHaveLength(2 * PEOPLE);
  });

  it('picks up after a reveal: the old reveal keeps working and Next opens the next question', async () => {
    const { round1 } = await answerThenKillAfter('reveal');
    const running = await world.startBot({ tuning });
    const note = await waitForPost(world.fake, (m) => m.content.includes('I restarted'), 'the restart note');
    expect(note.content).toContain('The quiz goes on when the host presses Next question');
    const reveal = await waitForReveal(world.fake, 1);
    press(world.fake, host, world.fake.message(reveal.id), 'Next question');
    const round2 = await waitForRoundMessage(world.fake, 2);
    expect(round2.content).toContain('**Question 2 of 2**');
    // One reveal only: the restart did not post it again.
    expect(channelPosts(world.fake).filter((m) => m.embeds[0]?.title?.startsWith('Answers'))).toHaveLength(1);
    expect(buttonsOf(world.fake.message(round1.id)).find((b) => b.label === 'Reveal')?.disabled).toBe(true);
    expect(running.engine.session(world.fake.channelId)?.round?.round).toBe(2);
  });
});
