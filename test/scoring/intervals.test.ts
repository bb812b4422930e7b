import { describe, expect, it } from 'vitest';
import { CHANCE, effectiveSampleSize, wilsonInterval, Z_95 } from '../../src/scoring/index.js';

describe('Wilson score interval', () => {
  it('matches published 95% values (Newcombe 1998: 81/263 and 0/10)', () => {
    const a = wilsonInterval(81, 263);
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    const b = wilsonInterval(0, 10);
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.2775, 4);
  });

  it('is symmetric around one half for 5 of 10', () => {
    const { low, high } = wilsonInterval(5, 10);
    expect(low).toBeCloseTo(0.236593090512564, 12);
    expect(high).toBeCloseTo(0.7634069094874361, 12);
  });

  it('stays within [0, 1] at the extremes', () => {
    expect(wilsonInterval(10, 10).high).toBeLessThanOrEqual(1);
    expect(wilsonInterval(1, 1).low).toBeCloseTo(0.20654931437723745, 12);
  });

  it('is the whole range when there are no trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('rejects more successes than trials', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
  });

  it('uses the 97.5th normal percentile by default', () => {
    expect(Z_95).toBeCloseTo(1.96, 2);
  });
});

describe('effective sample size', () => {
  it('is the count for equal weights and smaller when some weights are doubled', () => {
    expect(effectiveSampleSize([1, 1, 1, 1])).toBe(4);
    expect(effectiveSampleSize([2, 2, 2])).toBe(3);
    expect(effectiveSampleSize([2, 1])).toBeCloseTo(9 / 5, 12);
    expect(effectiveSampleSize([])).toBe(0);
  });
});

describe('chance baselines', () => {
  it('are 25% set accuracy, 50% individual accuracy and 50% confusion for random guessing', () => {
    expect(CHANCE).toEqual({ setAccuracy: 25, individualAccuracy: 50, confusion: 50 });
  });
});
