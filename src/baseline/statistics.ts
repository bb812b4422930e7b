import type { Option } from '../dataset/model.js';
import { seededRandom } from '../random.js';

/** One resampling unit of the set-accuracy bootstrap: a pair, with everyone's answers to it. */
export interface PairCluster {
  /** Sum of the answers' weights (1 per answer; 2 in a category both images list, as officially). */
  weight: number;
  /** Sum of the weights of answers with both images right. */
  correct: number;
}

export interface BootstrapOptions {
  seed: number;
  resamples: number;
  /** Two-sided level; 0.95 by default. */
  level?: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { seed: 1, resamples: 2000 };

export interface BootstrapInterval {
  /** The weighted share over all clusters, in [0, 1]. */
  estimate: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap over pairs for a weighted share. Pairs, not answers, are resampled: answers to the
 * same pair are not independent (an easy pair is easy for everyone), so resampling answers would give
 * intervals that are too narrow. Same seed, same clusters → same interval.
 */
export function bootstrapShare(
  clusters: readonly PairCluster[],
  options: BootstrapOptions,
): BootstrapInterval {
  const total = sum(clusters.map((c) => c.weight));
  if (clusters.length === 0 || total === 0) throw new RangeError('bootstrapShare: no answers to resample');
  if (!Number.isInteger(options.resamples) || options.resamples < 1) {
    throw new RangeError(`bootstrapShare: resamples must be a positive integer, got ${options.resamples}`);
  }
  const estimate = sum(clusters.map((c) => c.correct)) / total;
  const random = seededRandom(options.seed);
  const n = clusters.length;
  const shares: number[] = [];
  for (let r = 0; r < options.resamples; r++) {
    let weight = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const c = clusters[Math.floor(random() * n)] as PairCluster;
      weight += c.weight;
      correct += c.correct;
    }
    shares.push(weight === 0 ? estimate : correct / weight);
  }
  shares.sort((a, b) => a - b);
  const alpha = 1 - (options.level ?? 0.95);
  return {
    estimate,
    low: quantile(shares, alpha / 2),
    high: quantile(shares, 1 - alpha / 2),
  };
}

/** Linear interpolation between order statistics (R's type 7), of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of nothing');
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

export interface McNemarResult {
  /** Pairs the first (people) got right and the second (the model) got wrong. */
  b: number;
  /** Pairs the first got wrong and the second right. */
  c: number;
  /** Two-sided exact p-value: twice the smaller binomial tail of b among b + c at one half, at most 1. */
  p: number;
}

/** The exact (binomial) McNemar test on the discordant counts of a paired comparison. */
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
  const k = Math.min(b, c);
  // Sum of C(n, i) / 2^n for i ≤ k, in logs so that n in the hundreds neither overflows nor underflows.
  let logTerm = -n * Math.LN2; // i = 0
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logTerm);
  }
  return { b, c, p: Math.min(1, 2 * tail) };
}

/** The option most people picked; null when nobody picked one or the vote is tied (scored as invalid). */
export function majorityOption(picks: Readonly<Record<Option, number>>): Option | null {
  if (picks.A > picks.B) return 'A';
  if (picks.B > picks.A) return 'B';
  return null;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
