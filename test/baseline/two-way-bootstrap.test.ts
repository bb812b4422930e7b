import { describe, expect, it } from 'vitest';
import {
  drawResample,
  identityResample,
  percentileInterval,
  type RatioTerm,
  twoWayReplicates,
  weightedRatio,
} from '../../src/baseline/two-way-bootstrap.js';

/**
 * A tiny crossed design worked by hand: participant 0 gets both pairs right, participant 1 gets pair 0
 * right and pair 1 wrong (3 of 4 right). Participants drawn (2,0), (1,1), (0,2) with chances ¼, ½, ¼, and
 * pairs likewise, independently, give the share of right answers:
 *   (2,0) people: 1 whatever the pairs                                      → 1 with chance 4/16
 *   (0,2) people: pairs (2,0) 1, (1,1) ½, (0,2) 0                            → 1, ½, 0 with 1/16, 2/16, 1/16
 *   (1,1) people: pair means 1 and ½; pairs (2,0) 1, (1,1) ¾, (0,2) ½       → 1, ¾, ½ with 2/16, 4/16, 2/16
 * so the bootstrap distribution is 1: 7/16, ¾: 4/16, ½: 4/16, 0: 1/16 (mean ¾, the observed share).
 */
const tiny: RatioTerm[] = [
  { participant: 0, pair: 0, num: 1, den: 1 },
  { participant: 0, pair: 1, num: 1, den: 1 },
  { participant: 1, pair: 0, num: 1, den: 1 },
  { participant: 1, pair: 1, num: 0, den: 1 },
];

/** A random source that replays fixed draws. */
function scripted(draws: number[]): () => number {
  let i = 0;
  return () => {
    const v = draws[i++];
    if (v === undefined) throw new Error('ran out of scripted draws');
    return v;
  };
}

describe('two-way bootstrap', () => {
  it('draws participants first, then pairs, as multiplicities', () => {
    const r = drawResample(2, 3, scripted([0.7, 0.9, 0.1, 0.1, 0.5]));
    expect([...r.participants]).toEqual([0, 2]);
    expect([...r.pairs]).toEqual([2, 1, 0]);
  });

  it('weighs each answer by its participant’s and its pair’s multiplicities (hand-checked cases)', () => {
    expect(weightedRatio(tiny, identityResample(2, 2))).toBe(0.75);
    const both = (p: number[], q: number[]) =>
      weightedRatio(tiny, { participants: Float64Array.from(p), pairs: Float64Array.from(q) });
    expect(both([0, 2], [1, 1])).toBe(0.5);
    expect(both([1, 1], [1, 1])).toBe(0.75);
    expect(both([1, 1], [0, 2])).toBe(0.5);
    expect(both([0, 2], [0, 2])).toBe(0);
    expect(both([2, 0], [0, 2])).toBe(1);
  });

  it('reproduces the hand-computed bootstrap distribution of the tiny design', () => {
    const [shares] = twoWayReplicates({ participants: 2, pairs: 2 }, { seed: 3, resamples: 40_000 }, (r) => [
      weightedRatio(tiny, r),
    ]);
    const share = (v: number) => (shares ?? []).filter((s) => s === v).length / 40_000;
    expect(share(1)).toBeCloseTo(7 / 16, 2);
    expect(share(0.75)).toBeCloseTo(4 / 16, 2);
    expect(share(0.5)).toBeCloseTo(4 / 16, 2);
    expect(share(0)).toBeCloseTo(1 / 16, 2);
    expect(percentileInterval(shares ?? [])).toEqual({ low: 0, high: 1 });
  });

  it('is the same for the same seed', () => {
    const run = (seed: number) =>
      twoWayReplicates({ participants: 2, pairs: 2 }, { seed, resamples: 50 }, (r) => [
        weightedRatio(tiny, r),
      ]);
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('is wider than a bootstrap over pairs alone when people differ', () => {
    // 6 people answer the same 30 pairs; three are right on 90% of pairs, three on 40%.
    const terms: RatioTerm[] = [];
    for (let p = 0; p < 6; p++) {
      for (let q = 0; q < 30; q++) {
        const right = p < 3 ? q % 10 !== 0 : q % 5 < 2;
        terms.push({ participant: p, pair: q, num: right ? 1 : 0, den: 1 });
      }
    }
    const options = { seed: 1, resamples: 2000 };
    const [twoWay] = twoWayReplicates({ participants: 6, pairs: 30 }, options, (r) => [
      weightedRatio(terms, r),
    ]);
    const [pairsOnly] = twoWayReplicates({ participants: 6, pairs: 30 }, options, (r) => [
      weightedRatio(terms, { participants: new Float64Array(6).fill(1), pairs: r.pairs }),
    ]);
    const width = (v: number[] | undefined) => {
      const i = percentileInterval(v ?? []);
      return i === null ? 0 : i.high - i.low;
    };
    expect(width(twoWay)).toBeGreaterThan(1.5 * width(pairsOnly));
  });
});

describe('percentile interval', () => {
  it('has zero width only when every replicate agrees', () => {
    expect(percentileInterval([1, 1, 1, 1])).toEqual({ low: 1, high: 1 });
    // 98 of 100 replicates at 1: the 2.5% and 97.5% points meet, so the range is given instead.
    const mostly = [...new Array<number>(98).fill(1), 0.8, 0.9];
    expect(percentileInterval(mostly)).toEqual({ low: 0.8, high: 1 });
  });

  it('leaves out undefined replicates, and is null when none is defined', () => {
    expect(percentileInterval([Number.NaN, 0.5, 0.5])).toEqual({ low: 0.5, high: 0.5 });
    expect(percentileInterval([Number.NaN])).toBeNull();
  });
});
