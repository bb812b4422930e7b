import type { ConfusingPair, ImageSlot, Option } from '../dataset/model.js';
import type { PairScore } from '../scoring/pair-score.js';
import { scorePair } from '../scoring/pair-score.js';
import { ALL_ROW } from '../scoring/summary-table.js';
import type { AnsweredPair } from './answered-pair.js';
import { majorityOption } from './statistics.js';
import {
  type BootstrapOptions,
  INTERVAL_MINIMUM,
  identityResample,
  percentileInterval,
  type Resample,
  twoWayReplicates,
} from './two-way-bootstrap.js';

/**
 * Every interval of one group of people, from one two-way bootstrap: people's accuracy, the crowd's
 * majority vote and each model's accuracy per category, and agreement between raters. All statistics
 * are evaluated on the same resamples of participants and pairs, so whatever is compared shares its
 * method and its draws. The coefficients are agreement.ts's, computed here from per-pair sums so that a
 * replicate costs one pass (test/baseline/report.test.ts checks they agree).
 */

/** A rate in percent with its 95% interval and what it rests on. */
export interface Estimate {
  value: number;
  /** Null when there are too few pairs (or people) for an interval: see `interval`. */
  low: number | null;
  high: number | null;
  /** Trials: answered pairs, image answers, or the crowd's or model's pairs. */
  n: number;
  /** Distinct pairs behind the rate. */
  pairs: number;
  /** Distinct people behind the rate (0 for a model). */
  participants: number;
  /**
   * `two-way-bootstrap`: percentile bootstrap over participants and pairs (people's rates).
   * `pair-bootstrap`: one rater per pair (a model, or the panel's majority vote), so only the pairs are
   * resampled, with the very pair draws of the people's two-way bootstrap.
   */
  method: 'two-way-bootstrap' | 'pair-bootstrap';
  /** `too-few`: below INTERVAL_MINIMUM, no interval is given. */
  interval: 'bootstrap' | 'too-few';
}

/** An agreement coefficient with its interval (bootstrap over pairs), or "too few". */
export interface AgreementEstimate {
  value: number;
  low: number | null;
  high: number | null;
  interval: 'bootstrap' | 'too-few';
}

export interface AgreementRow {
  category: string;
  /** Images (of a pair) with two or more answers: the units rated. */
  units: number;
  /** Pairs with such an image. */
  pairs: number;
  /** Mean number of answers per unit. */
  meanRaters: number;
  /** Share of rater pairs that agree on a unit, in percent (what kappa corrects for chance). */
  observedAgreement: number | null;
  fleissKappa: AgreementEstimate | null;
  krippendorffAlpha: AgreementEstimate | null;
}

export interface CategoryEstimates {
  category: string;
  people: { setAccuracy: Estimate | null; individualAccuracy: Estimate | null; confusion: Estimate | null };
  crowd: { decidedPairs: number; setAccuracy: Estimate | null; individualAccuracy: Estimate | null };
  /** Per model id, its set accuracy over the pairs it answered among the group's. */
  models: Record<string, Estimate | null>;
  agreement: AgreementRow;
}

/** The majority among valid answers per image; null on a tie (or with no valid answer). */
export interface CrowdPair {
  pair: ConfusingPair;
  /** People who answered the pair. */
  raters: number;
  chosen: [Option | null, Option | null];
  /** Both images have a majority: only such pairs are scored. */
  decided: boolean;
  score: PairScore;
  /** Images whose vote was tied. */
  ties: number;
}

interface Slots {
  /** Weight of the pair in a row: 1 for All; images of the pair listing the category otherwise. */
  weight: number;
  /** Whether each image lists the row's category (always for All). */
  slot: [number, number];
}

export class GroupEstimator {
  readonly rows: readonly string[];
  private readonly participants: string[];
  private readonly pairs: ConfusingPair[];
  private readonly answers: Array<{ p: number; q: number; a: AnsweredPair }>;
  private readonly byPair: Array<Array<{ p: number; chosen: [Option | null, Option | null] }>>;
  private readonly slotsOf: Array<Array<Slots | null>>;
  private readonly modelIds: readonly string[];
  private cached: Layout | undefined;

  constructor(
    answered: readonly AnsweredPair[],
    categories: readonly string[],
    private readonly modelScores: ReadonlyMap<string, ReadonlyMap<string, PairScore>>,
  ) {
    this.rows = [...categories, ALL_ROW];
    this.modelIds = [...modelScores.keys()];
    const pIndex = new Map<string, number>();
    const qIndex = new Map<string, number>();
    this.participants = [];
    this.pairs = [];
    this.answers = [];
    this.byPair = [];
    for (const a of answered) {
      let p = pIndex.get(a.participant);
      if (p === undefined) {
        p = this.participants.length;
        pIndex.set(a.participant, p);
        this.participants.push(a.participant);
      }
      let q = qIndex.get(a.pair.id);
      if (q === undefined) {
        q = this.pairs.length;
        qIndex.set(a.pair.id, q);
        this.pairs.push(a.pair);
        this.byPair.push([]);
      }
      this.answers.push({ p, q, a });
      this.byPair[q]?.push({ p, chosen: a.chosen });
    }
    this.slotsOf = this.pairs.map((pair) => this.rows.map((row) => slotsIn(pair, row)));
  }

  /** The crowd's vote per pair on the data itself, in the set's pair order. */
  crowd(): CrowdPair[] {
    const ones = identityResample(this.participants.length, this.pairs.length);
    return this.pairs
      .map((_, q) => this.vote(q, ones))
      .sort((x, y) => x.pair.id.localeCompare(y.pair.id, undefined, { numeric: true }));
  }

  /** Estimates and intervals per row, from `options.resamples` two-way replicates. */
  estimate(options: BootstrapOptions): CategoryEstimates[] {
    const size = { participants: this.participants.length, pairs: this.pairs.length };
    const observed = this.evaluate(identityResample(size.participants, size.pairs));
    // Below the minimum no row gets an interval: skip the resampling altogether.
    const replicates =
      size.pairs < INTERVAL_MINIMUM.pairs ? [] : twoWayReplicates(size, options, (r) => this.evaluate(r));
    const level = options.level ?? 0.95;
    const counts = this.rowCounts();
    const perRow = this.statsPerRow();
    return this.rows.map((category, r): CategoryEstimates => {
      const c = counts[r] as RowCounts;
      const at = (k: number) => r * perRow + k;
      const make = (
        k: number,
        n: number,
        pairs: number,
        participants: number,
        people: boolean,
        method: Estimate['method'] = 'two-way-bootstrap',
      ): Estimate | null => {
        const value = observed[at(k)] as number;
        if (!Number.isFinite(value) || n === 0) return null;
        const enough =
          pairs >= INTERVAL_MINIMUM.pairs && (!people || participants >= INTERVAL_MINIMUM.participants);
        const interval = enough ? percentileInterval(replicates[at(k)] ?? [], level) : null;
        return {
          value,
          low: interval?.low ?? null,
          high: interval?.high ?? null,
          n,
          pairs,
          participants,
          method,
          interval: interval === null ? ('too-few' as const) : ('bootstrap' as const),
        };
      };
      const agreement = (k: number): AgreementEstimate | null => {
        const value = observed[at(k)] as number;
        if (!Number.isFinite(value)) return null;
        const interval =
          c.agreementPairs >= INTERVAL_MINIMUM.pairs
            ? percentileInterval(replicates[at(k)] ?? [], level)
            : null;
        return {
          value,
          low: interval?.low ?? null,
          high: interval?.high ?? null,
          interval: interval === null ? 'too-few' : 'bootstrap',
        };
      };
      const models: Record<string, Estimate | null> = {};
      this.modelIds.forEach((id, m) => {
        const answered = c.modelPairs[m] ?? 0;
        models[id] = make(STATS.models + m, answered, answered, 0, false, 'pair-bootstrap');
      });
      return {
        category,
        people: {
          setAccuracy: make(STATS.peopleSet, c.answered, c.pairs, c.participants, true),
          individualAccuracy: make(STATS.peopleImages, c.images, c.pairs, c.participants, true),
          confusion: make(STATS.peopleConfusion, c.bothValid, c.pairs, c.participants, true),
        },
        crowd: {
          decidedPairs: c.crowdDecided,
          setAccuracy: make(
            STATS.crowdSet,
            c.crowdDecided,
            c.crowdDecided,
            c.participants,
            true,
            'pair-bootstrap',
          ),
          individualAccuracy: make(
            STATS.crowdImages,
            c.crowdImages,
            c.crowdDecided,
            c.participants,
            true,
            'pair-bootstrap',
          ),
        },
        models,
        agreement: {
          category,
          units: c.units,
          pairs: c.agreementPairs,
          meanRaters: c.units === 0 ? 0 : c.unitRatings / c.units,
          observedAgreement: c.observedAgreement,
          fleissKappa: agreement(STATS.kappa),
          krippendorffAlpha: agreement(STATS.alpha),
        },
      };
    });
  }

  private statsPerRow(): number {
    return STATS.models + this.modelIds.length;
  }

  /**
   * What each answer adds to each row's people statistics, and what each pair adds to each row's crowd,
   * model and agreement statistics, laid out flat: a replicate then only multiplies and adds.
   */
  private layout(): Layout {
    if (this.cached !== undefined) return this.cached;
    const R = this.rows.length;
    const answerRow: number[] = [];
    const answerIndex: number[] = [];
    const answerTerms: number[] = [];
    this.answers.forEach(({ a }, k) => {
      const s = a.score;
      const { q } = this.answers[k] as { q: number };
      (this.slotsOf[q] as Array<Slots | null>).forEach((slots, row) => {
        if (slots === null) return;
        const bothValid = !s.invalid[0] && !s.invalid[1];
        answerRow.push(row);
        answerIndex.push(k);
        answerTerms.push(
          s.setCorrect ? slots.weight : 0,
          slots.weight,
          slots.slot[0] * Number(s.correct[0]) + slots.slot[1] * Number(s.correct[1]),
          slots.slot[0] + slots.slot[1],
          bothValid && s.confused ? slots.weight : 0,
          bothValid ? slots.weight : 0,
        );
      });
    });
    // Per pair and row: crowd set (num, den), crowd images (num, den), agreement sufficient statistics
    // (units, Σ unit agreement, ratings A, ratings B, Σ 2·nA·nB/(m − 1)), then each model's (num, den).
    const M = this.modelIds.length;
    const width = PAIR_TERMS + 2 * M;
    const pairTerms = new Float64Array(this.pairs.length * R * width);
    const ones = identityResample(this.participants.length, this.pairs.length);
    this.pairs.forEach((pair, q) => {
      const crowd = this.vote(q, ones);
      const counts = this.unitCounts(q, ones);
      (this.slotsOf[q] as Array<Slots | null>).forEach((slots, row) => {
        if (slots === null) return;
        const at = (q * R + row) * width;
        const put = (k: number, v: number) => {
          pairTerms[at + k] = (pairTerms[at + k] as number) + v;
        };
        if (crowd.decided) {
          put(0, crowd.score.setCorrect ? slots.weight : 0);
          put(1, slots.weight);
        }
        for (const slot of [0, 1] as const) {
          if (slots.slot[slot] === 0) continue;
          if (crowd.chosen[slot] !== null) {
            put(2, crowd.score.correct[slot] ? 1 : 0);
            put(3, 1);
          }
          const [nA, nB] = counts[slot] as [number, number];
          const m = nA + nB;
          if (m < 2) continue;
          put(4, 1);
          put(5, (nA * (nA - 1) + nB * (nB - 1)) / (m * (m - 1)));
          put(6, nA);
          put(7, nB);
          put(8, (2 * nA * nB) / (m - 1));
        }
        this.modelIds.forEach((id, mi) => {
          const score = this.modelScores.get(id)?.get(pair.id);
          if (score === undefined) return;
          put(PAIR_TERMS + 2 * mi, score.setCorrect ? slots.weight : 0);
          put(PAIR_TERMS + 2 * mi + 1, slots.weight);
        });
      });
    });
    this.cached = {
      answerRow: Int32Array.from(answerRow),
      answerParticipant: Int32Array.from(answerIndex.map((k) => this.answers[k]?.p ?? 0)),
      answerPair: Int32Array.from(answerIndex.map((k) => this.answers[k]?.q ?? 0)),
      answerTerms: Float64Array.from(answerTerms),
      pairTerms,
      width,
    };
    return this.cached;
  }

  /**
   * Every statistic of every row for one resample, rates in percent, agreement as coefficients; NaN where
   * undefined. People's rates weigh each answer by its participant's and its pair's draws. The crowd, the
   * models and agreement take the pairs' draws only: the crowd is this panel's vote, one answer per pair
   * like a model's (drawing a person twice would change how the majority forms and bias it down), and a
   * rater drawn twice would agree with themselves.
   */
  evaluate(r: Resample): number[] {
    const R = this.rows.length;
    const K = this.statsPerRow();
    const L = this.layout();
    const people = new Float64Array(R * 6);
    for (let e = 0; e < L.answerRow.length; e++) {
      const m =
        (r.participants[L.answerParticipant[e] as number] as number) *
        (r.pairs[L.answerPair[e] as number] as number);
      if (m === 0) continue;
      const base = (L.answerRow[e] as number) * 6;
      for (let k = 0; k < 6; k++)
        people[base + k] = (people[base + k] as number) + m * (L.answerTerms[e * 6 + k] as number);
    }
    const pairs = new Float64Array(R * L.width);
    for (let q = 0; q < this.pairs.length; q++) {
      const w = r.pairs[q] as number;
      if (w === 0) continue;
      const from = q * R * L.width;
      for (let k = 0; k < R * L.width; k++)
        pairs[k] = (pairs[k] as number) + w * (L.pairTerms[from + k] as number);
    }
    const rate = (num: number, den: number) => (den === 0 ? Number.NaN : (num / den) * 100);
    const out = new Array<number>(R * K);
    for (let row = 0; row < R; row++) {
      const p = (k: number) => people[row * 6 + k] as number;
      const c = (k: number) => pairs[row * L.width + k] as number;
      out[row * K + STATS.peopleSet] = rate(p(0), p(1));
      out[row * K + STATS.peopleImages] = rate(p(2), p(3));
      out[row * K + STATS.peopleConfusion] = rate(p(4), p(5));
      out[row * K + STATS.crowdSet] = rate(c(0), c(1));
      out[row * K + STATS.crowdImages] = rate(c(2), c(3));
      const [units, agreement, nA, nB, disagreement] = [c(4), c(5), c(6), c(7), c(8)];
      const n = nA + nB;
      const expected = n === 0 ? 1 : (nA / n) ** 2 + (nB / n) ** 2;
      out[row * K + STATS.kappa] =
        units === 0 || expected >= 1 - 1e-12 ? Number.NaN : (agreement / units - expected) / (1 - expected);
      out[row * K + STATS.alpha] = nA * nB === 0 ? Number.NaN : 1 - ((n - 1) * disagreement) / (2 * nA * nB);
      for (let mi = 0; mi < this.modelIds.length; mi++) {
        out[row * K + STATS.models + mi] = rate(c(PAIR_TERMS + 2 * mi), c(PAIR_TERMS + 2 * mi + 1));
      }
    }
    return out;
  }

  /** A pair's vote with each person counted as often as drawn: majority among valid answers per image. */
  private vote(q: number, r: Resample): CrowdPair {
    const pair = this.pairs[q] as ConfusingPair;
    const picks: [Record<Option, number>, Record<Option, number>] = [
      { A: 0, B: 0 },
      { A: 0, B: 0 },
    ];
    let raters = 0;
    for (const { p, chosen } of this.byPair[q] ?? []) {
      const m = r.participants[p] as number;
      raters += m;
      for (const slot of [0, 1] as const) {
        const option = chosen[slot];
        if (option !== null) picks[slot][option] += m;
      }
    }
    const chosen: [Option | null, Option | null] = [majorityOption(picks[0]), majorityOption(picks[1])];
    return {
      pair,
      raters,
      chosen,
      decided: chosen[0] !== null && chosen[1] !== null,
      score: scorePair(pair, chosen),
      ties: Number(chosen[0] === null) + Number(chosen[1] === null),
    };
  }

  /** Answers A and B per image of the pair, each person counted as often as drawn. */
  private unitCounts(q: number, r: Resample): [number[], number[]] {
    const counts: [number[], number[]] = [
      [0, 0],
      [0, 0],
    ];
    for (const { p, chosen } of this.byPair[q] ?? []) {
      const m = r.participants[p] as number;
      for (const slot of [0, 1] as const) {
        const option = chosen[slot];
        if (option === null) continue;
        const unit = counts[slot];
        const k = option === 'A' ? 0 : 1;
        unit[k] = (unit[k] as number) + m;
      }
    }
    return counts;
  }

  private rowCounts(): RowCounts[] {
    const ones = identityResample(this.participants.length, this.pairs.length);
    return this.rows.map((_, row) => {
      const inRow = this.answers.filter(({ q }) => this.slotsOf[q]?.[row] != null);
      const pairsInRow = this.pairs.map((_, q) => q).filter((q) => this.slotsOf[q]?.[row] != null);
      let units = 0;
      let unitRatings = 0;
      let agreeing = 0;
      let raterPairs = 0;
      const agreementPairs = new Set<number>();
      let crowdDecided = 0;
      let crowdImages = 0;
      for (const q of pairsInRow) {
        const slots = this.slotsOf[q]?.[row] as Slots;
        const crowd = this.vote(q, ones);
        if (crowd.decided) crowdDecided++;
        const counts = this.unitCounts(q, ones);
        for (const slot of [0, 1] as const) {
          if (slots.slot[slot] === 0) continue;
          if (crowd.chosen[slot] !== null) crowdImages++;
          const [a, b] = counts[slot] as [number, number];
          if (a + b < 2) continue;
          units++;
          unitRatings += a + b;
          agreeing += a * (a - 1) + b * (b - 1);
          raterPairs += (a + b) * (a + b - 1);
          agreementPairs.add(q);
        }
      }
      return {
        answered: inRow.length,
        pairs: pairsInRow.length,
        participants: new Set(inRow.map(({ p }) => p)).size,
        images: inRow.reduce((k, { q }) => {
          const s = this.slotsOf[q]?.[row] as Slots;
          return k + s.slot[0] + s.slot[1];
        }, 0),
        bothValid: inRow.filter(({ a }) => !a.score.invalid[0] && !a.score.invalid[1]).length,
        crowdDecided,
        crowdImages,
        modelPairs: this.modelIds.map(
          (id) => pairsInRow.filter((q) => this.modelScores.get(id)?.has(this.pairs[q]?.id ?? '')).length,
        ),
        units,
        unitRatings,
        agreementPairs: agreementPairs.size,
        observedAgreement: raterPairs === 0 ? null : (agreeing / raterPairs) * 100,
      };
    });
  }
}

interface RowCounts {
  answered: number;
  pairs: number;
  participants: number;
  images: number;
  bothValid: number;
  crowdDecided: number;
  crowdImages: number;
  modelPairs: number[];
  units: number;
  unitRatings: number;
  agreementPairs: number;
  observedAgreement: number | null;
}

interface Layout {
  answerRow: Int32Array;
  answerParticipant: Int32Array;
  answerPair: Int32Array;
  /** Six per entry: set (num, den), images (num, den), confusion (num, den). */
  answerTerms: Float64Array;
  /** Per pair and row, `width` terms: see layout(). */
  pairTerms: Float64Array;
  width: number;
}

/** Terms per pair and row before the models' (crowd 4, agreement 5). */
const PAIR_TERMS = 9;

/** Positions of the statistics within a row's block; models take the positions from `models` on. */
const STATS = {
  peopleSet: 0,
  peopleImages: 1,
  peopleConfusion: 2,
  crowdSet: 3,
  crowdImages: 4,
  kappa: 5,
  alpha: 6,
  models: 7,
} as const;

function slotsIn(pair: ConfusingPair, row: string): Slots | null {
  if (row === ALL_ROW) return { weight: 1, slot: [1, 1] };
  const slot: [number, number] = [
    Number(pair.images[0].categories.includes(row)),
    Number(pair.images[1].categories.includes(row)),
  ];
  const weight = countOf(pair, 0, row) + countOf(pair, 1, row);
  return weight === 0 ? null : { weight, slot };
}

function countOf(pair: ConfusingPair, slot: ImageSlot, category: string): number {
  return pair.images[slot].categories.filter((c) => c === category).length;
}
