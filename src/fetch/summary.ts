import { formatImageFailure } from './failure-report.js';
import {
  type FetchPhase,
  type FetchSummary,
  type ItemResult,
  type ItemStatus,
  NOT_RECORDED,
} from './fetch-data.js';

export type Counts = Record<ItemStatus, number>;

export function countItems(items: readonly ItemResult[], phase?: FetchPhase): Counts {
  const counts: Counts = { downloaded: 0, skipped: 0, failed: 0, interrupted: 0 };
  for (const item of items) if (phase === undefined || item.phase === phase) counts[item.status]++;
  return counts;
}

/** True when the command must exit non-zero. */
export function fetchFailed(summary: FetchSummary): boolean {
  const counts = countItems(summary.items);
  return counts.failed > 0 || summary.interrupted;
}

function phaseLine(label: string, items: readonly ItemResult[], phase: FetchPhase): string | null {
  const mine = items.filter((item) => item.phase === phase);
  if (mine.length === 0) return null;
  const counts = countItems(mine);
  const bySource = new Map<string, number>();
  for (const item of mine) {
    if (item.status === 'downloaded' && item.source)
      bySource.set(item.source, (bySource.get(item.source) ?? 0) + 1);
  }
  const sources = bySource.size > 0 ? ` (${[...bySource].map(([s, n]) => `${n} from ${s}`).join(', ')})` : '';
  const interrupted = counts.interrupted > 0 ? `, ${counts.interrupted} not done (interrupted)` : '';
  return `  ${label}${counts.downloaded} downloaded${sources}, ${counts.skipped} already present, ${counts.failed} failed${interrupted}`;
}

/** The end-of-run report: counts, files replaced, every failure with each source tried, what to do. */
export function formatSummary(summary: FetchSummary): string {
  const lines: string[] = [`MediConfusion data in ${summary.dataDir}`];
  const dataset = phaseLine('dataset files: ', summary.items, 'dataset');
  const images = phaseLine('images:        ', summary.items, 'images');
  if (dataset) lines.push(dataset);
  if (images) lines.push(images);

  const replaced = summary.items.filter((item) => item.replaced && item.status !== 'interrupted');
  const noteworthy = replaced.filter((item) => item.replaced !== NOT_RECORDED);
  if (noteworthy.length > 0) {
    lines.push('', `Files already on disk that were not kept (${noteworthy.length}):`);
    for (const item of noteworthy) lines.push(`  ${item.path} ${item.replaced}`);
  }
  const unrecorded = replaced.length - noteworthy.length;
  if (unrecorded > 0) {
    lines.push(
      '',
      `${unrecorded} file(s) already on disk were not recorded in manifest.json, so they were fetched again; next time, import images you have with --from DIR.`,
    );
  }

  const failed = summary.items.filter((item) => item.status === 'failed');
  if (failed.length > 0) {
    lines.push('', `Failed (${failed.length}):`);
    for (const item of failed) {
      lines.push(
        ...formatImageFailure({
          path: item.path,
          describes: item.describes,
          article: item.article,
          licence: item.licence,
          attempts: item.attempts,
        }),
      );
    }
  }

  const advice: string[] = [];
  if (summary.interrupted) {
    advice.push(
      'The fetch was interrupted. Run the same command again to resume: files already fetched are verified and kept, not downloaded again.',
    );
  }
  if (failed.some((item) => item.phase === 'dataset')) {
    advice.push(
      'A dataset file could not be fetched: check the connection and MEDICONFUSION_DATASET_URL, MEDICONFUSION_STATISTICS_URL and MEDICONFUSION_PROMPTS_URL, then run the command again.',
    );
  }
  if (failed.some((item) => item.phase === 'images')) {
    advice.push(
      'Each failed image says above what to do. `mediconfusion data status` shows the same list at any time; `npm start` and `probe run` use every pair whose two images are present.',
    );
  }
  if (advice.length > 0) lines.push('', ...advice);
  else lines.push('', 'Everything is in place.');
  return `${lines.join('\n')}\n`;
}
