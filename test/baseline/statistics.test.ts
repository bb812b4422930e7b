import { describe, expect, it } from 'vitest';
import {
  bootstrapShare,
  majorityOption,
  mcnemarExact,
  type PairCluster,
  quantile,
} from '../../src/baseline/statistics.js';

/** 40 pairs answered by 3 to 5 people each, 60% right overall, some pairs much harder than others. */
const clusters: PairCluster[] = Array.from({ length: 40 }, (_, i) => {
  const weight = 3 + (i % 3);
  return { weight, correct: Math.min(weight, Math.round((weight * ((i * 37) % 100)) / 100 + 0.4)) };
});
const estimate = clusters.reduce((s, c) => s + c.correct, 0) / clusters.reduce((s, c) => s + c.weight, 0);

describe('bootstrap over pairs', () => {
  it('gives the same interval for the same seed, and another for another seed', () => {
    const a = bootstrapShare(clusters, { seed: 7, resamples: 2000 });
    const b = bootstrapShare(clusters, { seed: 7, resamples: 2000 });
    const c = bootstrapShare(clusters, { seed: 8, resamples: 2000 });
    expect(a).toEqual(b);
    expect(c.low === a.low && c.high === a.high).toBe(false);
  });

  it('brackets the point estimate, which is the weighted share', () => {
    for (const seed of [1, 2, 3]) {
      const r = bootstrapShare(clusters, { seed, resamples: 2000 });
      expect(r.estimate).toBeCloseTo(estimate, 12);
      expect(r.low).toBeLessThan(r.estimate);
      expect(r.high).toBeGreaterThan(r.estimate);
      // Roughly the normal approximation's width for 40 clusters.
      expect(r.high - r.low).toBeGreaterThan(0.05);
      expect(r.high - r.low).toBeLessThan(0.5);
    }
  });

  it('narrows with more pairs', () => {
    const many = [...clusters, ...clusters, ...clusters, ...clusters];
    const narrow = bootstrapShare(many, { seed: 1, resamples: 2000 });
    const wide = bootstrapShare(clusters, { seed: 1, resamples: 2000 });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
  });

  it('collapses to the estimate when every pair has the same share', () => {
    const r = bootstrapShare(
      Array.from({ length: 10 }, () => ({ weight: 2, correct: 1 })),
      { seed: 1, resamples: 500 },
    );
    expect(r).toEqual({ estimate: 0.5, low: 0.5, high: 0.5 });
  });

  it('refuses to resample nothing', () => {
    expect(() => bootstrapShare([], { seed: 1, resamples: 10 })).toThrow(RangeError);
  });

  it('takes quantiles by linear interpolation', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });
});

describe('exact McNemar test', () => {
  it('matches the binomial tail on a known table (b = 10, c = 2)', () => {
    // 2 * P(X <= 2), X ~ Binomial(12, 1/2) = 2 * (1 + 12 + 66) / 4096 (R: binom.test(2, 12)$p.value).
    const result = mcnemarExact(10, 2);
    expect(result).toMatchObject({ b: 10, c: 2 });
    expect(result.p).toBeCloseTo(158 / 4096, 14);
    expect(mcnemarExact(2, 10).p).toBeCloseTo(158 / 4096, 14);
  });

  it('gives 1 for a balanced or empty table, and stays accurate for large counts', () => {
    expect(mcnemarExact(0, 0).p).toBe(1);
    expect(mcnemarExact(5, 5).p).toBe(1);
    expect(mcnemarExact(0, 6).p).toBeCloseTo(2 / 64, 15);
    // b = 100, c = 60: 2 * sum(C(160, i), i <= 60) / 2^160 in exact integer arithmetic = 0.0019537280340643...
    expect(mcnemarExact(100, 60).p).toBeCloseTo(0.001953728034064342, 12);
  });

  it('refuses counts that are not whole non-negative numbers', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
  });
});

describe('majority answer', () => {
  it('is the option most people picked, and no answer on a tie', () => {
    expect(majorityOption({ A: 3, B: 1 })).toBe('A');
    expect(majorityOption({ A: 0, B: 2 })).toBe('B');
    expect(majorityOption({ A: 2, B: 2 })).toBeNull();
    expect(majorityOption({ A: 0, B: 0 })).toBeNull();
  });
});
