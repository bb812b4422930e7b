import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { pairHasCategory } from '../quiz/pairs.js';
import {
  buildCountTable,
  categorySlotCounts,
  type OfficialScoreTable,
  TOTAL_KEY,
} from '../scoring/count-table.js';
import { effectiveSampleSize, wilsonInterval } from '../scoring/intervals.js';
import { type PairScore, scorePair } from '../scoring/pair-score.js';
import { ALL_ROW, buildSummaryTable } from '../scoring/summary-table.js';
import { type AnswerContext, type AnswerRow, instanceOf } from './history.js';
import { type Profile, TRAINING_LEVELS, type TrainingLevel, trainingLevelLabel } from './profile.js';
import {
  type BootstrapOptions,
  bootstrapShare,
  DEFAULT_BOOTSTRAP,
  majorityOption,
  mcnemarExact,
  type PairCluster,
} from './statistics.js';

/** A rate in percent with its 95% interval and the number of trials behind it. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
  n: number;
  /** `bootstrap-pairs`: percentile bootstrap resampling pairs; `wilson`: Wilson score interval. */
  method: 'bootstrap-pairs' | 'wilson';
}

export interface AccuracyRow {
  /** A category of the set, or `All`. */
  category: string;
  /** Answered pairs (one per person and pair) with an image in this category. */
  n: number;
  /** Distinct pairs among them. */
  pairs: number;
  participants: number;
  /** Both images right; official per-category weighting (a pair counts twice when both images list it). */
  setAccuracy: Estimate | null;
  /** Images answered right; n is the number of image answers. */
  individualAccuracy: Estimate | null;
  /** Same option for both images, among pairs with both answered; n is the (effective) number of pairs. */
  confusion: Estimate | null;
}

export interface CrowdReport {
  /** Pairs the group answered: each gets the majority's answer, as a model gives one answer per pair. */
  pairs: number;
  /** Images whose vote was tied: scored as invalid, as the official harness scores no clear choice. */
  tiedImages: number;
  setCorrect: number;
  setAccuracy: Estimate | null;
  individualAccuracy: Estimate | null;
  /** The official count table of the majority's answers: what `<model>_mc_score.json` holds for a model. */
  scoreTable: OfficialScoreTable;
}

export interface ModelComparison {
  modelId: string;
  status: 'tested' | 'insufficient-data' | 'no-answers';
  message: string;
  /** Pairs both the crowd and the model answered. */
  pairs: number;
  crowdSetCorrect: number;
  modelSetCorrect: number;
  /** Percent over those pairs; null without pairs. */
  crowdSetAccuracy: number | null;
  modelSetAccuracy: number | null;
  /** Pairs the crowd got right and the model wrong. */
  b: number;
  /** Pairs the model got right and the crowd wrong. */
  c: number;
  /** Exact McNemar two-sided p; null when there are too few pairs to test. */
  p: number | null;
}

export type GroupId = 'all' | TrainingLevel | 'unspecified';

export interface GroupReport {
  group: GroupId;
  label: string;
  participants: number;
  /** Answered pairs (one per person and pair). */
  instances: number;
  rows: AccuracyRow[];
  crowd: CrowdReport;
  versusModels: ModelComparison[];
}

export interface PairDifficulty {
  pairId: string;
  categories: string[];
  /** People who answered the pair. */
  n: number;
  /** Percent of them with both images right. */
  setCorrectShare: number;
  confusedShare: number;
  images: Array<{ slot: ImageSlot; localId: string; n: number; right: number; rightShare: number | null }>;
  crowdMajority: [Option | null, Option | null];
  crowdSetCorrect: boolean;
}

export interface ImageDifficulty {
  localId: string;
  categories: string[];
  /** Pairs (and slots) this image appears in. */
  appearances: Array<{ pairId: string; slot: ImageSlot }>;
  /** Answers to this image over every pair it appears in. */
  n: number;
  right: number;
  rightShare: number | null;
}

export interface ReportOptions {
  /** Which answers count: the private baseline only (default), or quiz answers of revealed rounds too. */
  contexts?: readonly AnswerContext[];
  /** Leave out answered pairs where either image had been seen before (default: keep them). */
  excludeSeenBefore?: boolean;
  bootstrap?: BootstrapOptions;
  /** Fewest pairs answered by both the crowd and a model for the paired test (default 10). */
  minPairsForTest?: number;
  models?: { source: ModelAnswerSource; ids: readonly string[] };
  log?: Logger;
  now?: Date;
}

export interface BaselineReport {
  set: string;
  generatedAt: string;
  options: {
    contexts: AnswerContext[];
    excludeSeenBefore: boolean;
    bootstrap: { seed: number; resamples: number };
    minPairsForTest: number;
    models: string[];
  };
  counts: {
    participants: number;
    instances: number;
    /** Answered pairs left out because an image had been seen before (with excludeSeenBefore). */
    excludedSeenBefore: number;
    /** Baseline pairs with one image answered so far: not scored until finished. */
    unfinishedBaseline: number;
    /** Quiz rounds answered but skipped or still open: never scored. */
    unrevealedQuiz: number;
  };
  groups: GroupReport[];
  pairDifficulty: PairDifficulty[];
  imageDifficulty: ImageDifficulty[];
}

/** One person's answer to one pair in one context (a baseline pair, or a quiz round). */
export interface AnsweredPair {
  participant: string;
  group: TrainingLevel | 'unspecified';
  pair: ConfusingPair;
  chosen: [Option | null, Option | null];
  score: PairScore;
  seenBefore: [boolean, boolean];
}

export const DEFAULT_MIN_PAIRS_FOR_TEST = 10;

/**
 * The human baseline: accuracy per category and training level with intervals, the crowd's majority scored
 * like a model, pair and image difficulty, and people against each model on the same pairs.
 */
export async function buildReport(
  set: PairSet,
  rows: readonly AnswerRow[],
  profiles: ReadonlyMap<string, Profile>,
  options: ReportOptions = {},
): Promise<BaselineReport> {
  const contexts = [...(options.contexts ?? ['baseline'])];
  const excludeSeenBefore = options.excludeSeenBefore ?? false;
  const bootstrap = options.bootstrap ?? DEFAULT_BOOTSTRAP;
  const minPairsForTest = options.minPairsForTest ?? DEFAULT_MIN_PAIRS_FOR_TEST;
  const pairs = new Map(set.pairs.map((p) => [p.id, p]));

  const { answered, unfinishedBaseline, unrevealedQuiz } = answeredPairs(rows, pairs, profiles, contexts);
  const kept = excludeSeenBefore ? answered.filter((a) => !a.seenBefore[0] && !a.seenBefore[1]) : answered;

  const models = new ModelAnswers(options.models, options.log);
  const groups: GroupReport[] = [await groupReport(set, 'all', kept, bootstrap, minPairsForTest, models)];
  for (const level of [...TRAINING_LEVELS, 'unspecified' as const]) {
    const members = kept.filter((a) => a.group === level);
    if (members.length > 0)
      groups.push(await groupReport(set, level, members, bootstrap, minPairsForTest, models));
  }

  return {
    set: set.name,
    generatedAt: (options.now ?? new Date()).toISOString(),
    options: {
      contexts,
      excludeSeenBefore,
      bootstrap: { seed: bootstrap.seed, resamples: bootstrap.resamples },
      minPairsForTest,
      models: [...(options.models?.ids ?? [])],
    },
    counts: {
      participants: new Set(kept.map((a) => a.participant)).size,
      instances: kept.length,
      excludedSeenBefore: answered.length - kept.length,
      unfinishedBaseline,
      unrevealedQuiz,
    },
    groups,
    pairDifficulty: pairDifficulty(set, kept),
    imageDifficulty: imageDifficulty(set, kept),
  };
}

/**
 * Rows grouped into answered pairs. A baseline pair counts once both images are answered; a quiz round
 * counts once revealed, an image left unanswered then scoring as invalid (as the quiz scores it).
 */
export function answeredPairs(
  rows: readonly AnswerRow[],
  pairs: ReadonlyMap<string, ConfusingPair>,
  profiles: ReadonlyMap<string, Profile>,
  contexts: readonly AnswerContext[],
): { answered: AnsweredPair[]; unfinishedBaseline: number; unrevealedQuiz: number } {
  const grouped = new Map<string, AnswerRow[]>();
  for (const row of rows) {
    if (!contexts.includes(row.context)) continue;
    const key = `${row.participant}\u0000${instanceOf(row)}`;
    const list = grouped.get(key) ?? [];
    list.push(row);
    grouped.set(key, list);
  }
  const answered: AnsweredPair[] = [];
  let unfinishedBaseline = 0;
  let unrevealedQuiz = 0;
  for (const list of grouped.values()) {
    const first = list[0] as AnswerRow;
    const pair = pairs.get(first.pairId);
    if (pair === undefined) continue;
    const bySlot: [AnswerRow | undefined, AnswerRow | undefined] = [undefined, undefined];
    for (const row of list) bySlot[row.slot] = row;
    if (first.context === 'baseline' && (bySlot[0] === undefined || bySlot[1] === undefined)) {
      unfinishedBaseline++;
      continue;
    }
    if (first.context === 'quiz' && first.roundState !== 'revealed') {
      unrevealedQuiz++;
      continue;
    }
    const chosen: [Option | null, Option | null] = [bySlot[0]?.option ?? null, bySlot[1]?.option ?? null];
    answered.push({
      participant: first.participant,
      group: profiles.get(first.participant)?.trainingLevel ?? 'unspecified',
      pair,
      chosen,
      score: scorePair(pair, chosen),
      seenBefore: [bySlot[0]?.seenBefore ?? false, bySlot[1]?.seenBefore ?? false],
    });
  }
  return { answered, unfinishedBaseline, unrevealedQuiz };
}

async function groupReport(
  set: PairSet,
  group: GroupId,
  answered: readonly AnsweredPair[],
  bootstrap: BootstrapOptions,
  minPairsForTest: number,
  models: ModelAnswers,
): Promise<GroupReport> {
  const crowd = crowdMajority(answered);
  return {
    group,
    label: group === 'all' ? 'Everyone' : trainingLevelLabel(group === 'unspecified' ? null : group),
    participants: new Set(answered.map((a) => a.participant)).size,
    instances: answered.length,
    rows: accuracyRows(set, answered, bootstrap),
    crowd: crowdReport(set, crowd),
    versusModels: await Promise.all(
      models.ids.map((modelId) => compareWithModel(modelId, crowd, models, minPairsForTest)),
    ),
  };
}

/**
 * Per category and overall. Point values come from the official count and summary tables over a "virtual
 * set" holding one entry per answered pair (as the quiz's tallies do), so they are the official rates over
 * what was answered; intervals are added here.
 */
export function accuracyRows(
  set: PairSet,
  answered: readonly AnsweredPair[],
  bootstrap: BootstrapOptions,
): AccuracyRow[] {
  const pairs = answered.map((a) => a.pair);
  const virtual: PairSet = {
    ...set,
    name: `${set.name}:people`,
    pairs,
    categoryCounts: categorySlotCounts(pairs, set.categories),
  };
  const counts = buildCountTable(virtual, answered);
  const table = buildSummaryTable(virtual, counts);
  return table.rows.map((category): AccuracyRow => {
    const isAll = category === ALL_ROW;
    const inRow = isAll ? answered : answered.filter((a) => pairHasCategory(a.pair, category));
    const full = table.full[category];
    if (inRow.length === 0 || full === undefined) {
      return {
        category,
        n: 0,
        pairs: 0,
        participants: 0,
        setAccuracy: null,
        individualAccuracy: null,
        confusion: null,
      };
    }
    const key = isAll ? TOTAL_KEY : category;
    const weight = (a: AnsweredPair) =>
      isAll
        ? 1
        : a.pair.images[0].categories.filter((c) => c === category).length +
          a.pair.images[1].categories.filter((c) => c === category).length;

    const clusters = new Map<string, PairCluster>();
    for (const a of inRow) {
      const c = clusters.get(a.pair.id) ?? { weight: 0, correct: 0 };
      c.weight += weight(a);
      if (a.score.setCorrect) c.correct += weight(a);
      clusters.set(a.pair.id, c);
    }
    const boot = bootstrapShare([...clusters.values()], bootstrap);

    const images = isAll ? 2 * inRow.length : (virtual.categoryCounts[category] ?? 0);
    const imagesRight = counts.individual_score[key] ?? 0;
    const bothValid = inRow.filter((a) => !a.score.invalid[0] && !a.score.invalid[1]);
    const confusionTrials = effectiveSampleSize(bothValid.map(weight));

    return {
      category,
      n: inRow.length,
      pairs: clusters.size,
      participants: new Set(inRow.map((a) => a.participant)).size,
      setAccuracy: {
        value: full.set_acc,
        low: boot.low * 100,
        high: boot.high * 100,
        n: inRow.length,
        method: 'bootstrap-pairs',
      },
      individualAccuracy: wilson(full.individual_acc, imagesRight, images),
      confusion:
        bothValid.length === 0
          ? null
          : wilson(full.confused, (full.confused / 100) * confusionTrials, confusionTrials),
    };
  });
}

function wilson(value: number, successes: number, n: number): Estimate {
  const bounded = Math.min(n, Math.max(0, successes));
  const { low, high } = wilsonInterval(bounded, n);
  return { value, low: low * 100, high: high * 100, n, method: 'wilson' };
}

interface CrowdPair {
  pair: ConfusingPair;
  chosen: [Option | null, Option | null];
  score: PairScore;
  ties: number;
}

/** The majority's answer per image of each answered pair (ties: no answer), in the set's pair order. */
export function crowdMajority(answered: readonly AnsweredPair[]): CrowdPair[] {
  const votes = new Map<
    string,
    { pair: ConfusingPair; picks: [Record<Option, number>, Record<Option, number>] }
  >();
  for (const a of answered) {
    const v = votes.get(a.pair.id) ?? {
      pair: a.pair,
      picks: [
        { A: 0, B: 0 },
        { A: 0, B: 0 },
      ],
    };
    for (const slot of [0, 1] as const) {
      const option = a.chosen[slot];
      if (option !== null) v.picks[slot][option]++;
    }
    votes.set(a.pair.id, v);
  }
  return [...votes.values()]
    .sort((x, y) => x.pair.id.localeCompare(y.pair.id, undefined, { numeric: true }))
    .map(({ pair, picks }) => {
      const chosen: [Option | null, Option | null] = [majorityOption(picks[0]), majorityOption(picks[1])];
      return {
        pair,
        chosen,
        score: scorePair(pair, chosen),
        ties: Number(chosen[0] === null) + Number(chosen[1] === null),
      };
    });
}

function crowdReport(set: PairSet, crowd: readonly CrowdPair[]): CrowdReport {
  const setCorrect = crowd.filter((c) => c.score.setCorrect).length;
  const imagesRight = crowd.reduce((k, c) => k + Number(c.score.correct[0]) + Number(c.score.correct[1]), 0);
  const percent = (k: number, n: number) => (n === 0 ? 0 : (k / n) * 100);
  return {
    pairs: crowd.length,
    tiedImages: crowd.reduce((k, c) => k + c.ties, 0),
    setCorrect,
    setAccuracy:
      crowd.length === 0 ? null : wilson(percent(setCorrect, crowd.length), setCorrect, crowd.length),
    individualAccuracy:
      crowd.length === 0
        ? null
        : wilson(percent(imagesRight, 2 * crowd.length), imagesRight, 2 * crowd.length),
    scoreTable: buildCountTable(set, crowd),
  };
}

/**
 * Model answers per model and pair, fetched once per report whatever the number of groups (the report's
 * charts keep one too, so each chart need not ask again).
 */
export class ModelAnswers {
  readonly ids: readonly string[];
  private readonly cache = new Map<string, Promise<PairScore | null>>();

  constructor(
    private readonly models: ReportOptions['models'],
    private readonly log: Logger | undefined,
  ) {
    this.ids = models?.ids ?? [];
  }

  /** The model's scored answer to the pair, or null when it has none (failures say nothing of its skill). */
  scoreOf(modelId: string, pair: ConfusingPair): Promise<PairScore | null> {
    const key = `${modelId}\u0000${pair.id}`;
    let found = this.cache.get(key);
    if (found === undefined) {
      found = (async () => {
        if (this.models === undefined) return null;
        try {
          const answer = await this.models.source.answersFor(modelId, pair);
          return answer.ok ? scorePair(pair, answer.chosen) : null;
        } catch (err) {
          this.log?.error({ err, modelId, pairId: pair.id }, 'model answer source failed');
          return null;
        }
      })();
      this.cache.set(key, found);
    }
    return found;
  }
}

async function compareWithModel(
  modelId: string,
  crowd: readonly CrowdPair[],
  models: ModelAnswers,
  minPairs: number,
): Promise<ModelComparison> {
  let pairs = 0;
  let crowdRight = 0;
  let modelRight = 0;
  let b = 0;
  let c = 0;
  for (const entry of crowd) {
    const model = await models.scoreOf(modelId, entry.pair);
    if (model === null) continue;
    pairs++;
    if (entry.score.setCorrect) crowdRight++;
    if (model.setCorrect) modelRight++;
    if (entry.score.setCorrect && !model.setCorrect) b++;
    if (!entry.score.setCorrect && model.setCorrect) c++;
  }
  const share = (k: number) => (pairs === 0 ? null : (k / pairs) * 100);
  const base = {
    modelId,
    pairs,
    crowdSetCorrect: crowdRight,
    modelSetCorrect: modelRight,
    crowdSetAccuracy: share(crowdRight),
    modelSetAccuracy: share(modelRight),
    b,
    c,
  };
  if (pairs === 0) {
    return {
      ...base,
      status: 'no-answers',
      message: `${modelId} has no answer for any pair people answered.`,
      p: null,
    };
  }
  if (pairs < minPairs) {
    return {
      ...base,
      status: 'insufficient-data',
      message: `Only ${pairs} pair${pairs === 1 ? '' : 's'} answered by both people and ${modelId}; the paired test needs at least ${minPairs}.`,
      p: null,
    };
  }
  const { p } = mcnemarExact(b, c);
  return {
    ...base,
    status: 'tested',
    message: `Exact McNemar test on ${pairs} pairs: people right and ${modelId} wrong on ${b}, the reverse on ${c}; p = ${formatP(p)}.`,
    p,
  };
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(2) : p.toFixed(3);
}

function pairDifficulty(set: PairSet, answered: readonly AnsweredPair[]): PairDifficulty[] {
  const crowd = new Map(crowdMajority(answered).map((c) => [c.pair.id, c]));
  const out: PairDifficulty[] = [];
  for (const pair of set.pairs) {
    const mine = answered.filter((a) => a.pair.id === pair.id);
    const majority = crowd.get(pair.id);
    if (mine.length === 0 || majority === undefined) continue;
    const n = mine.length;
    const image = (slot: ImageSlot) => {
      const answeredImage = mine.filter((a) => a.chosen[slot] !== null);
      const right = mine.filter((a) => a.score.correct[slot]).length;
      return {
        slot,
        localId: pair.images[slot].localId,
        n: answeredImage.length,
        right,
        rightShare: answeredImage.length === 0 ? null : (right / answeredImage.length) * 100,
      };
    };
    out.push({
      pairId: pair.id,
      categories: [...new Set([...pair.images[0].categories, ...pair.images[1].categories])],
      n,
      setCorrectShare: (mine.filter((a) => a.score.setCorrect).length / n) * 100,
      confusedShare: (mine.filter((a) => a.score.confused).length / n) * 100,
      images: [image(0), image(1)],
      crowdMajority: majority.chosen,
      crowdSetCorrect: majority.score.setCorrect,
    });
  }
  return out;
}

function imageDifficulty(set: PairSet, answered: readonly AnsweredPair[]): ImageDifficulty[] {
  const images = new Map<string, ImageDifficulty>();
  for (const pair of set.pairs) {
    for (const slot of [0, 1] as const) {
      const img = pair.images[slot];
      const entry = images.get(img.localId) ?? {
        localId: img.localId,
        categories: [],
        appearances: [],
        n: 0,
        right: 0,
        rightShare: null,
      };
      entry.appearances.push({ pairId: pair.id, slot });
      for (const c of img.categories) if (!entry.categories.includes(c)) entry.categories.push(c);
      images.set(img.localId, entry);
    }
  }
  for (const a of answered) {
    for (const slot of [0, 1] as const) {
      if (a.chosen[slot] === null) continue;
      const entry = images.get(a.pair.images[slot].localId);
      if (entry === undefined) continue;
      entry.n++;
      if (a.score.correct[slot]) entry.right++;
    }
  }
  return [...images.values()]
    .filter((e) => e.n > 0)
    .map((e) => ({ ...e, rightShare: (e.right / e.n) * 100 }))
    .sort((x, y) => x.localId.localeCompare(y.localId, undefined, { numeric: true }));
}
