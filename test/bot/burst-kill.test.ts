import { InteractionResponseType } from 'discord.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { FakeUser } from '../support/fake-discord/index.js';
import { type QuizWorld, startQuizWorld } from './harness.js';
import {
  type ChildBot,
  optionFor,
  press,
  spawnQuizBot,
  storedAnswers,
  storedSessions,
  waitForRoundMessage,
} from './quiz-support.js';

/**
 * A burst of answer clicks, and the bot process killed with SIGKILL (no cleanup, no flush) while it is
 * still answering them. Answers are group-committed, so many clicks wait on one commit: none of them may
 * be confirmed to its person before that commit is durable. Every click whose confirmation reached
 * Discord before the kill must be in the store afterwards, with the option the person chose.
 */

const PEOPLE = 300;
/** Confirmations seen before the kill: enough for several commits to have happened. */
const KILL_AFTER = 20;

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

it('loses no confirmed answer when the bot is killed in the middle of a burst of clicks', async () => {
  child = await spawnQuizBot(world, { tuning: { revealPauseMs: null } });
  const { fake } = world;
  const start = fake.dispatchSlashCommand(host, {
    name: 'quiz',
    subcommand: 'start',
    options: { rounds: 1, seconds: 600 },
  });
  await fake.waitForReply(start.id);
  const round1 = await waitForRoundMessage(fake, 1);
  const [session] = await storedSessions(world);
  const pair = world.pairSet.pairs.find((p) => p.id === session?.rounds[0]?.pairId);
  if (!session || !pair) throw new Error('the bot stored no session');

  const clicks = new Map<string, { userId: string; slot: 0 | 1; option: string }>();
  for (const [i, person] of people.entries()) {
    for (const slot of [0, 1] as const) {
      const option = optionFor(pair, slot, i % 3 !== 0);
      const sent = press(fake, person, round1, `Image ${slot + 1} → ${option}`);
      clicks.set(sent.id, { userId: person.user.id, slot, option });
    }
  }

  // A click is confirmed once its person can read the bot's answer: the first response itself, or the
  // edit that fills in a deferred one. A bare deferral promises nothing and does not count.
  const confirmed = new Set<string>();
  const isConfirmed = (id: string): boolean => {
    const record = fake.interaction(id);
    const callback = record.callbacks[0];
    if (callback === undefined || record.originalMessageId === null) return false;
    const original = fake.world.messages.get(record.originalMessageId);
    if (original === undefined) return false;
    if (callback.type !== InteractionResponseType.ChannelMessageWithSource && original.editedAt === null)
      return false;
    if (!/^(Got it|🔒 Locked in)/.test(original.content)) {
      throw new Error(`click ${id} was answered with "${original.content}"`);
    }
    return true;
  };
  await new Promise<void>((resolve) => {
    const stop = fake.rest.onChange(() => {
      for (const id of clicks.keys()) if (!confirmed.has(id) && isConfirmed(id)) confirmed.add(id);
      if (confirmed.size < KILL_AFTER) return;
      child?.child.kill('SIGKILL');
      stop();
      resolve();
    });
  });
  expect((await child.exited).signal).toBe('SIGKILL');
  // Killed mid-burst: most clicks were never confirmed.
  expect(confirmed.size).toBeLessThan(clicks.size);

  const stored = new Map(
    (await storedAnswers(world)).map((answer) => [`${answer.userId}:${answer.slot}`, answer.option]),
  );
  const lost = [...confirmed].filter((id) => {
    const click = clicks.get(id);
    return click === undefined || stored.get(`${click.userId}:${click.slot}`) !== click.option;
  });
  expect(lost).toEqual([]);
  expect(stored.size).toBeGreaterThanOrEqual(confirmed.size);
  // A loaded machine takes long to start a child process and to push 600 interactions through it.
}, 180_000);
