import { renderSummaryTable } from '../scoring/summary-text.js';
import { coverageNotice } from './partial-set.js';
import type { RunRecord } from './records.js';

/**
 * The printed form of a run: what was asked, how each image ended, the official table with intervals, and
 * what it cost. Made from the run record alone, so `probe report` prints the same as the run did.
 */

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
    `Run ${record.id}: ${record.model.id} (${record.model.provider} ${record.model.model}), protocol ${record.protocol}${record.variant === 'official' ? '' : `, variant ${record.variant}`}${judge}`,
  );
  out.push(
    `Status ${record.status}; started ${record.startedAt}${record.finishedAt ? `, finished ${record.finishedAt}` : ''}`,
  );
  if (record.params.coverage) out.push(coverageNotice(record.params.coverage, record.pairIds.length));
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
  if (record.params.generation) out.push(`Generation: ${record.params.generation}.`);
  if (record.status === 'failed' && record.failure) out.push(`Stopped at once: ${record.failure.message}`);
  if (
    record.status === 'stopped-by-budget' ||
    record.status === 'interrupted' ||
    record.status === 'failed' ||
    record.status === 'running'
  ) {
    out.push('Run the same command again to continue: answered images come from the cache.');
  }
  if (record.outDir) out.push(`Result files: ${record.outDir}`);
  return `${out.join('\n')}\n`;
}
