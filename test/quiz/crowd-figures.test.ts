import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfusingPair, Option } from '../../src/dataset/model.js';
import {
  baselineMember,
  type CrowdMember,
  closedRoundMember,
  crowdFigures,
} from '../../src/quiz/crowd-figures.js';
import { loadSet } from '../quiz/harness.js';

/**
 * The one definition of a round's crowd figures, used by the quiz reveal (Discord and the web) and the
 * private baseline's reveal.
 */

let pair: ConfusingPair;
/** Right and wrong answers for image 1 and image 2 (a confusing pair's images need different options). */
let right: [Option, Option];
let wrong: [Option, Option];

beforeAll(async () => {
  pair = (await loadSet()).pairs[0] as ConfusingPair;
  right = [pair.images[0].correct, pair.images[1].correct];
  wrong = [right[1], right[0]];
});

const other = (o: Option): Option => (o === 'A' ? 'B' : 'A');

describe("a round's crowd figures", () => {
  it('count, for an image, the members who answered that image, and nobody else', () => {
    const figures = crowdFigures(pair, [
      closedRoundMember([right[0], right[1]]),
      closedRoundMember([other(right[0]), null]),
      closedRoundMember([null, right[1]]),
    ]);
    expect(figures.images[0]).toEqual({
      answered: 2,
      picks: { [right[0]]: 1, [other(right[0])]: 1 },
      right: 1,
      rightShare: 50,
    });
    expect(figures.images[1].answered).toBe(2);
    expect(figures.images[1].right).toBe(2);
    expect(figures.images[1].rightShare).toBe(100);
  });

  it('count, for the pair, every member, an unanswered image counting as wrong', () => {
    const figures = crowdFigures(pair, [
      closedRoundMember([right[0], right[1]]),
      closedRoundMember([right[0], null]),
      closedRoundMember([null, right[1]]),
      closedRoundMember([wrong[0], wrong[1]]),
    ]);
    expect(figures.pair.participants).toBe(4);
    expect(figures.pair.setCorrect).toBe(1);
    expect(figures.pair.setAccuracy).toBe(25);
  });

  it('count confusion among the members who answered both images only', () => {
    const same = pair.images[0].correct;
    const figures = crowdFigures(pair, [
      closedRoundMember([same, same]),
      closedRoundMember([right[0], right[1]]),
      closedRoundMember([same, null]),
    ]);
    expect(figures.pair.completed).toBe(2);
    expect(figures.pair.confused).toBe(1);
    expect(figures.pair.confusion).toBe(50);
  });

  it('leave out whoever can still answer: a baseline participant half-way through the pair', () => {
    const members: CrowdMember[] = [
      baselineMember([right[0], right[1]]),
      baselineMember([wrong[0], null]),
      baselineMember([null, wrong[1]]),
    ];
    const figures = crowdFigures(pair, members);
    expect(figures.pair.participants).toBe(1);
    expect(figures.pair.setAccuracy).toBe(100);
    expect(figures.images[0]).toMatchObject({ answered: 1, right: 1, rightShare: 100 });
    expect(figures.images[1]).toMatchObject({ answered: 1, right: 1, rightShare: 100 });
  });

  it('count a quiz player who answered one image once the round has closed', () => {
    const figures = crowdFigures(pair, [closedRoundMember([wrong[0], null])]);
    expect(figures.pair.participants).toBe(1);
    expect(figures.pair.setAccuracy).toBe(0);
    expect(figures.images[0]).toMatchObject({ answered: 1, right: 0, rightShare: 0 });
  });

  it('give null, not 0 or NaN, for every share whose denominator is empty', () => {
    const empty = crowdFigures(pair, []);
    expect(empty.pair).toEqual({
      participants: 0,
      completed: 0,
      setCorrect: 0,
      setAccuracy: null,
      confused: 0,
      confusion: null,
    });
    expect(empty.images[0].rightShare).toBeNull();
    expect(empty.images[1]).toEqual({ answered: 0, picks: { A: 0, B: 0 }, right: 0, rightShare: null });
    // Only one image answered: a share for that image, none for the other nor for confusion.
    const half = crowdFigures(pair, [closedRoundMember([right[0], null])]);
    expect(half.images[1].rightShare).toBeNull();
    expect(half.pair.confusion).toBeNull();
  });

  it('ignore a member who answered nothing', () => {
    const figures = crowdFigures(pair, [closedRoundMember([null, null]), closedRoundMember(right)]);
    expect(figures.pair.participants).toBe(1);
  });
});
