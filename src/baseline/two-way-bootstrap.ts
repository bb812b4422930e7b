import type { RandomSource } from '../random.js';
import { seededRandom } from '../random.js';
import { quantile } from './quantile.js';

/**
 * The two-way ("pigeonhole") bootstrap for answers crossed by participant and pair (Owen 2007, "The
 * pigeonhole bootstrap", Annals of Applied Statistics 1(2)). Each replicate draws participants with
 * replacement and, independently, pairs with replacement; an answer of participant i to pair j then counts
 * (times i was drawn) × (times j was drawn). Resampling only pairs ignores that a person's answers go
 * together, resampling only answers ignores both: either gives intervals that are too narrow.
 */

/** How often each participant and each pair was drawn in one replicate (all ones for the data itself). */
export interface Resample {
  participants: Float64Array;
  pairs: Float64Array;
}

export interface BootstrapOptions {
  seed: number;
  resamples: number;
  /** Two-sided level; 0.95 by default. */
  level?: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { seed: 1, resamples: 2000 };

/**
 * Fewest distinct pairs, and participants for estimates about people, below which the report says "too
 * few" instead of giving an interval: a percentile bootstrap over a handful of clusters collapses (three
 * pairs all right resample to 100% every time) and says nothing about the next pair or person.
 */
export const INTERVAL_MINIMUM = { pairs: 10, participants: 3 } as const;

/** The data itself: everyone and every pair once. */
export function identityResample(participants: number, pairs: number): Resample {
  return { participants: new Float64Array(participants).fill(1), pairs: new Float64Array(pairs).fill(1) };
}

/** One replicate: `participants` draws among the participants, then `pairs` draws among the pairs. */
export function drawResample(participants: number, pairs: number, random: RandomSource): Resample {
  const r: Resample = { participants: new Float64Array(participants), pairs: new Float64Array(pairs) };
  for (let k = 0; k < participants; k++) (r.participants[Math.floor(random() * participants)] as number)++;
  for (let k = 0; k < pairs; k++) (r.pairs[Math.floor(random() * pairs)] as number)++;
  return r;
}

/**
 * Replicates of a vector of statistics, every statistic evaluated on the same draws (so that people, the
 * crowd and models compared in one report share their resamples). Same seed, same replicates.
 * `replicates[k]` holds statistic k over every replicate; NaN where a replicate left it undefined.
 */
export function twoWayReplicates(
  size: { participants: number; pairs: number },
  options: BootstrapOptions,
  statistic: (resample: Resample) => readonly number[],
): number[][] {
  if (!Number.isInteger(options.resamples) || options.resamples < 1) {
    throw new RangeError(`bootstrap: resamples must be a positive integer, got ${options.resamples}`);
  }
  const random = seededRandom(options.seed);
  const out: number[][] = [];
  for (let r = 0; r < options.resamples; r++) {
    const values = statistic(drawResample(size.participants, size.pairs, random));
    values.forEach((v, k) => {
      let column = out[k];
      if (column === undefined) {
        column = [];
        out[k] = column;
      }
      column.push(v);
    });
  }
  return out;
}

export interface PercentileInterval {
  low: number;
  high: number;
}

/**
 * The percentile interval of a statistic's replicates (undefined replicates left out). It has zero width
 * only when every replicate agrees: when 95% or more agree but some do not, the percentiles would meet,
 * so the interval widens to the replicates' range instead. Null when no replicate is defined.
 */
export function percentileInterval(replicates: readonly number[], level = 0.95): PercentileInterval | null {
  const defined = replicates.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (defined.length === 0) return null;
  const alpha = 1 - level;
  const low = quantile(defined, alpha / 2);
  const high = quantile(defined, 1 - alpha / 2);
  if (low === high) return { low: defined[0] as number, high: defined[defined.length - 1] as number };
  return { low, high };
}

/** One answer's share of a ratio estimate: its numerator and denominator, and whose answer it is. */
export interface RatioTerm {
  participant: number;
  pair: number;
  num: number;
  den: number;
}

/** Σ mᵢⱼ·num / Σ mᵢⱼ·den with mᵢⱼ the answer's multiplicity in the resample; NaN when the denominator is 0. */
export function weightedRatio(terms: readonly RatioTerm[], resample: Resample): number {
  let num = 0;
  let den = 0;
  for (const t of terms) {
    const m = (resample.participants[t.participant] as number) * (resample.pairs[t.pair] as number);
    if (m === 0) continue;
    num += m * t.num;
    den += m * t.den;
  }
  return den === 0 ? Number.NaN : num / den;
}
