import { type Calibration, CONFIDENT, calibrate, isConfidentlyConfused } from '../scoring/calibration.js';
import type { ImageResult } from './records.js';

/**
 * The calibration section of a run's report: how well the model's confidence matches its accuracy, and the
 * pairs it got confidently confused on. Only images with a known confidence count (greedy, prefix, or
 * multiple choice asked with --logprobs); INVALID and ERROR images have none.
 */

export interface ConfidentlyConfusedPair {
  pairId: string;
  chosen: 'A' | 'B';
  confidences: [number, number];
  /** The correct option of image 1 and image 2. */
  correct: ['A' | 'B', 'A' | 'B'];
}

export interface RunCalibration {
  calibration: Calibration | null;
  confidentlyConfused: ConfidentlyConfusedPair[];
  /** Pairs with a confidence for both images (the denominator of the confidently confused share). */
  pairsWithConfidence: number;
}

export function runCalibration(results: readonly ImageResult[]): RunCalibration {
  const points = results.flatMap((r) =>
    r.chosen !== null && typeof r.confidence === 'number'
      ? [{ confidence: r.confidence, correct: r.chosen === r.correctOption }]
      : [],
  );
  const byPair = new Map<string, [ImageResult | undefined, ImageResult | undefined]>();
  for (const r of results) {
    const entry = byPair.get(r.pairId) ?? [undefined, undefined];
    entry[r.slot] = r;
    byPair.set(r.pairId, entry);
  }
  const confused: ConfidentlyConfusedPair[] = [];
  let pairsWithConfidence = 0;
  for (const [pairId, [first, second]] of byPair) {
    if (!first || !second || typeof first.confidence !== 'number' || typeof second.confidence !== 'number')
      continue;
    pairsWithConfidence += 1;
    if (isConfidentlyConfused([first, second]) && first.chosen !== null) {
      confused.push({
        pairId,
        chosen: first.chosen,
        confidences: [first.confidence, second.confidence],
        correct: [first.correctOption, second.correctOption],
      });
    }
  }
  return { calibration: calibrate(points), confidentlyConfused: confused, pairsWithConfidence };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The printed section; empty when the run has no confidences. */
export function renderCalibrationSection(run: RunCalibration): string {
  const { calibration } = run;
  if (calibration === null) return '';
  const out: string[] = ['', 'Calibration (confidence in the chosen option)'];
  out.push(
    `  ${calibration.n} images with a confidence: mean confidence ${pct(calibration.meanConfidence)}, accuracy ${pct(calibration.accuracy)}.`,
  );
  out.push(
    `  Expected calibration error ${pct(calibration.ece)} (10 equal-width bins; largest bin gap ${pct(calibration.mce)}).`,
  );
  out.push('  bin            images  confidence  accuracy');
  for (const bin of calibration.bins) {
    if (bin.count === 0) continue;
    const range = `${Math.round(bin.low * 100)}–${Math.round(bin.high * 100)}%`;
    out.push(
      `  ${range.padEnd(13)}  ${String(bin.count).padStart(6)}  ${pct(bin.meanConfidence ?? 0).padStart(10)}  ${pct(bin.accuracy ?? 0).padStart(8)}`,
    );
  }
  const n = run.confidentlyConfused.length;
  out.push(
    `  Confidently confused pairs (same option for both images, each ≥ ${CONFIDENT * 100}% sure): ${n} of ${run.pairsWithConfidence}.`,
  );
  for (const pair of run.confidentlyConfused.slice(0, 20)) {
    const [a, b] = pair.confidences;
    out.push(
      `    pair ${pair.pairId}: ${pair.chosen} for both (${pct(a)}, ${pct(b)} sure); correct ${pair.correct[0]} and ${pair.correct[1]}`,
    );
  }
  if (n > 20) out.push(`    … and ${n - 20} more (probe report --json lists every image).`);
  return `${out.join('\n')}\n`;
}
