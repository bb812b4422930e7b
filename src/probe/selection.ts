import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { categorySlotCounts } from '../scoring/count-table.js';

export interface SelectionOptions {
  /** Keep pairs where either image lists this category (case-insensitive). */
  category?: string;
  /** Keep N pairs: the first N in dataset order, or a seeded sample when `seed` is given. */
  pairs?: number;
  seed?: number;
}

/** mulberry32: a small deterministic generator, so `--seed` picks the same sample on every machine. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** N of the pairs chosen by a seeded Fisher-Yates shuffle, returned in dataset order. */
function seededSample(pairs: ConfusingPair[], n: number, seed: number): ConfusingPair[] {
  const random = seededRandom(seed);
  const indexes = pairs.map((_, i) => i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
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
