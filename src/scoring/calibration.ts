/**
 * Calibration: does a model's confidence match how often it is right? Pure functions over per-image
 * (confidence, correct) points, where the confidence is the model's probability of the option it chose
 * (normalised over the two options, so between 0.5 and 1 for a choice).
 *
 * Binning, fixed so that figures compare across runs: ten equal-width bins over [0, 1]; bin i holds the
 * confidences c with i/10 ≤ c < (i+1)/10, and the last bin also holds c = 1. Empty bins add nothing.
 * Expected calibration error (ECE) = Σ over bins (n_bin / N) · |accuracy_bin − mean confidence_bin|,
 * the usual definition (Naeini et al. 2015; Guo et al. 2017).
 */

export const CALIBRATION_BINS = 10;
/** "Confidently confused": both images of a pair given the same option, each with at least this confidence. */
export const CONFIDENT = 0.9;

export interface ConfidencePoint {
  confidence: number;
  correct: boolean;
}

export interface CalibrationBin {
  /** Lower and upper edge (0.5, 0.6). */
  low: number;
  high: number;
  count: number;
  /** Mean confidence and accuracy of the bin's images, as fractions; null when the bin is empty. */
  meanConfidence: number | null;
  accuracy: number | null;
}

export interface Calibration {
  /** Images with a known confidence. */
  n: number;
  ece: number;
  /** The largest gap of any non-empty bin (maximum calibration error). */
  mce: number;
  meanConfidence: number;
  accuracy: number;
  bins: CalibrationBin[];
}

export function binOf(confidence: number, bins = CALIBRATION_BINS): number {
  return Math.min(bins - 1, Math.floor(confidence * bins));
}

/** Calibration of a set of points; null when no image has a confidence. */
export function calibrate(points: readonly ConfidencePoint[], bins = CALIBRATION_BINS): Calibration | null {
  if (points.length === 0) return null;
  const groups = Array.from({ length: bins }, () => ({ count: 0, confidence: 0, correct: 0 }));
  for (const point of points) {
    if (!(point.confidence >= 0 && point.confidence <= 1)) {
      throw new RangeError(`confidence must be within [0, 1], got ${point.confidence}`);
    }
    const group = groups[binOf(point.confidence, bins)];
    if (group === undefined) continue;
    group.count += 1;
    group.confidence += point.confidence;
    group.correct += point.correct ? 1 : 0;
  }
  let ece = 0;
  let mce = 0;
  const result = groups.map((g, i): CalibrationBin => {
    const low = i / bins;
    const high = (i + 1) / bins;
    if (g.count === 0) return { low, high, count: 0, meanConfidence: null, accuracy: null };
    const meanConfidence = g.confidence / g.count;
    const accuracy = g.correct / g.count;
    const gap = Math.abs(accuracy - meanConfidence);
    ece += (g.count / points.length) * gap;
    mce = Math.max(mce, gap);
    return { low, high, count: g.count, meanConfidence, accuracy };
  });
  return {
    n: points.length,
    ece,
    mce,
    meanConfidence: points.reduce((s, p) => s + p.confidence, 0) / points.length,
    accuracy: points.filter((p) => p.correct).length / points.length,
    bins: result,
  };
}

export interface ConfidentImage {
  chosen: 'A' | 'B' | null;
  confidence?: number | null | undefined;
  correctOption: 'A' | 'B';
}

/**
 * A pair is confidently confused when the model gave both images the same option, each with at least
 * `CONFIDENT` confidence: one of the two is then necessarily wrong, and the model was sure of both.
 */
export function isConfidentlyConfused(
  images: readonly [ConfidentImage, ConfidentImage],
  threshold = CONFIDENT,
): boolean {
  const [first, second] = images;
  return (
    first.chosen !== null &&
    first.chosen === second.chosen &&
    (first.confidence ?? 0) >= threshold &&
    (second.confidence ?? 0) >= threshold
  );
}
