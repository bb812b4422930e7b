import type { PairSet } from '../dataset/model.js';
import { wilsonInterval } from '../scoring/intervals.js';
import { ALL_ROW } from '../scoring/summary-table.js';
import type { ImageResult, RunRecord } from './records.js';

/**
 * `probe compare`: runs of one model side by side (usually the same mode under different variants). Per
 * category: each run's set accuracy and confusion from its official table, and how often the model's choice
 * for the same image changed from the first run (its flip rate). Choices are compared in the dataset's
 * option order (variants.ts maps them back), so a model that answers by content keeps its choices when the
 * options are swapped, and a model that always answers "A" flips on every image.
 */

export interface ComparedRun {
  record: RunRecord;
  results: readonly ImageResult[];
}

export interface RateWithInterval {
  /** Percent, and the 95% Wilson interval in percent. */
  rate: number;
  low: number;
  high: number;
  /** Images compared (both runs chose an option for it). */
  n: number;
  flips: number;
}

export interface CompareRow {
  /** A category name, or `All`. */
  category: string;
  /** Per run, in the order given: set accuracy and confusion in percent (null when the run has no table). */
  runs: Array<{ setAcc: number | null; confused: number | null }>;
  /** Per run after the first: its flip rate against the first run. */
  flips: RateWithInterval[];
}

export interface Comparison {
  runs: Array<{ id: string; model: string; protocol: string; variant: string }>;
  rows: CompareRow[];
}

function flipRate(flips: number, n: number): RateWithInterval {
  const interval = wilsonInterval(flips, n);
  return {
    rate: n > 0 ? (flips / n) * 100 : 0,
    low: interval.low * 100,
    high: interval.high * 100,
    n,
    flips,
  };
}

export function compareRuns(set: PairSet, runs: readonly ComparedRun[]): Comparison {
  const pairs = new Map(set.pairs.map((p) => [p.id, p]));
  const categoriesOf = (r: ImageResult) => pairs.get(r.pairId)?.images[r.slot].categories ?? [];
  const categories = [...set.categories, ALL_ROW];
  const chosen = runs.map((run) => new Map(run.results.map((r) => [`${r.pairId}/${r.slot}`, r] as const)));
  const [baseline] = chosen;
  const rows = categories.map((category): CompareRow => {
    const inRow = (r: ImageResult) => category === ALL_ROW || categoriesOf(r).includes(category);
    const flips = chosen.slice(1).map((other) => {
      let n = 0;
      let changed = 0;
      for (const [key, first] of baseline ?? []) {
        const second = other.get(key);
        if (!second || first.chosen === null || second.chosen === null || !inRow(first)) continue;
        n += 1;
        if (first.chosen !== second.chosen) changed += 1;
      }
      return flipRate(changed, n);
    });
    return {
      category,
      runs: runs.map(({ record }) => {
        const row = record.summary?.full[category];
        return { setAcc: row?.set_acc ?? null, confused: row?.confused ?? null };
      }),
      flips,
    };
  });
  return {
    runs: runs.map(({ record }) => ({
      id: record.id,
      model: record.model.id,
      protocol: record.protocol,
      variant: record.variant,
    })),
    rows,
  };
}

const num = (x: number | null) => (x === null ? '-' : x.toFixed(2));

/** The comparison as a text table: one line per category, runs as column groups. */
export function renderComparison(comparison: Comparison): string {
  const out: string[] = [];
  comparison.runs.forEach((run, i) => {
    out.push(`[${i + 1}] ${run.id}: ${run.model}, ${run.protocol}, variant ${run.variant}`);
  });
  out.push('');
  const header = ['category'];
  comparison.runs.forEach((_, i) => {
    header.push(`[${i + 1}] set acc`, `[${i + 1}] confused`);
  });
  comparison.runs.slice(1).forEach((_, i) => {
    header.push(`flips [1]→[${i + 2}] (95% CI, n)`);
  });
  const rows = comparison.rows.map((row) => [
    row.category,
    ...row.runs.flatMap((r) => [num(r.setAcc), num(r.confused)]),
    ...row.flips.map((f) => `${f.rate.toFixed(1)}% (${f.low.toFixed(1)}–${f.high.toFixed(1)}, ${f.n})`),
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const row of table) {
    out.push(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
  }
  out.push('');
  out.push(
    "Set accuracy and confusion in percent, from each run's official table. A flip is an image whose chosen option" +
      " (in the dataset's order) differs from run [1]; only images with an option chosen in both runs count." +
      ' Intervals: 95% Wilson, treating images as independent.',
  );
  return `${out.join('\n')}\n`;
}
