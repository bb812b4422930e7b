import type { AnsweredPair } from './answered-pair.js';
import { normalCritical } from './statistics.js';
import { INTERVAL_MINIMUM } from './two-way-bootstrap.js';

/**
 * How many people answering how many pairs give an interval of a wanted half-width for overall set
 * accuracy. An answer (person i, pair j, right or not) is modelled as overall accuracy + a person effect
 * + a pair effect + the rest, with variances σ²_person, σ²_pair and σ²_rest (a crossed random-effects
 * model; the two-way bootstrap of the report estimates the same sources). With P people each answering
 * K pairs spread evenly over D distinct pairs, the mean's variance is
 *   σ²_person / P + σ²_pair / D + σ²_rest / (P·K),
 * and the interval's half-width is z times its square root.
 */

export interface VarianceComponents {
  /** Overall set accuracy, as a share. */
  accuracy: number;
  person: number;
  pair: number;
  rest: number;
  source: 'data' | 'assumed';
  /** What the components were estimated from (zeros when assumed). */
  participants: number;
  pairs: number;
  answers: number;
}

/** Stated assumptions for planning before any data: accuracy one half (the widest), 10% of the variance between people, 30% between pairs. */
export const PLANNING_ASSUMPTIONS = { accuracy: 0.5, personShare: 0.1, pairShare: 0.3 } as const;

export function assumedComponents(
  assumptions: { accuracy: number; personShare: number; pairShare: number } = PLANNING_ASSUMPTIONS,
): VarianceComponents {
  const total = assumptions.accuracy * (1 - assumptions.accuracy);
  return {
    accuracy: assumptions.accuracy,
    person: total * assumptions.personShare,
    pair: total * assumptions.pairShare,
    rest: total * (1 - assumptions.personShare - assumptions.pairShare),
    source: 'assumed',
    participants: 0,
    pairs: 0,
    answers: 0,
  };
}

/**
 * Method-of-moments estimates: σ²_person is the mean product of two answers of the same person to
 * different pairs (deviations from the overall accuracy), σ²_pair that of two people's answers to the
 * same pair, σ²_rest what is left of the total; each at least 0. Null below the report's minimum for an
 * interval (people and pairs), where the data cannot say much yet.
 */
export function estimateComponents(answered: readonly AnsweredPair[]): VarianceComponents | null {
  const people = new Map<string, number[]>();
  const pairs = new Map<string, number[]>();
  for (const a of answered) {
    const y = a.score.setCorrect ? 1 : 0;
    people.set(a.participant, [...(people.get(a.participant) ?? []), y]);
    pairs.set(a.pair.id, [...(pairs.get(a.pair.id) ?? []), y]);
  }
  if (people.size < INTERVAL_MINIMUM.participants || pairs.size < INTERVAL_MINIMUM.pairs) return null;
  const n = answered.length;
  const mean = answered.filter((a) => a.score.setCorrect).length / n;
  const total = mean * (1 - mean);
  const withinProducts = (groups: Iterable<number[]>): number | null => {
    let products = 0;
    let count = 0;
    for (const ys of groups) {
      let s = 0;
      let q = 0;
      for (const y of ys) {
        s += y - mean;
        q += (y - mean) ** 2;
      }
      products += s * s - q;
      count += ys.length * (ys.length - 1);
    }
    return count === 0 ? null : products / count;
  };
  const person = Math.max(0, withinProducts(people.values()) ?? 0);
  const pair = Math.max(0, withinProducts(pairs.values()) ?? 0);
  const rest = Math.max(0, total - person - pair);
  return {
    accuracy: mean,
    person,
    pair,
    rest,
    source: 'data',
    participants: people.size,
    pairs: pairs.size,
    answers: n,
  };
}

/** Half-width in percentage points of the interval for P people each answering K of `setSize` pairs. */
export function plannedHalfWidth(
  c: VarianceComponents,
  design: { participants: number; pairsEach: number; setSize: number },
  level = 0.95,
): number {
  const distinct = Math.min(design.setSize, design.participants * design.pairsEach);
  const variance =
    c.person / design.participants + c.pair / distinct + c.rest / (design.participants * design.pairsEach);
  return normalCritical(level) * Math.sqrt(variance) * 100;
}

export interface PlanRow {
  pairsEach: number;
  /** Fewest people reaching the margin; null when no number of people can (pair variation alone is wider). */
  participants: number | null;
  distinctPairs: number | null;
  answers: number | null;
  halfWidth: number | null;
  /** The half-width with every pair of the set answered and ever more people: the floor for this design. */
  floor: number;
}

const MAX_PARTICIPANTS = 100_000;

export function plan(
  c: VarianceComponents,
  options: { margin: number; setSize: number; pairsEach: readonly number[]; level?: number },
): PlanRow[] {
  const level = options.level ?? 0.95;
  return options.pairsEach.map((pairsEach) => {
    const floor = normalCritical(level) * Math.sqrt(c.pair / options.setSize) * 100;
    // Each added person narrows the interval, so the first P within the margin is the answer.
    let lo = INTERVAL_MINIMUM.participants;
    let hi = MAX_PARTICIPANTS;
    const width = (p: number) =>
      plannedHalfWidth(c, { participants: p, pairsEach, setSize: options.setSize }, level);
    if (width(hi) > options.margin) {
      return { pairsEach, participants: null, distinctPairs: null, answers: null, halfWidth: null, floor };
    }
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (width(mid) <= options.margin) hi = mid;
      else lo = mid + 1;
    }
    return {
      pairsEach,
      participants: lo,
      distinctPairs: Math.min(options.setSize, lo * pairsEach),
      answers: lo * pairsEach,
      halfWidth: width(lo),
      floor,
    };
  });
}
