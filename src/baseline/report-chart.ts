import {
  type CategoryChartInput,
  type CategoryValue,
  type ChartSeries,
  renderCategoryChart,
} from '../charts/index.js';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { CHANCE } from '../scoring/intervals.js';
import type { AnsweredPair } from './answered-pair.js';
import type { AnswerRow } from './history.js';
import type { Profile } from './profile.js';
import { answeredPairs, type BaselineReport, type Estimate, type GroupReport } from './report.js';

/**
 * The report as pictures: per category, a group of people against its majority vote and each model, on
 * the pairs that group answered (set accuracy, the report's 95% two-way bootstrap intervals where there
 * are enough pairs and people, the chance line). One chart for everyone
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
  const { report } = options;
  const answered = reportedPairs(options);
  const levels = report.groups.filter((g) => g.group !== 'all');
  const charted = report.groups.filter((g) => g.group === 'all' || levels.length > 1);
  const out: Array<{ name: string; input: CategoryChartInput }> = [];
  for (const group of charted) {
    const members = group.group === 'all' ? answered : answered.filter((a) => a.group === group.group);
    out.push({
      name: reportChartFileName(group.group),
      input: await groupChartInput(report, group, members),
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
  report: BaselineReport,
  group: GroupReport,
  members: readonly AnsweredPair[],
): Promise<CategoryChartInput> {
  const pairs = distinctPairs(members);
  if (pairs.length !== group.crowd.pairs) {
    throw new Error(
      `report charts: group ${group.group} answered ${pairs.length} pairs, the report ${group.crowd.pairs}`,
    );
  }
  // Every series takes its figures and intervals from the report, so people, the majority vote and the
  // models share one interval method (the two-way bootstrap) on the same pairs.
  const people = estimateSeries(
    `${group.label} (${group.participants} ${group.participants === 1 ? 'person' : 'people'})`,
    'people',
    group.rows.map((r) => ({ category: r.category, estimate: r.setAccuracy })),
  );
  const majority = estimateSeries(
    MAJORITY,
    'people',
    group.crowd.rows.map((r) => ({ category: r.category, estimate: r.setAccuracy })),
  );
  const taken = new Set([people.name, majority.name]);
  const modelSeries: ChartSeries[] = [];
  for (const model of group.models) {
    const name = taken.has(model.modelId) ? `${model.modelId} (model)` : model.modelId;
    taken.add(name);
    modelSeries.push(
      estimateSeries(
        name,
        'model',
        model.rows.map((r) => ({ category: r.category, estimate: r.setAccuracy })),
      ),
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

/** A series from report estimates: the value, its interval when there is one, and its trials. */
function estimateSeries(
  name: string,
  kind: ChartSeries['kind'],
  rows: ReadonlyArray<{ category: string; estimate: Estimate | null }>,
): ChartSeries {
  return {
    name,
    kind,
    values: rows.map(({ category, estimate: e }): CategoryValue => {
      return e === null || e.n === 0
        ? { category, setAcc: null, low: null, high: null, n: 0 }
        : {
            category,
            setAcc: clamp(e.value),
            low: e.low === null ? null : clamp(e.low),
            high: e.high === null ? null : clamp(e.high),
            n: e.n,
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
