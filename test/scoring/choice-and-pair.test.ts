import { describe, expect, it } from 'vitest';
import { chooseOption, DEFAULT_THRESHOLD, scorePair } from '../../src/scoring/index.js';
import { makePair } from './helpers.js';

describe('the official choice rule', () => {
  it('uses the official threshold of 3 by default', () => {
    expect(DEFAULT_THRESHOLD).toBe(3);
  });

  it('chooses an option that leads by at least the threshold, and nothing otherwise', () => {
    expect(chooseOption({ A: 8, B: 5 })).toBe('A');
    expect(chooseOption({ A: 2, B: 9 })).toBe('B');
    expect(chooseOption({ A: 7, B: 5 })).toBeNull();
    expect(chooseOption({ A: 6, B: 6 })).toBeNull();
    expect(chooseOption({ A: 0, B: 0 })).toBeNull();
  });

  it('treats a difference of 2 as invalid at threshold 3 but valid at threshold 2', () => {
    expect(chooseOption({ A: 7, B: 5 }, 3)).toBeNull();
    expect(chooseOption({ A: 7, B: 5 }, 2)).toBe('A');
    expect(chooseOption({ A: 4, B: 6 }, 2)).toBe('B');
  });

  it('turns the parser scores 10/0 into a choice at any threshold up to 10', () => {
    expect(chooseOption({ A: 10, B: 0 }, 10)).toBe('A');
    expect(chooseOption({ A: 10, B: 0 }, 11)).toBeNull();
  });
});

describe('scoring a pair', () => {
  const pair = makePair('p1', [['Cerebral'], ['Spinal']], ['A', 'B']);

  it('is set-correct only when both images get their own answers', () => {
    expect(scorePair(pair, ['A', 'B'])).toEqual({
      chosen: ['A', 'B'],
      correct: [true, true],
      invalid: [false, false],
      confused: false,
      setCorrect: true,
    });
  });

  it('calls a pair confused when both images get the same valid letter', () => {
    const score = scorePair(pair, ['B', 'B']);
    expect(score.confused).toBe(true);
    expect(score.correct).toEqual([false, true]);
    expect(score.setCorrect).toBe(false);
  });

  it('marks an image without a choice invalid, and never confused', () => {
    const score = scorePair(pair, [null, null]);
    expect(score.invalid).toEqual([true, true]);
    expect(score.confused).toBe(false);
    expect(score.correct).toEqual([false, false]);
  });

  it("scores a person's two clicks exactly like a model's two parsed replies", () => {
    const person = scorePair(pair, ['A', 'A']);
    const model = scorePair(pair, [chooseOption({ A: 10, B: 0 }), chooseOption({ A: 10, B: 0 })]);
    expect(person).toEqual(model);
    expect(person.confused).toBe(true);
  });
});
