import { beforeAll, describe, expect, it } from 'vitest';
import {
  chartInputFromStats,
  chartSeriesFromSummaryTable,
  renderCategoryChart,
} from '../../src/charts/index.js';
import type { ConfusingPair, Option, PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { pairHasCategory } from '../../src/quiz/pairs.js';
import { type Comparison, compare, type ScoredInstance } from '../../src/quiz/tallies.js';
import { buildCountTable } from '../../src/scoring/count-table.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { buildSummaryTable } from '../../src/scoring/summary-table.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';

let set: PairSet;
let comparison: Comparison;
/** The pairs played: every Cerebral pair, and no Pulmonary one. */
let played: ConfusingPair[];

const right = (pair: ConfusingPair): [Option, Option] => [pair.images[0].correct, pair.images[1].correct];

beforeAll(async () => {
  set = await loadOfficialSetStrict(SHARED_DATASET_DIR);
  played = set.pairs.filter((p) => pairHasCategory(p, 'Cerebral') && !pairHasCategory(p, 'Pulmonary'));
  // Two people: one gets everything right, one answers "A" twice; the model always answers "A".
  const people: ScoredInstance[] = played.flatMap((pair) => [
    { pair, score: scorePair(pair, right(pair)) },
    { pair, score: scorePair(pair, ['A', 'A']) },
  ]);
  const model = played.map((pair) => ({ pair, score: scorePair(pair, ['A', 'A']) }));
  comparison = compare(set, people, new Map([['always-a', model]]));
});

describe('chartInputFromStats', () => {
  it('puts people first, then each model, over the set categories and All', () => {
    const input = chartInputFromStats(comparison, { title: 'Server stats' });
    expect(input.title).toBe('Server stats');
    expect(input.categories).toEqual([...set.categories, 'All']);
    expect(input.series.map((s) => [s.name, s.kind])).toEqual([
      ['People', 'people'],
      ['always-a', 'model'],
    ]);
    expect(input.chance).toBe(25);
  });

  it('carries each row: set accuracy, its 95% interval and the answered pairs', () => {
    const input = chartInputFromStats(comparison, { title: 'Server stats' });
    const people = input.series[0];
    const row = comparison.people.rows.find((r) => r.category === 'Cerebral');
    expect(row?.n).toBe(2 * played.length);
    expect(people?.values.find((v) => v.category === 'Cerebral')).toEqual({
      category: 'Cerebral',
      setAcc: row?.setAccuracy,
      low: row?.setInterval.low,
      high: row?.setInterval.high,
      n: row?.n,
    });
    // Half the people's answers were all right; the always-A person gets the pairs whose answers are A, A.
    const all = people?.values.find((v) => v.category === 'All');
    expect(all?.n).toBe(2 * played.length);
    expect(all?.setAcc).toBeGreaterThanOrEqual(50);
  });

  it('marks a category nobody answered as no data, not as 0%', () => {
    const input = chartInputFromStats(comparison, { title: 'Server stats' });
    for (const series of input.series) {
      expect(series.values.find((v) => v.category === 'Pulmonary')).toEqual({
        category: 'Pulmonary',
        setAcc: null,
        low: null,
        high: null,
        n: 0,
      });
    }
  });

  it('takes display names and can leave out the All group', () => {
    const input = chartInputFromStats(comparison, {
      title: 'Session 3',
      peopleLabel: 'This room',
      modelLabel: (id) => `Model ${id}`,
      includeAll: false,
    });
    expect(input.series.map((s) => s.name)).toEqual(['This room', 'Model always-a']);
    expect(input.categories).toEqual(set.categories);
    for (const s of input.series) expect(s.values.map((v) => v.category)).toEqual(set.categories);
  });

  it('feeds the renderer directly', async () => {
    const chart = await renderCategoryChart(chartInputFromStats(comparison, { title: 'Server stats' }));
    expect(chart.alt).toContain('Pulmonary no answers');
    expect(chart.alt).toContain('always-a: Cerebral');
  });

  it('gives the empty chart for a scope with no rounds yet', async () => {
    const empty = compare(set, [], new Map());
    const chart = await renderCategoryChart(chartInputFromStats(empty, { title: 'New server' }));
    expect(chart.alt).toBe('New server: no answers yet, so there is nothing to compare.');
  });
});

describe('chartSeriesFromSummaryTable', () => {
  it('turns an official score table into a series, with the official denominators as n', () => {
    const scored = set.pairs.map((pair) => ({ pair, score: scorePair(pair, ['A', 'A']) }));
    const table = buildSummaryTable(set, buildCountTable(set, scored));
    const series = chartSeriesFromSummaryTable('always-a (official set)', table);
    expect(series.kind).toBe('model');
    expect(series.values.map((v) => v.category)).toEqual([...set.categories, 'All']);
    const cerebral = series.values.find((v) => v.category === 'Cerebral');
    expect(cerebral).toEqual({
      category: 'Cerebral',
      setAcc: table.full.Cerebral?.set_acc,
      low: table.intervals.Cerebral?.set_acc.low,
      high: table.intervals.Cerebral?.set_acc.high,
      n: set.categoryCounts.Cerebral,
    });
    expect(series.values.find((v) => v.category === 'All')?.n).toBe(set.pairs.length);
  });
});
