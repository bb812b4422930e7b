import { AttachmentBuilder } from 'discord.js';
import { type CategoryChartInput, chartInputFromStats, renderCategoryChart } from '../charts/index.js';
import type { Logger } from '../logger.js';
import type { ScopeStats } from '../quiz/stats.js';
import type { SessionSummary } from '../quiz/summary.js';
import type { Comparison } from '../quiz/tallies.js';
import { answeredCategories, scopeLabel } from './quiz-tables.js';

/**
 * The charts beside the result tables: people against each model per category (set accuracy, 95%
 * intervals, the chance line), for /stats and the end-of-session summary. A chart is an extra: when it
 * cannot be drawn the message goes out without it.
 */

export const STATS_CHART_FILE = 'stats.png';
export const SUMMARY_CHART_FILE = 'quiz-results.png';

const PEOPLE = 'People';

function chartInput(
  comparison: Comparison,
  title: string,
  categories: readonly string[],
): CategoryChartInput {
  const input = chartInputFromStats(comparison, {
    title,
    peopleLabel: PEOPLE,
    // Series names must differ; a model called "People" would otherwise break the chart.
    modelLabel: (id) => (id === PEOPLE ? `${id} (model)` : id),
  });
  const keep = new Set(categories);
  // The chart input lists `All` last; keep that order rather than the tables' `All` first.
  return {
    ...input,
    categories: input.categories.filter((c) => keep.has(c)),
    series: input.series.map((s) => ({ ...s, values: s.values.filter((v) => keep.has(v.category)) })),
  };
}

/**
 * /stats: the categories the table shows (anything answered, or the one asked for), titled like the
 * table. The scope's name never holds a user's name, so the chart is as private as the table.
 */
export function statsChartInput(stats: ScopeStats, category: string | null): CategoryChartInput {
  const title = `People vs models · ${scopeLabel(stats.scope)}${category ? ` · ${category}` : ''}`;
  return chartInput(
    stats.comparison,
    title,
    category === null ? answeredCategories(stats.comparison) : [category],
  );
}

/** The session summary: the categories of the pairs played, people against the session's models. */
export function summaryChartInput(summary: SessionSummary): CategoryChartInput {
  return chartInput(
    summary.comparison,
    'People vs models on these questions',
    answeredCategories(summary.comparison),
  );
}

/**
 * The chart as an attachment whose description is its alt text, or null (logged) when drawing it failed,
 * so that the caller sends its message without it.
 */
export async function chartAttachment(
  input: CategoryChartInput,
  name: string,
  log: Logger,
): Promise<AttachmentBuilder | null> {
  try {
    const chart = await renderCategoryChart(input);
    return new AttachmentBuilder(chart.png, { name, description: chart.alt });
  } catch (err) {
    log.error({ err, chart: name }, 'could not draw a results chart; sending the message without it');
    return null;
  }
}

/** The /stats chart, or null when nothing has been revealed in the scope (the table says so) or on failure. */
export function statsChartAttachment(
  stats: ScopeStats,
  category: string | null,
  log: Logger,
): Promise<AttachmentBuilder | null> {
  if (stats.rounds === 0) return Promise.resolve(null);
  return chartAttachment(statsChartInput(stats, category), STATS_CHART_FILE, log);
}

/** The summary's chart, or null when no question was revealed (the summary has no comparison) or on failure. */
export function summaryChartAttachment(
  summary: SessionSummary,
  log: Logger,
): Promise<AttachmentBuilder | null> {
  if (summary.roundsPlayed === 0) return Promise.resolve(null);
  return chartAttachment(summaryChartInput(summary), SUMMARY_CHART_FILE, log);
}
