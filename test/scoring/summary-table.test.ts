import { describe, expect, it } from 'vitest';
import type { PairSet } from '../../src/dataset/model.js';
import {
  buildCountTable,
  buildSummaryTable,
  emptyCountTable,
  type OfficialScoreTable,
  scorePair,
} from '../../src/scoring/index.js';
import { makePair, makeSet } from './helpers.js';

/** A set with the given denominators and pair count; the pairs themselves only matter for intervals. */
function setWith(categoryCounts: Record<string, number>, pairCount: number): PairSet {
  const pairs = Array.from({ length: pairCount }, (_, i) => makePair(`p${i}`, [['Cerebral'], ['Cerebral']]));
  return { ...makeSet(pairs, Object.keys(categoryCounts)), categoryCounts };
}

function countsWith(
  categories: string[],
  values: Partial<Record<keyof OfficialScoreTable, Record<string, number>>>,
) {
  const table = emptyCountTable(categories);
  for (const [metric, counts] of Object.entries(values))
    Object.assign(table[metric as keyof OfficialScoreTable], counts);
  return table;
}

describe('the official summary table', () => {
  it('lists the categories in the set order, then All', () => {
    const set = setWith({ Spinal: 2, Cerebral: 4 }, 3);
    expect(buildSummaryTable(set, emptyCountTable(set.categories)).rows).toEqual([
      'Spinal',
      'Cerebral',
      'All',
    ]);
  });

  it('halves individual accuracy and the invalid rate in the All row only', () => {
    const p1 = makePair('p1', [['Cerebral'], ['Cerebral']]);
    const p2 = makePair('p2', [['Cerebral'], ['Spinal']]);
    const set = makeSet([p1, p2], ['Cerebral', 'Spinal']);
    const counts = buildCountTable(set, [
      { pair: p1, score: scorePair(p1, ['A', 'B']) },
      { pair: p2, score: scorePair(p2, ['A', null]) },
    ]);
    const { full } = buildSummaryTable(set, counts);
    // Cerebral: 3 correct images of 3 Cerebral slots; Spinal: its one image invalid.
    expect(full.Cerebral?.individual_acc).toBe(100);
    expect(full.Spinal?.invalid).toBe(100);
    // All: 3 correct and 1 invalid of 4 images (2 pairs), that is k / (2 / 100) / 2.
    expect(full.All?.individual_acc).toBe(75);
    expect(full.All?.invalid).toBe(25);
    expect(full.All?.set_acc).toBe(50);
  });

  it('divides the All row by the number of pairs in the set, answered or not', () => {
    const set = setWith({ Cerebral: 352 }, 176);
    const counts = countsWith(['Cerebral'], { individual_score: { total: 3 }, set_score: { total: 1 } });
    const { full } = buildSummaryTable(set, counts);
    expect(full.All?.total).toBe(176);
    expect(full.All?.individual_acc).toBe(3 / (176 / 100) / 2);
    expect(full.All?.set_acc).toBe(1 / (176 / 100));
  });

  it('shows 0 for every rate whose denominator is empty', () => {
    const set = setWith({ Cerebral: 2, Pulmonary: 0 }, 1);
    const { full, rounded } = buildSummaryTable(set, emptyCountTable(set.categories));
    for (const table of [full, rounded]) {
      expect(table.Pulmonary).toEqual({
        total: 0,
        set_acc: 0,
        individual_acc: 0,
        confused: 0,
        valid_pairs: 0,
        invalid: 0,
        precision: 0,
        precision_total: 0,
      });
    }
    expect(
      buildSummaryTable(setWith({ Cerebral: 0 }, 0), emptyCountTable(['Cerebral'])).full.All?.set_acc,
    ).toBe(0);
  });

  it('shows 0 confusion without valid pairs and 0 precision without valid unconfused pairs', () => {
    const set = setWith({ Cerebral: 10 }, 5);
    const counts = countsWith(['Cerebral'], { valids: { Cerebral: 2 }, confused: { Cerebral: 2 } });
    const row = buildSummaryTable(set, counts).full.Cerebral;
    expect(row?.confused).toBe(100);
    expect(row?.precision).toBe(0);
  });

  it('labels the valids counter "valid_pairs" and the valid_pairs counter "precision_total", as the official script does', () => {
    const set = setWith({ Cerebral: 10 }, 5);
    const counts = countsWith(['Cerebral'], { valids: { Cerebral: 7 }, valid_pairs: { Cerebral: 4 } });
    const row = buildSummaryTable(set, counts).full.Cerebral;
    expect(row?.valid_pairs).toBe(7);
    expect(row?.precision_total).toBe(4);
  });

  it('divides in the official order, k / (n / 100), which differs in binary from k * 100 / n', () => {
    const set = setWith({ Cerebral: 79 }, 40);
    const counts = countsWith(['Cerebral'], {
      set_score: { Cerebral: 1 },
      individual_score: { Cerebral: 1 },
    });
    const row = buildSummaryTable(set, counts).full.Cerebral;
    expect(row?.set_acc).toBe(1.2658227848101264);
    expect(row?.set_acc).not.toBe(1.2658227848101267); // 1 * 100 / 79
    expect(row?.individual_acc).toBe(1.2658227848101264);
  });

  it('computes confusion and precision as c / v * 100, which differs in binary from c * 100 / v', () => {
    const set = setWith({ Cerebral: 10 }, 5);
    const counts = countsWith(['Cerebral'], {
      confused: { Cerebral: 2 },
      valids: { Cerebral: 3 },
      set_score: { Cerebral: 2 },
      valid_pairs: { Cerebral: 3 },
    });
    const row = buildSummaryTable(set, counts).full.Cerebral;
    expect(row?.confused).toBe(66.66666666666666);
    expect(row?.confused).not.toBe(66.66666666666667); // 2 * 100 / 3
    expect(row?.precision).toBe(66.66666666666666);
  });

  it('rounds percentages with Python semantics and leaves counts alone', () => {
    // 1 of 8 slots: 12.5%; 1 of 800 slots: 0.125%, an exact tie that Python rounds down to 0.12.
    const set = setWith({ Cerebral: 800 }, 400);
    const counts = countsWith(['Cerebral'], { set_score: { Cerebral: 1 }, valids: { Cerebral: 8 } });
    const row = buildSummaryTable(set, counts).rounded.Cerebral;
    expect(row?.set_acc).toBe(0.12);
    expect(row?.total).toBe(800);
    expect(row?.valid_pairs).toBe(8);
  });

  it('gives 95% Wilson intervals in percent around set and individual accuracy, with the trials behind them', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => makePair(`p${i}`, [['Cerebral'], ['Spinal']]));
    const set = makeSet(pairs, ['Cerebral', 'Spinal']);
    const scored = pairs.map((pair, i) => ({
      pair,
      score: scorePair(pair, i < 5 ? ['A', 'B'] : ['B', 'A']),
    }));
    const { intervals, full } = buildSummaryTable(set, buildCountTable(set, scored));
    expect(full.All?.set_acc).toBe(50);
    expect(intervals.All?.set_acc.n).toBe(10);
    expect(intervals.All?.set_acc.low).toBeCloseTo(23.6593090512564, 10);
    expect(intervals.All?.set_acc.high).toBeCloseTo(76.34069094874361, 10);
    expect(intervals.All?.individual_acc.n).toBe(20);
  });

  it('uses the effective number of pairs for a category that both images of some pairs share', () => {
    // Two pairs with Cerebral on both images (weight 2) and two with it on one (weight 1): (6^2) / 10 = 3.6.
    const pairs = [
      makePair('p1', [['Cerebral'], ['Cerebral']]),
      makePair('p2', [['Cerebral'], ['Cerebral']]),
      makePair('p3', [['Cerebral'], ['Spinal']]),
      makePair('p4', [['Spinal'], ['Cerebral']]),
    ];
    const set = makeSet(pairs, ['Cerebral', 'Spinal']);
    const { intervals } = buildSummaryTable(set, buildCountTable(set, []));
    expect(intervals.Cerebral?.set_acc.n).toBeCloseTo(3.6, 12);
    expect(intervals.Cerebral?.individual_acc.n).toBe(6);
    expect(intervals.Cerebral?.set_acc.low).toBe(0);
  });
});

describe('reserved names', () => {
  it('refuses categories called "All" or "total", which would collide with the official row and key', () => {
    expect(() => buildSummaryTable(setWith({ All: 1 }, 1), emptyCountTable(['All']))).toThrow(
      /cannot be called "All"/,
    );
    expect(() => emptyCountTable(['total'])).toThrow(/cannot be called "total"/);
  });
});
