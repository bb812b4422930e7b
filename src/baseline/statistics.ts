import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import mean from '@stdlib/stats-base-mean';
import medianSorted from '@stdlib/stats-base-mediansorted';
import stdev from '@stdlib/stats-base-stdev';
import type { Option } from '../dataset/model.js';
import { quantile } from './quantile.js';

export { quantile } from './quantile.js';
export {
  type BootstrapOptions,
  DEFAULT_BOOTSTRAP,
  INTERVAL_MINIMUM,
} from './two-way-bootstrap.js';

/** The two-sided normal quantile for a level, Φ⁻¹((1 + level) / 2). */
export function normalCritical(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be between 0 and 1, got ${level}`);
  return normalQuantile((1 + level) / 2, 0, 1);
}

export interface McNemarResult {
  /** Pairs the first (people) got right and the second (the model) got wrong. */
  b: number;
  /** Pairs the first got wrong and the second right. */
  c: number;
  /** Two-sided exact p-value: twice the smaller binomial tail of b among b + c at one half, at most 1. */
  p: number;
}

/**
 * The exact (binomial) McNemar test on the discordant counts of a paired comparison: under no difference
 * each discordant pair goes either way with probability one half. Also the exact sign test.
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`mcnemarExact: ${name} must be a count, got ${v}`);
  }
  const n = b + c;
  if (n === 0) return { b, c, p: 1 };
  return { b, c, p: Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5)) };
}

/**
 * Holm's step-down adjustment of a family of p-values (Holm 1979): the k-th smallest is multiplied by
 * (m − k + 1), made non-decreasing, capped at 1. Returned in the input's order; it controls the
 * family-wise error rate whatever the dependence between the tests.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p || x.i - y.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** The option most people picked; null when nobody picked one or the vote is tied. */
export function majorityOption(picks: Readonly<Record<Option, number>>): Option | null {
  if (picks.A > picks.B) return 'A';
  if (picks.B > picks.A) return 'B';
  return null;
}

/** How a quantity spreads over people: mean, sample SD, median, quartiles (type 7) and range. */
export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null for one value. */
  sd: number | null;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n,
    mean: mean(n, sorted, 1),
    sd: n < 2 ? null : stdev(n, 1, sorted, 1),
    median: medianSorted(n, sorted, 1),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
  };
}
