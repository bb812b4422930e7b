import { describe, expect, it } from 'vitest';
import { holmAdjust, majorityOption, mcnemarExact, quantile, spread } from '../../src/baseline/statistics.js';

/** 2 · Σ_{i ≤ k} C(n, i) / 2ⁿ in exact integer arithmetic: the reference two-sided binomial tail. */
function exactTwoSided(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  let term = 1n;
  let sum = 1n;
  for (let i = 1; i <= k; i++) {
    term = (term * BigInt(n - i + 1)) / BigInt(i);
    sum += term;
  }
  // Scale before dividing so the quotient keeps 15 significant digits.
  const scale = 10n ** 30n;
  const ratio = Number((2n * sum * scale) / 2n ** BigInt(n)) / 1e30;
  return Math.min(1, ratio);
}

describe('exact McNemar test', () => {
  it('matches the exact binomial tail (b = 10, c = 2: 2 · 79 / 4096)', () => {
    const result = mcnemarExact(10, 2);
    expect(result).toMatchObject({ b: 10, c: 2 });
    expect(result.p).toBeCloseTo(158 / 4096, 14);
    expect(mcnemarExact(2, 10).p).toBeCloseTo(158 / 4096, 14);
  });

  it('matches exact integer binomial tails over many tables, small and large', () => {
    for (const [b, c] of [
      [0, 6],
      [1, 9],
      [7, 3],
      [15, 15],
      [30, 12],
      [100, 60],
      [250, 190],
    ] as const) {
      const reference = exactTwoSided(b, c);
      expect(mcnemarExact(b, c).p).toBeCloseTo(reference, 10);
    }
    expect(mcnemarExact(0, 0).p).toBe(1);
  });

  it('refuses counts that are not whole non-negative numbers', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
  });
});

describe('Holm correction', () => {
  it("steps down as R's p.adjust(method = 'holm') does", () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    for (const [i, v] of [0.03, 0.06, 0.06, 0.02].entries()) expect(adjusted[i]).toBeCloseTo(v, 12);
  });

  it('caps at 1 and leaves a single test alone', () => {
    expect(holmAdjust([0.4, 0.5])).toEqual([0.8, 0.8]);
    expect(holmAdjust([0.7, 0.9, 0.6])).toEqual([1, 1, 1]);
    expect(holmAdjust([0.02])).toEqual([0.02]);
    expect(holmAdjust([])).toEqual([]);
  });
});

describe('spread over people', () => {
  it('gives mean, sample SD, median, quartiles and range', () => {
    const s = spread([50, 100, 0, 25]);
    expect(s).toMatchObject({ n: 4, mean: 43.75, median: 37.5, min: 0, max: 100, q1: 18.75, q3: 62.5 });
    // Sample SD: sqrt(((−43.75)² + (−18.75)² + 6.25² + 56.25²) / 3)
    expect(s?.sd).toBeCloseTo(Math.sqrt((43.75 ** 2 + 18.75 ** 2 + 6.25 ** 2 + 56.25 ** 2) / 3), 12);
  });

  it('has no SD for one person and nothing for nobody', () => {
    expect(spread([80])).toMatchObject({ n: 1, mean: 80, sd: null, median: 80 });
    expect(spread([])).toBeNull();
  });
});

describe('quantile and majority answer', () => {
  it('takes quantiles by linear interpolation', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });

  it('is the option most people picked, and no answer on a tie', () => {
    expect(majorityOption({ A: 3, B: 1 })).toBe('A');
    expect(majorityOption({ A: 0, B: 2 })).toBe('B');
    expect(majorityOption({ A: 2, B: 2 })).toBeNull();
    expect(majorityOption({ A: 0, B: 0 })).toBeNull();
  });
});
