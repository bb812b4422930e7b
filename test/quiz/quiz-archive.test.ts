import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QuizArchive } from '../../src/quiz/quiz-archive.js';
import { current } from '../support/quiz-round.js';
import { answerBoth, type Harness, member, openHarness } from './harness.js';

/**
 * The quiz's stored answers as the layers above read them (the baseline, exports) and forget-me for the
 * quiz, without knowing how the engine keys its records.
 */

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

describe('the quiz archive', () => {
  it("gives a round's answers, one per person and image, and nothing of other rounds", async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host', rounds: 2 });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    await answerBoth(h.engine, 'room', 'bob', round.pair);
    const next = await h.engine.next('room', member('host'), current(h.engine, 'room'));
    if (next.round === null) throw new Error('no second round');
    await answerBoth(h.engine, 'room', 'ann', next.round.pair);

    const archive = new QuizArchive(h.store);
    const first = await archive.answersOfRound(round.sessionId, round.round);
    expect(first.map((a) => `${a.userId}:${a.slot}`).sort()).toEqual(['ann:0', 'ann:1', 'bob:0', 'bob:1']);
    expect(await archive.answersOfRound(round.sessionId, next.round.round)).toHaveLength(2);
  });

  it("gives a person's answers in the sessions of one set only", async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    await answerBoth(h.engine, 'room', 'bob', round.pair);
    const archive = new QuizArchive(h.store);
    const anns = await archive.answersOfPersonInSet('ann', h.set.name);
    expect(anns.map((a) => [a.userId, a.pairId, a.slot])).toEqual([
      ['ann', round.pair.id, 0],
      ['ann', round.pair.id, 1],
    ]);
    expect(await archive.answersOfPersonInSet('ann', 'another-set')).toEqual([]);
  });

  it('lists every answer with its set and round state, for exports', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    const rows = [];
    for await (const row of new QuizArchive(h.store).everyAnswer()) rows.push(row);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.session).toEqual({ setName: h.set.name, roundState: 'revealed' });
  });

  it('forgets a person everywhere: open rounds in memory, stored clicks, and their id on sessions they hosted', async () => {
    const ended = await h.engine.start({ roomId: 'old-room', hostUserId: 'ann' });
    await answerBoth(h.engine, 'old-room', 'ann', ended.round.pair);
    await h.engine.stop('old-room', member('ann'), { sessionId: ended.round.sessionId });
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    await answerBoth(h.engine, 'room', 'bob', round.pair);

    const archive = new QuizArchive(h.store);
    const report = await archive.forget('ann', 'forgotten', h.engine);
    expect(report).toEqual({
      answers: 4,
      openRounds: 1,
      hostedSessionsScrubbed: 1,
      hostedSessionsRunning: 0,
    });
    expect(await archive.answersOfPersonInSet('ann', h.set.name)).toEqual([]);
    // Nothing is left to find: no click, and no session names her as its host any more.
    expect(await archive.forget('ann', 'forgotten')).toEqual({
      answers: 0,
      openRounds: 0,
      hostedSessionsScrubbed: 0,
      hostedSessionsRunning: 0,
    });
    // Bob's answers stay, and the open round's reveal counts only him.
    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.persons.map((p) => p.userId)).toEqual(['bob']);
  });

  it('leaves a running session another process hosts alone, and counts it', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'ann' });
    await answerBoth(h.engine, 'room', 'ann', round.pair);
    // No engine of this process runs the session (as when another process runs it).
    const report = await new QuizArchive(h.store).forget('ann', 'forgotten');
    expect(report).toEqual({
      answers: 2,
      openRounds: 0,
      hostedSessionsScrubbed: 0,
      hostedSessionsRunning: 1,
    });
  });
});
