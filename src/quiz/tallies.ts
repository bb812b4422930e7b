import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { buildCountTable, categorySlotCounts } from '../scoring/count-table.js';
import { CHANCE } from '../scoring/intervals.js';
import type { PairScore } from '../scoring/pair-score.js';
import { ALL_ROW, buildSummaryTable, type PercentInterval } from '../scoring/summary-table.js';
import { pairHasCategory } from './pairs.js';

/** One answered pair: by one person in one round, or by one model in one round. */
export interface ScoredInstance {
  pair: ConfusingPair;
  score: PairScore;
}

/** One row (a category, or `All`) of a tally, in percent like the official table. */
export interface TallyRow {
  category: string;
  /** Answered pairs in this row (for a category: pairs with at least one image of that category). */
  n: number;
  setAccuracy: number;
  setInterval: PercentInterval;
  individualAccuracy: number;
  individualInterval: PercentInterval;
  /** Percent of pairs answered on both images where the same option was picked twice. */
  confusion: number;
  /** Percent of images left unanswered (people) or without a clear choice (models). */
  invalid: number;
}

export interface Tally {
  /** `people` or a model id. */
  who: string;
  /** Answered pairs over all categories (the `All` row's n). */
  pairs: number;
  /** The categories in the set's order, then `All`. */
  rows: TallyRow[];
}

/** People against each model on the same rounds, with what guessing would score (percent). */
export interface Comparison {
  people: Tally;
  models: Tally[];
  chance: typeof CHANCE;
}

/**
 * Tallies answered pairs with the scoring module's official tables. Each answered pair is one entry of a
 * "virtual set" whose denominators are those entries, so a pair answered by 30 people weighs 30 times and
 * the per-category rates and Wilson intervals are exactly the official ones over what was answered.
 */
export function tally(set: PairSet, who: string, instances: readonly ScoredInstance[]): Tally {
  const pairs = instances.map((i) => i.pair);
  const virtual: PairSet = {
    name: `${set.name}:${who}`,
    pairs,
    categories: set.categories,
    categoryCounts: categorySlotCounts(pairs, set.categories),
    imagesDir: set.imagesDir,
  };
  const table = buildSummaryTable(virtual, buildCountTable(virtual, instances));
  const rows = table.rows.map((category): TallyRow => {
    const full = table.full[category];
    const intervals = table.intervals[category];
    if (full === undefined || intervals === undefined) throw new Error(`summary table lacks row ${category}`);
    return {
      category,
      n: category === ALL_ROW ? pairs.length : pairs.filter((p) => pairHasCategory(p, category)).length,
      setAccuracy: full.set_acc,
      setInterval: intervals.set_acc,
      individualAccuracy: full.individual_acc,
      individualInterval: intervals.individual_acc,
      confusion: full.confused,
      invalid: full.invalid,
    };
  });
  return { who, pairs: pairs.length, rows };
}

export function compare(
  set: PairSet,
  people: readonly ScoredInstance[],
  models: ReadonlyMap<string, readonly ScoredInstance[]>,
): Comparison {
  return {
    people: tally(set, 'people', people),
    models: [...models].map(([modelId, instances]) => tally(set, modelId, instances)),
    chance: CHANCE,
  };
}

export function allRow(t: Tally): TallyRow {
  const row = t.rows.find((r) => r.category === ALL_ROW);
  if (row === undefined) throw new Error('tally without an All row');
  return row;
}
