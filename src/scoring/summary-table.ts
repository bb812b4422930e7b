import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { type OfficialScoreTable, TOTAL_KEY } from './count-table.js';
import { effectiveSampleSize, wilsonInterval } from './intervals.js';
import { pythonRound } from './python-round.js';

/** The name of the row over all pairs, after the category rows. */
export const ALL_ROW = 'All';

/** Digits the official printing script rounds percentages to. */
export const PRINT_DIGITS = 2;

/**
 * One row of the official printed table, with its column names. Note the official script's naming:
 * `valid_pairs` shows the `valids` counter (pairs with two valid answers) and `precision_total` shows the
 * `valid_pairs` counter (valid and not confused).
 */
export interface SummaryRow {
  /** The denominator: the category's slot count, or the number of pairs for `All`. */
  total: number;
  set_acc: number;
  individual_acc: number;
  /** Percent of pairs with two valid answers that got the same letter twice. */
  confused: number;
  valid_pairs: number;
  invalid: number;
  /** Percent of valid, unconfused pairs that were answered correctly. */
  precision: number;
  precision_total: number;
}

/** A 95% Wilson interval in percent and the number of trials it assumes. */
export interface PercentInterval {
  low: number;
  high: number;
  n: number;
}

export interface RowIntervals {
  /**
   * Set accuracy. For `All`, n is the number of pairs. For a category, n is the effective number of pairs
   * (Kish), because the official rate counts a pair twice when both images list the category.
   */
  set_acc: PercentInterval;
  /** Individual accuracy; n is the number of images (the row's total, or twice the pairs for `All`). */
  individual_acc: PercentInterval;
}

export interface SummaryTable {
  /** Row names in the official order: the set's categories, then `All`. */
  rows: string[];
  /** Unrounded values, computed in the official operation order so that they are bit-identical. */
  full: Record<string, SummaryRow>;
  /** The values as the official script prints them: percentages through Python's round(x, 2). */
  rounded: Record<string, SummaryRow>;
  intervals: Record<string, RowIntervals>;
}

/**
 * The official `print_score` table. Category rows divide by the category's slot count; the `All` row divides
 * by the number of pairs in the set (the official `len(DATA)`, so unanswered pairs still count) and halves
 * individual accuracy and the invalid rate, which are counted per image. A zero denominator gives 0.
 */
export function buildSummaryTable(set: PairSet, counts: OfficialScoreTable): SummaryTable {
  if (set.categories.includes(ALL_ROW)) {
    throw new UserFacingError(
      'SCORING_RESERVED_CATEGORY',
      `A category cannot be called "${ALL_ROW}": the score table uses that row for all pairs.`,
    );
  }
  const rows = [...set.categories, ALL_ROW];
  const full: Record<string, SummaryRow> = {};
  const rounded: Record<string, SummaryRow> = {};
  const intervals: Record<string, RowIntervals> = {};

  for (const row of rows) {
    const isAll = row === ALL_ROW;
    const key = isAll ? TOTAL_KEY : row;
    const count = (metric: keyof OfficialScoreTable) => counts[metric][key] ?? 0;
    const total = isAll ? set.pairs.length : (set.categoryCounts[row] ?? 0);
    const num = total / 100;
    // The official expressions, operation for operation: k / (n / 100), then / 2 for the per-image rates of All.
    const perDenominator = (k: number) => (total === 0 ? 0 : k / num);
    const perImage = (k: number) => (total === 0 ? 0 : isAll ? k / num / 2 : k / num);
    const valids = count('valids');
    const validPairs = count('valid_pairs');

    const values: SummaryRow = {
      total,
      set_acc: perDenominator(count('set_score')),
      individual_acc: perImage(count('individual_score')),
      confused: valids > 0 ? (count('confused') / valids) * 100 : 0,
      valid_pairs: valids,
      invalid: perImage(count('invalid')),
      precision: validPairs > 0 ? (count('set_score') / validPairs) * 100 : 0,
      precision_total: validPairs,
    };
    full[row] = values;
    rounded[row] = {
      ...values,
      set_acc: pythonRound(values.set_acc, PRINT_DIGITS),
      individual_acc: pythonRound(values.individual_acc, PRINT_DIGITS),
      confused: pythonRound(values.confused, PRINT_DIGITS),
      invalid: pythonRound(values.invalid, PRINT_DIGITS),
      precision: pythonRound(values.precision, PRINT_DIGITS),
    };

    const setTrials = isAll ? set.pairs.length : categoryEffectivePairs(set, row);
    const imageTrials = isAll ? 2 * set.pairs.length : total;
    intervals[row] = {
      set_acc: percentInterval(values.set_acc / 100, setTrials),
      individual_acc: percentInterval(values.individual_acc / 100, imageTrials),
    };
  }
  return { rows, full, rounded, intervals };
}

function percentInterval(proportion: number, n: number): PercentInterval {
  const p = Math.min(1, Math.max(0, proportion));
  const { low, high } = wilsonInterval(p * n, n);
  return { low: low * 100, high: high * 100, n };
}

/** The Kish effective number of pairs behind a category's set accuracy (weights: slots listing it). */
function categoryEffectivePairs(set: PairSet, category: string): number {
  const weights: number[] = [];
  for (const pair of set.pairs) {
    const slots =
      pair.images[0].categories.filter((c) => c === category).length +
      pair.images[1].categories.filter((c) => c === category).length;
    if (slots > 0) weights.push(slots);
  }
  return effectiveSampleSize(weights);
}
