import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { seededRandom, shuffled } from '../random.js';
import { categorySlotCounts } from '../scoring/count-table.js';

export interface SelectionOptions {
  /** Keep pairs where either image lists this category (case-insensitive). */
  category?: string;
  /** Keep N pairs: the first N in dataset order, or a seeded sample when `seed` is given. */
  pairs?: number;
  seed?: number;
}

/** N of the pairs chosen by a seeded Fisher-Yates shuffle, returned in dataset order. */
function seededSample(pairs: ConfusingPair[], n: number, seed: number): ConfusingPair[] {
  const indexes = shuffled(
    pairs.map((_, i) => i),
    seededRandom(seed),
  );
  const chosen = new Set(indexes.slice(0, n));
  return pairs.filter((_, i) => chosen.has(i));
}

/**
 * The pairs a run asks, as a set of its own: a subset gets denominators computed from its own pairs the
 * official way, so its table reads as "this subset's accuracy"; the whole set keeps its published counts.
 */
export function selectPairs(set: PairSet, options: SelectionOptions): PairSet {
  let pairs = set.pairs;
  let categories = set.categories;
  if (options.category !== undefined) {
    const wanted = options.category.toLowerCase();
    const category = set.categories.find((c) => c.toLowerCase() === wanted);
    if (category === undefined) {
      throw new UserFacingError(
        'PROBE_UNKNOWN_CATEGORY',
        `Unknown category "${options.category}". The set's categories are: ${set.categories.join(', ')}.`,
      );
    }
    pairs = pairs.filter((p) => p.images.some((image) => image.categories.includes(category)));
    categories = set.categories;
  }
  if (options.pairs !== undefined) {
    if (!Number.isInteger(options.pairs) || options.pairs < 1) {
      throw new UserFacingError(
        'PROBE_OPTION_INVALID',
        `--pairs must be a positive integer (got ${options.pairs}).`,
      );
    }
    pairs =
      options.seed === undefined
        ? pairs.slice(0, options.pairs)
        : seededSample(pairs, options.pairs, options.seed);
  }
  if (pairs.length === set.pairs.length) return set;
  return { ...set, pairs, categories, categoryCounts: categorySlotCounts(pairs, categories) };
}
