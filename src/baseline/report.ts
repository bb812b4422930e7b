import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { buildCountTable, categorySlotCounts, type OfficialScoreTable } from '../scoring/count-table.js';
import { type PairScore, scorePair } from '../scoring/pair-score.js';
import { ALL_ROW, buildSummaryTable } from '../scoring/summary-table.js';
import type { AnsweredPair } from './answered-pair.js';
import {
  type AgreementRow,
  type CategoryEstimates,
  type CrowdPair,
  type Estimate,
  GroupEstimator,
} from './group-estimates.js';
import { type AnswerContext, type AnswerRow, instanceOf } from './history.js';
import { type LevelComparison, levelComparisons } from './level-comparison.js';
import { type Profile, TRAINING_LEVELS, type TrainingLevel, trainingLevelLabel } from './profile.js';
import { holmAdjust, mcnemarExact, type Spread, spread } from './statistics.js';
import { type BootstrapOptions, DEFAULT_BOOTSTRAP, INTERVAL_MINIMUM } from './two-way-bootstrap.js';

export type { AgreementEstimate, AgreementRow, CrowdPair, Estimate } from './group-estimates.js';
export type { LevelComparison } from './level-comparison.js';

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
  /** Same option for both images, among pairs with both answered; n is the number of such answered pairs. */
  confusion: Estimate | null;
}

/** How the crowd did on pairs answered by a given number of people. */
export interface CrowdByRaters {
  raters: number;
  pairs: number;
  decidedPairs: number;
  tiedPairs: number;
  setCorrect: number;
  /** Percent of decided pairs with both images right; null without a decided pair. */
  setAccuracy: number | null;
}

export interface CrowdReport {
  /** Pairs the group answered: each gets the majority of valid answers per image, as a model gives one answer. */
  pairs: number;
  /** Pairs with a majority on both images: the only ones scored. */
  decidedPairs: number;
  /** Pairs with a tied vote on at least one image: reported here, not scored (neither right nor wrong). */
  tiedPairs: number;
  /** Images whose vote was tied. */
  tiedImages: number;
  /** Decided pairs with both images right. */
  setCorrect: number;
  /** Over decided pairs. */
  setAccuracy: Estimate | null;
  /** Over images with a majority. */
  individualAccuracy: Estimate | null;
  /** Per category (official weighting), over decided pairs. */
  rows: Array<{ category: string; decidedPairs: number; setAccuracy: Estimate | null }>;
  byRaters: CrowdByRaters[];
  /** The official count table of the majority's answers on decided pairs: what `<model>_mc_score.json` holds. */
  scoreTable: OfficialScoreTable;
}

export interface ModelComparison {
  modelId: string;
  status: 'tested' | 'insufficient-data' | 'no-answers';
  message: string;
  /** Pairs both the crowd (with a majority on both images) and the model answered. */
  pairs: number;
  /** Pairs the model answered where the crowd's vote was tied: left out of the test. */
  tiedPairs: number;
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
  /** Holm-adjusted over every test the report shows (people against models, training levels). */
  pHolm: number | null;
}

/** A model's set accuracy per category over the group's pairs it answered, with the people's method. */
export interface ModelAccuracy {
  modelId: string;
  rows: Array<{ category: string; setAccuracy: Estimate | null }>;
}

/** One person's own accuracy over all pairs they answered (unweighted). */
export interface ParticipantAccuracy {
  participant: string;
  group: TrainingLevel | 'unspecified';
  pairs: number;
  setAccuracy: number;
  individualAccuracy: number;
}

export type GroupId = 'all' | TrainingLevel | 'unspecified';

export interface GroupReport {
  group: GroupId;
  label: string;
  participants: number;
  /** Answered pairs (one per person and pair). */
  instances: number;
  rows: AccuracyRow[];
  /** How set and individual accuracy (percent) spread over the group's people. */
  spread: { setAccuracy: Spread | null; individualAccuracy: Spread | null };
  /** Agreement between the group's raters per category and overall. */
  agreement: AgreementRow[];
  crowd: CrowdReport;
  models: ModelAccuracy[];
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
  /** Fewest pairs answered by both sides of a paired test (default 10). */
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
    bootstrap: { seed: number; resamples: number; level: number };
    /** Below these, an estimate is reported without an interval ("too few"). */
    intervalMinimum: { pairs: number; participants: number };
    minPairsForTest: number;
    models: string[];
    /** How p-values are adjusted, and how many tests the family holds. */
    multipleComparisons: { method: 'holm'; tests: number };
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
  /** Training levels two by two, on the pairs both answered. */
  levelComparisons: LevelComparison[];
  participants: ParticipantAccuracy[];
  pairDifficulty: PairDifficulty[];
  imageDifficulty: ImageDifficulty[];
}

export const DEFAULT_MIN_PAIRS_FOR_TEST = 10;

/**
 * The human baseline: accuracy per category and training level with clustered intervals, how it spreads
 * over people, agreement between raters, the crowd's majority vote, people against each model on the same
 * pairs, training levels against each other on shared pairs, and pair and image difficulty.
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
  const modelScores = await models.scoresFor(distinctPairs(kept));
  const groups: GroupReport[] = [groupReport(set, 'all', kept, bootstrap, minPairsForTest, modelScores)];
  for (const level of [...TRAINING_LEVELS, 'unspecified' as const]) {
    const members = kept.filter((a) => a.group === level);
    if (members.length > 0)
      groups.push(groupReport(set, level, members, bootstrap, minPairsForTest, modelScores));
  }
  const levels = levelComparisons(kept, bootstrap, minPairsForTest);

  // One family: every p-value the report shows.
  const tested = [
    ...groups.flatMap((g) => g.versusModels.filter((m) => m.p !== null)),
    ...levels.filter((l) => l.p !== null),
  ];
  const adjusted = holmAdjust(tested.map((t) => t.p as number));
  tested.forEach((t, i) => {
    t.pHolm = adjusted[i] as number;
  });

  return {
    set: set.name,
    generatedAt: (options.now ?? new Date()).toISOString(),
    options: {
      contexts,
      excludeSeenBefore,
      bootstrap: { seed: bootstrap.seed, resamples: bootstrap.resamples, level: bootstrap.level ?? 0.95 },
      intervalMinimum: { ...INTERVAL_MINIMUM },
      minPairsForTest,
      models: [...(options.models?.ids ?? [])],
      multipleComparisons: { method: 'holm', tests: tested.length },
    },
    counts: {
      participants: new Set(kept.map((a) => a.participant)).size,
      instances: kept.length,
      excludedSeenBefore: answered.length - kept.length,
      unfinishedBaseline,
      unrevealedQuiz,
    },
    groups,
    levelComparisons: levels,
    participants: participantAccuracies(kept),
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

function groupReport(
  set: PairSet,
  group: GroupId,
  answered: readonly AnsweredPair[],
  bootstrap: BootstrapOptions,
  minPairsForTest: number,
  modelScores: ReadonlyMap<string, ReadonlyMap<string, PairScore>>,
): GroupReport {
  const estimator = new GroupEstimator(answered, set.categories, modelScores);
  const estimates = estimator.estimate(bootstrap);
  const crowd = estimator.crowd();
  const people = participantAccuracies(answered);
  return {
    group,
    label: group === 'all' ? 'Everyone' : trainingLevelLabel(group === 'unspecified' ? null : group),
    participants: new Set(answered.map((a) => a.participant)).size,
    instances: answered.length,
    rows: accuracyRows(set, answered, estimates),
    spread: {
      setAccuracy: spread(people.map((p) => p.setAccuracy)),
      individualAccuracy: spread(people.map((p) => p.individualAccuracy)),
    },
    agreement: estimates.map((e) => e.agreement),
    crowd: crowdReport(set, crowd, estimates),
    models: [...modelScores.keys()].map((modelId) => ({
      modelId,
      rows: estimates.map((e) => ({ category: e.category, setAccuracy: e.models[modelId] ?? null })),
    })),
    versusModels: [...modelScores.keys()].map((modelId) =>
      compareWithModel(modelId, crowd, modelScores.get(modelId) ?? new Map(), minPairsForTest),
    ),
  };
}

/**
 * Per category and overall. Point values come from the official count and summary tables over a "virtual
 * set" holding one entry per answered pair (as the quiz's tallies do), so they are exactly the official
 * rates over what was answered; the intervals are the two-way bootstrap's.
 */
function accuracyRows(
  set: PairSet,
  answered: readonly AnsweredPair[],
  estimates: readonly CategoryEstimates[],
): AccuracyRow[] {
  const pairs = answered.map((a) => a.pair);
  const virtual: PairSet = {
    ...set,
    name: `${set.name}:people`,
    pairs,
    categoryCounts: categorySlotCounts(pairs, set.categories),
  };
  const official = buildSummaryTable(virtual, buildCountTable(virtual, answered)).full;
  const withValue = (e: Estimate | null, value: number | undefined): Estimate | null =>
    e === null || value === undefined ? e : { ...e, value };
  return estimates.map((e): AccuracyRow => {
    const full = official[e.category];
    const inRow =
      e.category === ALL_ROW
        ? answered
        : answered.filter(
            (a) =>
              a.pair.images[0].categories.includes(e.category) ||
              a.pair.images[1].categories.includes(e.category),
          );
    return {
      category: e.category,
      n: inRow.length,
      pairs: new Set(inRow.map((a) => a.pair.id)).size,
      participants: new Set(inRow.map((a) => a.participant)).size,
      setAccuracy: withValue(e.people.setAccuracy, full?.set_acc),
      individualAccuracy: withValue(e.people.individualAccuracy, full?.individual_acc),
      confusion: withValue(e.people.confusion, full?.confused),
    };
  });
}

/** The crowd's majority per image of each answered pair (ties: no answer), in the set's pair order. */
export function crowdMajority(answered: readonly AnsweredPair[]): CrowdPair[] {
  return new GroupEstimator(answered, [], new Map()).crowd();
}

function crowdReport(
  set: PairSet,
  crowd: readonly CrowdPair[],
  estimates: readonly CategoryEstimates[],
): CrowdReport {
  const decided = crowd.filter((c) => c.decided);
  const all = estimates.find((e) => e.category === ALL_ROW);
  const byRaters = new Map<number, CrowdByRaters>();
  for (const c of crowd) {
    const row = byRaters.get(c.raters) ?? {
      raters: c.raters,
      pairs: 0,
      decidedPairs: 0,
      tiedPairs: 0,
      setCorrect: 0,
      setAccuracy: null,
    };
    row.pairs++;
    if (c.decided) row.decidedPairs++;
    else row.tiedPairs++;
    if (c.decided && c.score.setCorrect) row.setCorrect++;
    byRaters.set(c.raters, row);
  }
  return {
    pairs: crowd.length,
    decidedPairs: decided.length,
    tiedPairs: crowd.length - decided.length,
    tiedImages: crowd.reduce((k, c) => k + c.ties, 0),
    setCorrect: decided.filter((c) => c.score.setCorrect).length,
    setAccuracy: all?.crowd.setAccuracy ?? null,
    individualAccuracy: all?.crowd.individualAccuracy ?? null,
    rows: estimates.map((e) => ({
      category: e.category,
      decidedPairs: e.crowd.decidedPairs,
      setAccuracy: e.crowd.setAccuracy,
    })),
    byRaters: [...byRaters.values()]
      .sort((x, y) => x.raters - y.raters)
      .map((r) => ({
        ...r,
        setAccuracy: r.decidedPairs === 0 ? null : (r.setCorrect / r.decidedPairs) * 100,
      })),
    scoreTable: buildCountTable(set, decided),
  };
}

/** Each person's own set and individual accuracy over every pair they answered, by pseudonym. */
function participantAccuracies(answered: readonly AnsweredPair[]): ParticipantAccuracy[] {
  const byPerson = new Map<string, AnsweredPair[]>();
  for (const a of answered) {
    const list = byPerson.get(a.participant) ?? [];
    list.push(a);
    byPerson.set(a.participant, list);
  }
  return [...byPerson.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([participant, mine]) => ({
      participant,
      group: (mine[0] as AnsweredPair).group,
      pairs: mine.length,
      setAccuracy: (mine.filter((a) => a.score.setCorrect).length / mine.length) * 100,
      individualAccuracy:
        (mine.reduce((k, a) => k + Number(a.score.correct[0]) + Number(a.score.correct[1]), 0) /
          (2 * mine.length)) *
        100,
    }));
}

function distinctPairs(answered: readonly AnsweredPair[]): ConfusingPair[] {
  const byId = new Map<string, ConfusingPair>();
  for (const a of answered) byId.set(a.pair.id, a.pair);
  return [...byId.values()];
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

  /** Every model's scored answers to these pairs, by model id and pair id (pairs without one left out). */
  async scoresFor(pairs: readonly ConfusingPair[]): Promise<Map<string, Map<string, PairScore>>> {
    const out = new Map<string, Map<string, PairScore>>();
    for (const modelId of this.ids) {
      const scores = new Map<string, PairScore>();
      for (const pair of pairs) {
        const score = await this.scoreOf(modelId, pair);
        if (score !== null) scores.set(pair.id, score);
      }
      out.set(modelId, scores);
    }
    return out;
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

function compareWithModel(
  modelId: string,
  crowd: readonly CrowdPair[],
  scores: ReadonlyMap<string, PairScore>,
  minPairs: number,
): ModelComparison {
  let pairs = 0;
  let tiedPairs = 0;
  let crowdRight = 0;
  let modelRight = 0;
  let b = 0;
  let c = 0;
  for (const entry of crowd) {
    const model = scores.get(entry.pair.id);
    if (model === undefined) continue;
    if (!entry.decided) {
      tiedPairs++;
      continue;
    }
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
    tiedPairs,
    crowdSetCorrect: crowdRight,
    modelSetCorrect: modelRight,
    crowdSetAccuracy: share(crowdRight),
    modelSetAccuracy: share(modelRight),
    b,
    c,
    pHolm: null,
  };
  const ties =
    tiedPairs === 0 ? '' : ` (${tiedPairs} pair${tiedPairs === 1 ? '' : 's'} with a tied vote left out)`;
  if (pairs === 0) {
    return {
      ...base,
      status: 'no-answers',
      message: `${modelId} has no answer for any pair people answered with a clear majority${ties}.`,
      p: null,
    };
  }
  if (pairs < minPairs) {
    return {
      ...base,
      status: 'insufficient-data',
      message: `Only ${pairs} pair${pairs === 1 ? '' : 's'} answered by both people and ${modelId}${ties}; the paired test needs at least ${minPairs}.`,
      p: null,
    };
  }
  const { p } = mcnemarExact(b, c);
  return {
    ...base,
    status: 'tested',
    message: `Exact McNemar test on ${pairs} pairs${ties}: people right and ${modelId} wrong on ${b}, the reverse on ${c}; p = ${formatP(p)}.`,
    p,
  };
}

export function formatP(p: number): string {
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
