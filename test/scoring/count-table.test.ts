import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Option } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { UserFacingError } from '../../src/errors.js';
import { buildCountTable, categorySlotCounts, SCORE_METRICS, scorePair } from '../../src/scoring/index.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { makePair, makeSet } from './helpers.js';

const CATEGORIES = ['Cerebral', 'Spinal', 'Cardiac'];
// Both images Cerebral; answer key A then B.
const cerebralPair = makePair('p1', [['Cerebral'], ['Cerebral']]);
// First image Cerebral and Spinal, second Spinal; answer key B then A.
const mixedPair = makePair('p2', [['Cerebral', 'Spinal'], ['Spinal']], ['B', 'A']);
const set = makeSet([cerebralPair, mixedPair], CATEGORIES);

function countsFor(pair = cerebralPair, chosen: [Option | null, Option | null]) {
  return buildCountTable(set, [{ pair, score: scorePair(pair, chosen) }]);
}

describe('the official count table', () => {
  it('has the six official metrics, each keyed by the categories in order and total', () => {
    const table = buildCountTable(set, []);
    expect(Object.keys(table)).toEqual([...SCORE_METRICS]);
    for (const metric of SCORE_METRICS) {
      expect(Object.keys(table[metric])).toEqual([...CATEGORIES, 'total']);
      expect(Object.values(table[metric]).every((v) => v === 0)).toBe(true);
    }
  });

  it('adds 2 to a category both images share for pair-level metrics, and 1 per image for individual ones', () => {
    const table = countsFor(cerebralPair, ['A', 'B']);
    expect(table.set_score).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 1 });
    expect(table.valids).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 1 });
    expect(table.valid_pairs).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 1 });
    expect(table.individual_score).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 2 });
    expect(table.confused.total).toBe(0);
    expect(table.invalid.total).toBe(0);
  });

  it('counts a confused pair in confused and valids (twice for a shared category) but not in valid_pairs', () => {
    const table = countsFor(cerebralPair, ['A', 'A']);
    expect(table.confused).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 1 });
    expect(table.valids).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 1 });
    expect(table.valid_pairs.total).toBe(0);
    expect(table.individual_score).toEqual({ Cerebral: 1, Spinal: 0, Cardiac: 0, total: 1 });
    expect(table.set_score.total).toBe(0);
  });

  it("credits each image's own categories for individual answers and invalid answers", () => {
    const table = countsFor(mixedPair, ['B', null]);
    expect(table.individual_score).toEqual({ Cerebral: 1, Spinal: 1, Cardiac: 0, total: 1 });
    expect(table.invalid).toEqual({ Cerebral: 0, Spinal: 1, Cardiac: 0, total: 1 });
    expect(table.valids.total).toBe(0);
    expect(table.valid_pairs.total).toBe(0);
    expect(table.confused.total).toBe(0);
  });

  it('counts pair-level metrics over the concatenated category lists (Spinal twice, Cerebral once)', () => {
    const table = countsFor(mixedPair, ['B', 'A']);
    expect(table.set_score).toEqual({ Cerebral: 1, Spinal: 2, Cardiac: 0, total: 1 });
    expect(table.individual_score).toEqual({ Cerebral: 1, Spinal: 2, Cardiac: 0, total: 2 });
  });

  it('does not count two invalid answers as confused, although both are "-"', () => {
    const table = countsFor(cerebralPair, [null, null]);
    expect(table.confused.total).toBe(0);
    expect(table.invalid).toEqual({ Cerebral: 2, Spinal: 0, Cardiac: 0, total: 2 });
  });

  it('adds nothing for pairs that were not answered (only p1 of the two pairs is scored here)', () => {
    const table = countsFor(cerebralPair, ['A', 'B']);
    expect(table.invalid.total).toBe(0);
    expect(table.valids.total).toBe(1);
    for (const metric of SCORE_METRICS) expect(table[metric].Spinal).toBe(0);
  });

  it('rejects a pair whose category is not one of the set categories, naming the pair', () => {
    const stray = makePair('p9', [['Dental'], ['Cerebral']]);
    expect(() => buildCountTable(set, [{ pair: stray, score: scorePair(stray, ['A', 'B']) }])).toThrow(
      UserFacingError,
    );
    expect(() => buildCountTable(set, [{ pair: stray, score: scorePair(stray, ['A', 'B']) }])).toThrow(
      /p9.*Dental/,
    );
  });
});

describe('category denominators', () => {
  it('count each image slot, so a category both images share counts twice', () => {
    expect(set.categoryCounts).toEqual({ Cerebral: 3, Spinal: 2, Cardiac: 0 });
  });

  it('reproduce statistics.json, which sums to 441, from the official pairs', async () => {
    const official = await loadOfficialSetStrict(SHARED_DATASET_DIR);
    const statistics = JSON.parse(readFileSync(path.join(SHARED_DATASET_DIR, 'statistics.json'), 'utf8'));
    expect(Object.values(official.categoryCounts).reduce((a, b) => a + b)).toBe(441);
    expect(categorySlotCounts(official.pairs, official.categories)).toEqual(statistics);
  });
});
