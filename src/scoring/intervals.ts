/** The two-sided 95% normal quantile, Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/**
 * What guessing scores, in percent: a random pick is right for one image half the time, right for both a
 * quarter of the time, and picks the same letter for both (confused) half the time.
 */
export const CHANCE = { setAccuracy: 25, individualAccuracy: 50, confusion: 50 } as const;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion, as fractions in [0, 1]. `successes` may be fractional when `n` is
 * an effective sample size. With no trials nothing is known, so the interval is the whole range {0, 1}.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval {
  if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`wilsonInterval: n must be ≥ 0, got ${n}`);
  if (!(successes >= 0 && successes <= n)) {
    throw new RangeError(`wilsonInterval: successes must be between 0 and n (${n}), got ${successes}`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

/**
 * Kish's effective sample size of a weighted mean, (Σw)² / Σw². The official per-category set accuracy
 * weighs a pair by how many of its images list the category (1 or 2), so its effective number of pairs is
 * smaller than the denominator it divides by.
 */
export function effectiveSampleSize(weights: readonly number[]): number {
  let sum = 0;
  let sumOfSquares = 0;
  for (const w of weights) {
    sum += w;
    sumOfSquares += w * w;
  }
  return sumOfSquares === 0 ? 0 : (sum * sum) / sumOfSquares;
}
