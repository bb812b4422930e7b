import {
  type CategoryChartInput,
  type CategoryValue,
  type ChartSeries,
  chartSeriesFromSummaryTable,
  renderCategoryChart,
} from '../charts/index.js';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { buildCountTable, categorySlotCounts } from '../scoring/count-table.js';
import { CHANCE } from '../scoring/intervals.js';
import type { PairScore } from '../scoring/pair-score.js';
import { buildSummaryTable, type SummaryTable } from '../scoring/summary-table.js';
import type { AnswerRow } from './history.js';
import type { Profile } from './profile.js';
import {
  type AnsweredPair,
  answeredPairs,
  type BaselineReport,
  type GroupReport,
  ModelAnswers,
} from './report.js';

/**
 * The report as pictures: per category, a group of people against its majority vote and each model, on
 * the pairs that group answered (set accuracy, 95% intervals, the chance line). One chart for everyone
 * and, when people gave several training levels, one per level: the chart's theme has two colours for
 * people, so levels get charts of their own rather than sharing colours in one legend.
 */

export const REPORT_CHART_FILE = 'report-chart.png';

export function reportChartFileName(group: GroupReport['group']): string {
  return group === 'all' ? REPORT_CHART_FILE : `report-chart-${group}.png`;
}

export interface ReportChart {
  name: string;
  png: Buffer;
  /** Every bar as text (the chart's alt text). */
  alt: string;
}

export interface ReportChartOptions {
  set: PairSet;
  report: BaselineReport;
  /** The answer history the report was built from. */
  rows: readonly AnswerRow[];
  profiles: ReadonlyMap<string, Profile>;
  models?: { source: ModelAnswerSource; ids: readonly string[] };
  log?: Logger;
}

const MAJORITY = 'Majority vote';

/**
 * The report's charts. A chart that cannot be drawn is logged and left out: the export's tables matter
 * more than its pictures.
 */
export async function reportCharts(options: ReportChartOptions): Promise<ReportChart[]> {
  const { report, log } = options;
  let inputs: Array<{ name: string; input: CategoryChartInput }>;
  try {
    inputs = await reportChartInputs(options);
  } catch (err) {
    log?.error({ err }, 'could not gather the report charts; exporting without them');
    return [];
  }
  const charts: ReportChart[] = [];
  for (const { name, input } of inputs) {
    try {
      const chart = await renderCategoryChart(input);
      charts.push({ name, png: chart.png, alt: chart.alt });
    } catch (err) {
      log?.error({ err, file: name, set: report.set }, 'could not draw a report chart; exporting without it');
    }
  }
  return charts;
}

/** What each chart shows: everyone's, then each training level's when there are several. */
export async function reportChartInputs(
  options: ReportChartOptions,
): Promise<Array<{ name: string; input: CategoryChartInput }>> {
  const { set, report } = options;
  const answered = reportedPairs(options);
  const models = new ModelScores(options.models, options.log);
  const levels = report.groups.filter((g) => g.group !== 'all');
  const charted = report.groups.filter((g) => g.group === 'all' || levels.length > 1);
  const out: Array<{ name: string; input: CategoryChartInput }> = [];
  for (const group of charted) {
    const members = group.group === 'all' ? answered : answered.filter((a) => a.group === group.group);
    out.push({
      name: reportChartFileName(group.group),
      input: await groupChartInput(set, report, group, members, models),
    });
  }
  return out;
}

/** The answered pairs the report counted, selected as buildReport selects them (same options). */
function reportedPairs(options: ReportChartOptions): AnsweredPair[] {
  const { set, report } = options;
  const { answered } = answeredPairs(
    options.rows,
    new Map(set.pairs.map((p) => [p.id, p])),
    options.profiles,
    report.options.contexts,
  );
  const kept = report.options.excludeSeenBefore
    ? answered.filter((a) => !a.seenBefore[0] && !a.seenBefore[1])
    : answered;
  if (kept.length !== report.counts.instances) {
    throw new Error(
      `report charts: ${kept.length} answered pairs, but the report counted ${report.counts.instances}`,
    );
  }
  return kept;
}

async function groupChartInput(
  set: PairSet,
  report: BaselineReport,
  group: GroupReport,
  members: readonly AnsweredPair[],
  models: ModelScores,
): Promise<CategoryChartInput> {
  const pairs = distinctPairs(members);
  if (pairs.length !== group.crowd.pairs) {
    throw new Error(
      `report charts: group ${group.group} answered ${pairs.length} pairs, the report ${group.crowd.pairs}`,
    );
  }
  const people = peopleSeries(group);
  // The majority vote answers each pair once, like a model: its official table, over the pairs answered.
  const majority = chartSeriesFromSummaryTable(
    MAJORITY,
    buildSummaryTable(virtualSet(set, pairs, MAJORITY), group.crowd.scoreTable),
    'people',
  );
  const taken = new Set([people.name, majority.name]);
  const modelSeries: ChartSeries[] = [];
  for (const modelId of report.options.models) {
    const name = taken.has(modelId) ? `${modelId} (model)` : modelId;
    taken.add(name);
    modelSeries.push(
      chartSeriesFromSummaryTable(name, await models.summaryTable(set, modelId, pairs), 'model'),
    );
  }
  const title =
    group.group === 'all'
      ? `Human baseline vs models · ${report.set} set`
      : `Human baseline vs models · ${group.label}`;
  return {
    title,
    categories: group.rows.map((r) => r.category),
    series: [people, majority, ...modelSeries],
    chance: CHANCE.setAccuracy,
  };
}

/** The group's own accuracy rows: official rates over what it answered, with the report's intervals. */
function peopleSeries(group: GroupReport): ChartSeries {
  const who = `${group.participants} ${group.participants === 1 ? 'person' : 'people'}`;
  return {
    name: `${group.label} (${who})`,
    kind: 'people',
    values: group.rows.map((row): CategoryValue => {
      const e = row.setAccuracy;
      return e === null || row.n === 0
        ? { category: row.category, setAcc: null, low: null, high: null, n: 0 }
        : {
            category: row.category,
            setAcc: clamp(e.value),
            low: clamp(e.low),
            high: clamp(e.high),
            n: row.n,
          };
    }),
  };
}

const clamp = (value: number) => Math.min(100, Math.max(0, value));

function distinctPairs(answered: readonly AnsweredPair[]): ConfusingPair[] {
  const byId = new Map<string, ConfusingPair>();
  for (const a of answered) byId.set(a.pair.id, a.pair);
  return [...byId.values()];
}

/** A set holding just these pairs, so the official rates divide by what was answered, not by the whole set. */
function virtualSet(set: PairSet, pairs: readonly ConfusingPair[], who: string): PairSet {
  return {
    ...set,
    name: `${set.name}:${who}`,
    pairs: [...pairs],
    categoryCounts: categorySlotCounts(pairs, set.categories),
  };
}

/** Model answers, fetched once per model and pair whatever the number of charts. */
class ModelScores {
  private readonly answers: ModelAnswers;

  constructor(models: ReportChartOptions['models'], log: Logger | undefined) {
    this.answers = new ModelAnswers(models, log);
  }

  /** The model's official table over the given pairs it answered (a failed answer says nothing of its skill). */
  async summaryTable(set: PairSet, modelId: string, pairs: readonly ConfusingPair[]): Promise<SummaryTable> {
    const scored: Array<{ pair: ConfusingPair; score: PairScore }> = [];
    for (const pair of pairs) {
      const score = await this.answers.scoreOf(modelId, pair);
      if (score !== null) scored.push({ pair, score });
    }
    const virtual = virtualSet(
      set,
      scored.map((s) => s.pair),
      modelId,
    );
    return buildSummaryTable(virtual, buildCountTable(virtual, scored));
  }
}
