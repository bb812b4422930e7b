import { beforeAll, describe, expect, it } from 'vitest';
import type { PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { selectPairs } from '../../src/probe/selection.js';
import { categorySlotCounts } from '../../src/scoring/count-table.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';

let set: PairSet;
beforeAll(async () => {
  set = await loadOfficialSetStrict(SHARED_DATASET_DIR);
});

describe('choosing the pairs of a run', () => {
  it('keeps the whole set, with its published denominators, when nothing is chosen', () => {
    expect(selectPairs(set, {})).toBe(set);
  });

  it('takes the first N pairs in dataset order and counts their own denominators', () => {
    const subset = selectPairs(set, { pairs: 5 });
    expect(subset.pairs.map((p) => p.id)).toEqual(set.pairs.slice(0, 5).map((p) => p.id));
    expect(subset.categoryCounts).toEqual(categorySlotCounts(subset.pairs, set.categories));
    expect(subset.categories).toEqual(set.categories);
  });

  it('samples N pairs with a seed: the same pairs for the same seed, in dataset order', () => {
    const a = selectPairs(set, { pairs: 10, seed: 7 }).pairs.map((p) => p.id);
    const b = selectPairs(set, { pairs: 10, seed: 7 }).pairs.map((p) => p.id);
    const c = selectPairs(set, { pairs: 10, seed: 8 }).pairs.map((p) => p.id);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(10);
    expect([...a].sort()).toEqual(a);
  });

  it('keeps pairs with an image in the category, matched without regard to case', () => {
    const subset = selectPairs(set, { category: 'nuclear medicine' });
    expect(subset.pairs.length).toBeGreaterThan(0);
    for (const pair of subset.pairs) {
      expect(pair.images.some((image) => image.categories.includes('Nuclear Medicine'))).toBe(true);
    }
    expect(subset.categoryCounts['Nuclear Medicine']).toBe(set.categoryCounts['Nuclear Medicine']);
  });

  it('names the categories when asked for an unknown one', () => {
    expect(() => selectPairs(set, { category: 'Dermatology' })).toThrow(
      /Unknown category "Dermatology".*Cerebral/,
    );
  });
});
