import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { forgetNoticeKey, forgetNoticeSchema } from '../../src/quiz/forget-notices.js';
import { QuizArchive } from '../../src/quiz/quiz-archive.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { current } from '../support/quiz-round.js';
import { answerBoth, type Harness, member, openHarness, optionFor } from './harness.js';

/**
 * Forget-me made by another process on the same store (an operator's `mediconfusion forget` while the bot
 * runs, or /forget-me on another shard): the engine here still holds the person's clicks of an open round
 * in memory. The deletion's notice makes it drop them before the reveal counts or names anyone, and
 * replace them as the host of a session it runs.
 */

let h: Harness;
/** Another process's connection to the same SQLite file. */
let elsewhere: Store;
let archive: QuizArchive;

beforeEach(async () => {
  h = await openHarness();
  elsewhere = await openStore(h.storeUrl, { log: createLogger({ level: 'silent' }) });
  archive = new QuizArchive(elsewhere, { clock: h.clock });
});
afterEach(async () => {
  await elsewhere.close();
  await h.close();
});

describe('a person forgotten by another process', () => {
  it('leaves the open round before its reveal: not counted, not named', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    await answerBoth(h.engine, 'room', 'bob', round.pair);

    // No engine of that process holds the round: only the store and the notice reach this one.
    const report = await archive.forget('ann', 'forgotten');
    expect(report).toMatchObject({ answers: 2, openRounds: 0 });

    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.persons.map((p) => p.userId)).toEqual(['bob']);
    expect(reveal.people.participants).toBe(1);
    expect(JSON.stringify(reveal)).not.toContain('ann');
  });

  it('keeps a click made after the deletion, which is a new answer', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host', allowChanges: true });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    await archive.forget('ann', 'forgotten');
    h.clock.advance(1_000);
    const option = optionFor(round.pair, 0, false);
    await h.engine.answer({ roomId: 'room', userId: 'ann', displayName: 'ann', slot: 0, option });

    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    const ann = reveal.persons.find((p) => p.userId === 'ann');
    expect(ann?.score.chosen).toEqual([option, null]);
    expect(await new QuizArchive(h.store).answersOfRound(round.sessionId, round.round)).toEqual([
      expect.objectContaining({ userId: 'ann', slot: 0, option }),
    ]);
  });

  it('is replaced as the host of a running session at its next reveal, and the id is not written back', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'ann', rounds: 2 });
    await answerBoth(h.engine, 'room', 'bob', round.pair);
    expect(await archive.forget('ann', 'forgotten')).toMatchObject({ hostedSessionsRunning: 1 });

    // The round's timer reveals it; the replaced host can no longer act.
    h.clock.advance(10 * 60_000);
    await h.engine.settled();
    await expect(h.engine.next('room', member('ann'), current(h.engine, 'room'))).rejects.toMatchObject({
      code: 'NOT_HOST',
    });
    await h.engine.next('room', member('forgotten'), current(h.engine, 'room'));
    await h.engine.stop('room', member('forgotten'), { sessionId: round.sessionId });
    // Nothing of hers is left to find.
    expect(await archive.forget('ann', 'forgotten')).toEqual({
      answers: 0,
      openRounds: 0,
      hostedSessionsScrubbed: 0,
      hostedSessionsRunning: 0,
    });
  });

  it('does not touch a session they start after the deletion', async () => {
    await archive.forget('ann', 'forgotten');
    h.clock.advance(1_000);
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'ann' });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    const { reveal } = await h.engine.reveal('room', member('ann'), current(h.engine, 'room'));
    expect(reveal.persons.map((p) => p.userId)).toEqual(['ann']);
  });

  it('leaves a notice holding no id, which expires after a day', async () => {
    await archive.forget('ann', 'forgotten');
    const stored = [];
    for await (const [key, notice] of elsewhere.collection('quiz.forgotten', forgetNoticeSchema).entries()) {
      stored.push({ key, notice });
    }
    expect(stored).toEqual([
      {
        key: forgetNoticeKey('ann'),
        notice: { at: h.clock.now(), expiresAt: h.clock.now() + 86_400_000, replacementHost: 'forgotten' },
      },
    ]);
    expect(JSON.stringify(stored)).not.toContain('ann');

    // A day later the next deletion sweeps it away, and a round no longer consults it.
    h.clock.advance(86_400_000);
    await archive.forget('bob', 'forgotten');
    const keys = [];
    for await (const [key] of elsewhere.collection('quiz.forgotten', forgetNoticeSchema).entries())
      keys.push(key);
    expect(keys).toEqual([forgetNoticeKey('bob')]);
  });
});
