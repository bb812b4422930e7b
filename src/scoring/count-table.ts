import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import type { PairScore } from './pair-score.js';

/** The six counters of the official harness, in its order. */
export const SCORE_METRICS = [
  'set_score',
  'individual_score',
  'confused',
  'invalid',
  'valids',
  'valid_pairs',
] as const;
export type ScoreMetric = (typeof SCORE_METRICS)[number];

/** The key under which each counter keeps the count over all pairs, beside the per-category counts. */
export const TOTAL_KEY = 'total';

/**
 * The count table exactly as the official harness writes it to `<model>_<mode>_score.json`: for each metric,
 * one count per category (the set's categories, in order) and `total`.
 */
export type OfficialScoreTable = Record<ScoreMetric, Record<string, number>>;

export function emptyCountTable(categories: readonly string[]): OfficialScoreTable {
  if (categories.includes(TOTAL_KEY)) {
    throw new UserFacingError(
      'SCORING_RESERVED_CATEGORY',
      `A category cannot be called "${TOTAL_KEY}": the official score table uses that key for all pairs.`,
    );
  }
  const row = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const category of categories) counts[category] = 0;
    counts[TOTAL_KEY] = 0;
    return counts;
  };
  return {
    set_score: row(),
    individual_score: row(),
    confused: row(),
    invalid: row(),
    valids: row(),
    valid_pairs: row(),
  };
}

/**
 * The official denominators: each pair adds one to a category for every image of the pair that lists it,
 * so a category both images share counts twice. Over the official set this gives statistics.json.
 */
export function categorySlotCounts(
  pairs: readonly ConfusingPair[],
  categories: readonly string[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const category of categories) counts[category] = 0;
  for (const pair of pairs) {
    for (const category of [...pair.images[0].categories, ...pair.images[1].categories]) {
      counts[category] = (counts[category] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Adds up pair outcomes the way the official `create_score_table` / `update_score_table` do. Counters that
 * concern the pair as a whole (set_score, confused, valids, valid_pairs) add one per image slot listing a
 * category, so a category shared by both images gets two; counters about one image (individual_score,
 * invalid) add one for each category of that image. Pairs absent from `scored` add nothing.
 */
export function buildCountTable(
  set: PairSet,
  scored: ReadonlyArray<{ pair: ConfusingPair; score: PairScore }>,
): OfficialScoreTable {
  const table = emptyCountTable(set.categories);
  for (const { pair, score } of scored) {
    const [cat1, cat2] = [pair.images[0].categories, pair.images[1].categories];
    for (const category of [...cat1, ...cat2]) {
      if (!Object.hasOwn(table.set_score, category) || category === TOTAL_KEY) {
        throw new UserFacingError(
          'SCORING_UNKNOWN_CATEGORY',
          `Pair ${pair.id} has the category "${category}", which is not one of the set's categories (${set.categories.join(', ')}).`,
        );
      }
    }
    const add = (metric: ScoreMetric, categories: readonly string[]) => {
      const counts = table[metric];
      counts[TOTAL_KEY] = (counts[TOTAL_KEY] ?? 0) + 1;
      for (const category of categories) counts[category] = (counts[category] ?? 0) + 1;
    };
    const bothSlots = [...cat1, ...cat2];

    if (score.confused) add('confused', bothSlots);
    if (score.correct[0]) add('individual_score', cat1);
    if (score.correct[1]) add('individual_score', cat2);
    if (score.invalid[0]) add('invalid', cat1);
    if (score.invalid[1]) add('invalid', cat2);
    if (!score.invalid[0] && !score.invalid[1]) {
      add('valids', bothSlots);
      if (!score.confused) add('valid_pairs', bothSlots);
    }
    if (score.setCorrect) add('set_score', bothSlots);
  }
  return table;
}
