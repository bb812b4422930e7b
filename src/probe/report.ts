import { CHANCE } from '../scoring/intervals.js';
import { ALL_ROW, type SummaryTable } from '../scoring/summary-table.js';
import type { RunRecord } from './records.js';

/**
 * The printed form of a run: what was asked, how each image ended, the official table with intervals, and
 * what it cost. Made from the run record alone, so `probe report` prints the same as the run did.
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

export function formatUsd(value: number): string {
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/** The whole report of a run: header, outcomes, table, tokens and cost, and where the files are. */
export function renderRunReport(record: RunRecord): string {
  const out: string[] = [];
  const judge = record.judge
    ? `, judge ${record.judge.id} (temperature ${record.params.judgeTemperature})`
    : '';
  out.push(
    `Run ${record.id}: ${record.model.id} (${record.model.provider} ${record.model.model}), protocol ${record.protocol}${judge}`,
  );
  out.push(
    `Status ${record.status}; started ${record.startedAt}${record.finishedAt ? `, finished ${record.finishedAt}` : ''}`,
  );
  const c = record.counts;
  out.push(
    `Images ${c.images}: ${c.answered} answered, ${c.invalid} invalid, ${c.error} error${c.pending > 0 ? `, ${c.pending} not asked yet` : ''}` +
      ` (${c.correct} correct). Requests ${c.requests}, cached replies used ${c.cacheHits}.`,
  );
  out.push('');
  if (record.summary === null) {
    out.push('No table yet: the run has not finished.');
  } else {
    out.push(renderSummaryTable(record.summary));
    out.push(
      `Percentages as the official script rounds them; 95% CI: Wilson intervals. Invalid counts both INVALID` +
        ` replies and ERROR requests, as the official scoring does (they are listed apart above).` +
        (c.pending > 0
          ? ` Pairs not finished add nothing, while All still divides by every pair of the run.`
          : ''),
    );
  }
  out.push('');
  out.push(
    `Tokens: ${record.usage.inputTokens} in, ${record.usage.outputTokens} out; cost ${formatUsd(record.usage.costUsd)} (this run's requests).`,
  );
  if (record.status === 'stopped-by-budget' || record.status === 'interrupted') {
    out.push('Run the same command again to continue: answered images come from the cache.');
  }
  if (record.outDir) out.push(`Result files: ${record.outDir}`);
  return `${out.join('\n')}\n`;
}
