import { CHANCE } from './intervals.js';
import { ALL_ROW, type SummaryTable } from './summary-table.js';

/**
 * The score table as text, for terminals and logs: the official rows and columns, rounded as the official
 * printing script shows them, with 95% Wilson intervals and a chance row. `score` and `probe` print the same.
 */

const COLUMNS = [
  { title: 'Category', left: true },
  { title: 'Total', left: false },
  { title: 'Set acc.', left: false },
  { title: '95% CI', left: true },
  { title: 'Individual acc.', left: false },
  { title: '95% CI', left: true },
  { title: 'Confused', left: false },
  { title: 'Valid pairs', left: false },
  { title: 'Invalid', left: false },
  { title: 'Precision', left: false },
  { title: 'Precision total', left: false },
] as const;

const pct = (value: number) => value.toFixed(2);
const ci = (range: { low: number; high: number } | undefined) =>
  range ? `[${range.low.toFixed(1)}, ${range.high.toFixed(1)}]` : '';

/** The official columns (rounded as the official script prints them) plus Wilson intervals and a chance row. */
export function renderSummaryTable(summary: SummaryTable, options: { intervals?: boolean } = {}): string {
  const withIntervals = options.intervals ?? true;
  const rows = summary.rows.map((name) => {
    const row = summary.rounded[name];
    const range = summary.intervals[name];
    if (!row) throw new Error(`summary has no row ${name}`);
    return [
      name,
      String(row.total),
      pct(row.set_acc),
      withIntervals ? ci(range?.set_acc) : '',
      pct(row.individual_acc),
      withIntervals ? ci(range?.individual_acc) : '',
      pct(row.confused),
      String(row.valid_pairs),
      pct(row.invalid),
      pct(row.precision),
      String(row.precision_total),
    ];
  });
  rows.push([
    'Chance',
    '',
    pct(CHANCE.setAccuracy),
    '',
    pct(CHANCE.individualAccuracy),
    '',
    pct(CHANCE.confusion),
    '',
    '',
    '',
    '',
  ]);
  const table = [COLUMNS.map((c) => c.title), ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((cells) => (cells[i] ?? '').length)));
  const lines = table.map((cells) =>
    cells
      .map((cell, i) => (COLUMNS[i]?.left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));
  lines.splice(summary.rows.indexOf(ALL_ROW) + 1, 0, rule);
  lines.splice(1, 0, rule);
  return `${lines.join('\n')}\n`;
}

/** What the columns mean, printed under the table. */
export const SUMMARY_TABLE_LEGEND = [
  'Percentages, rounded as the official script rounds them. 95% CI: Wilson intervals (set accuracy per',
  'category uses the effective number of pairs, since a pair counts twice when both images share the category).',
  'Confused: share of pairs with two valid answers that got the same letter twice. Valid pairs: pairs with two',
  'valid answers. Precision: set accuracy among valid, unconfused pairs (Precision total of them).',
  'Chance: what random guessing scores.',
].join('\n');
