import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAnswerHistory } from '../../src/baseline/history.js';
import { Pseudonymizer } from '../../src/baseline/pseudonym.js';
import type { BaselineService } from '../../src/baseline/service.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { indexPairs } from '../../src/quiz/pairs.js';
import { seededRandom } from '../../src/random.js';
import {
  type BaselineHarness,
  openBaseline,
  pairsSharingAnImage,
  playQuiz,
  quizEngineFor,
  SECRET,
  subset,
} from './harness.js';

let h: BaselineHarness;
beforeEach(async () => {
  h = await openBaseline();
});
afterEach(async () => {
  await h.close();
});

const USER = '700000000000000001';

async function answerNext(service: BaselineService, user: string): Promise<string> {
  const next = await service.nextPair(user);
  if (!next.ok || next.question === null) throw new Error('expected a pair');
  h.clock.advance(5_000);
  for (const slot of [0, 1] as const)
    await service.answer(user, { pairId: next.question.pairId, slot, option: 'A' });
  return next.question.pairId;
}

async function historyRows() {
  return (await readAnswerHistory(h.store, h.set, indexPairs(h.set), new Pseudonymizer(SECRET))).rows;
}

describe('images seen before', () => {
  it('flags the image a pair shares with a pair answered earlier, and only that one', async () => {
    const { first, second, sharedSlotInSecond } = pairsSharingAnImage(h.set);
    // Sets that narrow what can be served, so the order is known.
    await h.service({ set: subset(h.set, [first]) }).acceptConsent(USER);
    expect(await answerNext(h.service({ set: subset(h.set, [first]) }), USER)).toBe(first.id);
    expect(await answerNext(h.service({ set: subset(h.set, [first, second]) }), USER)).toBe(second.id);

    const rows = await historyRows();
    const flags = (pair: ConfusingPair) =>
      rows.filter((r) => r.pairId === pair.id).map((r) => [r.slot, r.localId, r.seenBefore]);
    expect(flags(first)).toEqual([
      [0, first.images[0].localId, false],
      [1, first.images[1].localId, false],
    ]);
    expect(flags(second)).toEqual([
      [0, second.images[0].localId, sharedSlotInSecond === 0],
      [1, second.images[1].localId, sharedSlotInSecond === 1],
    ]);
    const reveal = await h.baseline.reveal(USER, second.id);
    if (!reveal.ok) throw new Error(reveal.message);
    expect(reveal.reveal.images[sharedSlotInSecond].seenBefore).toBe(true);
    expect(reveal.reveal.images[sharedSlotInSecond === 0 ? 1 : 0].seenBefore).toBe(false);
  });

  it('serves pairs whose images are unseen before pairs with a seen image', async () => {
    const { first, second, unrelated } = pairsSharingAnImage(h.set);
    // Several people and random draws, so that a coin flip could not pass this.
    for (let seed = 1; seed <= 6; seed++) {
      const user = `70000000000000010${seed}`;
      await h.baseline.acceptConsent(user);
      await answerNext(h.service({ set: subset(h.set, [first]) }), user);
      const service = h.service({
        set: subset(h.set, [first, second, unrelated]),
        random: seededRandom(seed),
      });
      expect(await answerNext(service, user)).toBe(unrelated.id);
      expect(await answerNext(service, user)).toBe(second.id);
    }
  });

  it('counts quiz rounds: a pair answered in a quiz is never served, and its images count as seen', async () => {
    const { first, second, sharedSlotInSecond } = pairsSharingAnImage(h.set);
    const quiz = quizEngineFor(h, subset(h.set, [first]));
    await playQuiz(h, 'room-1', 1, { [USER]: true }, quiz);
    quiz.close();

    const service = h.service({ set: subset(h.set, [first, second]) });
    await service.acceptConsent(USER);
    const next = await service.nextPair(USER);
    if (!next.ok || next.question === null) throw new Error('expected a pair');
    expect(next.question.pairId).toBe(second.id);
    expect(next.progress.answeredInQuiz).toBe(1);
    await answerNext(service, USER);
    const rows = (await historyRows()).filter((r) => r.context === 'baseline');
    expect(rows.map((r) => r.seenBefore)).toEqual([sharedSlotInSecond === 0, sharedSlotInSecond === 1]);
    expect(await service.nextPair(USER)).toMatchObject({ ok: true, question: null });
  });

  it('works it out for quiz answers too: a quiz image seen earlier in the baseline is flagged', async () => {
    const { first, second, sharedSlotInSecond } = pairsSharingAnImage(h.set);
    const service = h.service({ set: subset(h.set, [first]) });
    await service.acceptConsent(USER);
    await answerNext(service, USER);
    h.clock.advance(60_000);
    const quiz = quizEngineFor(h, subset(h.set, [second]));
    await playQuiz(h, 'room-2', 1, { [USER]: false, '700000000000000002': true }, quiz);
    quiz.close();

    const quizRows = (await historyRows()).filter((r) => r.context === 'quiz');
    const pseudonym = service.pseudonymOf(USER);
    const mine = quizRows.filter((r) => r.participant === pseudonym).map((r) => r.seenBefore);
    expect(mine).toEqual([sharedSlotInSecond === 0, sharedSlotInSecond === 1]);
    // The other player never saw the first pair.
    expect(quizRows.filter((r) => r.participant !== pseudonym).map((r) => r.seenBefore)).toEqual([
      false,
      false,
    ]);
  });
});
