import type { Comparison, Tally } from '../quiz/tallies.js';
import { ALL_ROW, type SummaryTable } from '../scoring/summary-table.js';
import type { CategoryChartInput, CategoryValue, ChartSeries } from './chart-input.js';

export interface FromStatsOptions {
  title: string;
  /** Legend name of the people series (default "People"). */
  peopleLabel?: string;
  /** Legend name of a model (default: its id). */
  modelLabel?: (modelId: string) => string;
  /** Add the `All` group after the categories (default true). */
  includeAll?: boolean;
}

/** Rates computed as k / (n / 100) can land a hair outside 0–100 (100.00000000000001). */
const clampPercent = (value: number) => Math.min(100, Math.max(0, value));

function seriesOfTally(tally: Tally, name: string, kind: ChartSeries['kind']): ChartSeries {
  return {
    name,
    kind,
    values: tally.rows.map(
      (row): CategoryValue =>
        row.n === 0
          ? { category: row.category, setAcc: null, low: null, high: null, n: 0 }
          : {
              category: row.category,
              setAcc: clampPercent(row.setAccuracy),
              low: clampPercent(row.setInterval.low),
              high: clampPercent(row.setInterval.high),
              n: row.n,
            },
    ),
  };
}

function withoutAll(input: CategoryChartInput): CategoryChartInput {
  return {
    ...input,
    categories: input.categories.filter((c) => c !== ALL_ROW),
    series: input.series.map((s) => ({ ...s, values: s.values.filter((v) => v.category !== ALL_ROW) })),
  };
}

/**
 * The chart of a stats scope or a session summary (`ScopeStats.comparison`, `SessionSummary.comparison`):
 * people first, then each model, over the set's categories and `All`. A row with no answered pair shows
 * as "n=0" rather than as a 0% bar.
 */
export function chartInputFromStats(comparison: Comparison, options: FromStatsOptions): CategoryChartInput {
  const modelLabel = options.modelLabel ?? ((id: string) => id);
  const input: CategoryChartInput = {
    title: options.title,
    categories: comparison.people.rows.map((r) => r.category),
    series: [
      seriesOfTally(comparison.people, options.peopleLabel ?? 'People', 'people'),
      ...comparison.models.map((m) => seriesOfTally(m, modelLabel(m.who), 'model')),
    ],
    chance: comparison.chance.setAccuracy,
  };
  return options.includeAll === false ? withoutAll(input) : input;
}

/**
 * One series from an official score table (a probe run or a baseline), e.g. to chart several models' runs
 * side by side. Each category's n is its official denominator; a category with none shows as "n=0".
 */
export function chartSeriesFromSummaryTable(
  name: string,
  table: SummaryTable,
  kind: ChartSeries['kind'] = 'model',
): ChartSeries {
  return {
    name,
    kind,
    values: table.rows.map((category): CategoryValue => {
      const row = table.full[category];
      const interval = table.intervals[category]?.set_acc;
      if (row === undefined || interval === undefined || row.total === 0) {
        return { category, setAcc: null, low: null, high: null, n: 0 };
      }
      return {
        category,
        setAcc: clampPercent(row.set_acc),
        low: clampPercent(interval.low),
        high: clampPercent(interval.high),
        n: row.total,
      };
    }),
  };
}
