import type { AnsweredPair } from './answered-pair.js';
import { TRAINING_LEVELS, type TrainingLevel, trainingLevelLabel } from './profile.js';
import { mcnemarExact } from './statistics.js';
import {
  type BootstrapOptions,
  INTERVAL_MINIMUM,
  identityResample,
  percentileInterval,
  type RatioTerm,
  twoWayReplicates,
  weightedRatio,
} from './two-way-bootstrap.js';

/**
 * Two training levels compared on the pairs both answered, so that one level having had the harder pairs
 * cannot make it look worse: each shared pair is its own control. The difference in set accuracy gets a
 * two-way bootstrap interval (both levels' people and the shared pairs resampled); the test is the exact
 * sign test over shared pairs (which level did better on each), McNemar's test when each level has one
 * answer per pair.
 */
export interface LevelComparison {
  levels: [TrainingLevel, TrainingLevel];
  labels: [string, string];
  participants: [number, number];
  /** Pairs both levels answered. */
  commonPairs: number;
  /** Each level's set accuracy (percent of its answers with both images right) on the shared pairs. */
  setAccuracy: [number | null, number | null];
  /** First minus second, in percentage points, with its interval (null: too few). */
  difference: {
    value: number;
    low: number | null;
    high: number | null;
    interval: 'bootstrap' | 'too-few';
  } | null;
  /** Shared pairs where the first level did better, the second did better, neither. */
  b: number;
  c: number;
  even: number;
  status: 'tested' | 'insufficient-data' | 'no-common-pairs';
  message: string;
  p: number | null;
  pHolm: number | null;
}

export function levelComparisons(
  answered: readonly AnsweredPair[],
  bootstrap: BootstrapOptions,
  minPairsForTest: number,
): LevelComparison[] {
  const present = TRAINING_LEVELS.filter((level) => answered.some((a) => a.group === level));
  const out: LevelComparison[] = [];
  for (let i = 0; i < present.length; i++) {
    for (let j = i + 1; j < present.length; j++) {
      out.push(
        compareLevels(
          answered,
          present[i] as TrainingLevel,
          present[j] as TrainingLevel,
          bootstrap,
          minPairsForTest,
        ),
      );
    }
  }
  return out;
}

function compareLevels(
  answered: readonly AnsweredPair[],
  first: TrainingLevel,
  second: TrainingLevel,
  bootstrap: BootstrapOptions,
  minPairsForTest: number,
): LevelComparison {
  const pairsOf = (level: TrainingLevel) =>
    new Set(answered.filter((a) => a.group === level).map((a) => a.pair.id));
  const firstPairs = pairsOf(first);
  const common = [...pairsOf(second)].filter((id) => firstPairs.has(id));
  const commonSet = new Set(common);
  const shared = answered.filter(
    (a) => (a.group === first || a.group === second) && commonSet.has(a.pair.id),
  );
  const people = [...new Set(shared.map((a) => a.participant))];
  const pIndex = new Map(people.map((p, k) => [p, k]));
  const qIndex = new Map(common.map((id, k) => [id, k]));
  const terms = (level: TrainingLevel): RatioTerm[] =>
    shared
      .filter((a) => a.group === level)
      .map((a) => ({
        participant: pIndex.get(a.participant) as number,
        pair: qIndex.get(a.pair.id) as number,
        num: a.score.setCorrect ? 1 : 0,
        den: 1,
      }));
  const [termsA, termsB] = [terms(first), terms(second)];
  const count = (level: TrainingLevel) =>
    new Set(shared.filter((a) => a.group === level).map((a) => a.participant)).size;
  const participants: [number, number] = [
    new Set(answered.filter((a) => a.group === first).map((a) => a.participant)).size,
    new Set(answered.filter((a) => a.group === second).map((a) => a.participant)).size,
  ];
  const labels: [string, string] = [trainingLevelLabel(first), trainingLevelLabel(second)];
  const base = {
    levels: [first, second] as [TrainingLevel, TrainingLevel],
    labels,
    participants,
    commonPairs: common.length,
    pHolm: null,
  };
  if (common.length === 0) {
    return {
      ...base,
      setAccuracy: [null, null],
      difference: null,
      b: 0,
      c: 0,
      even: 0,
      status: 'no-common-pairs',
      message: `${labels[0]} and ${labels[1]} answered no pair in common, so they cannot be compared fairly.`,
      p: null,
    };
  }
  const ones = identityResample(people.length, common.length);
  const accA = weightedRatio(termsA, ones) * 100;
  const accB = weightedRatio(termsB, ones) * 100;

  // Per shared pair: which level's people did better (share of answers with both images right).
  let b = 0;
  let c = 0;
  let even = 0;
  for (const id of common) {
    const share = (level: TrainingLevel) => {
      const mine = shared.filter((a) => a.group === level && a.pair.id === id);
      return mine.filter((a) => a.score.setCorrect).length / mine.length;
    };
    const [x, y] = [share(first), share(second)];
    if (x > y) b++;
    else if (y > x) c++;
    else even++;
  }

  const enough =
    common.length >= INTERVAL_MINIMUM.pairs &&
    count(first) >= INTERVAL_MINIMUM.participants &&
    count(second) >= INTERVAL_MINIMUM.participants;
  const interval = enough
    ? percentileInterval(
        twoWayReplicates({ participants: people.length, pairs: common.length }, bootstrap, (r) => [
          (weightedRatio(termsA, r) - weightedRatio(termsB, r)) * 100,
        ])[0] ?? [],
        bootstrap.level ?? 0.95,
      )
    : null;
  const difference = {
    value: accA - accB,
    low: interval?.low ?? null,
    high: interval?.high ?? null,
    interval: interval === null ? ('too-few' as const) : ('bootstrap' as const),
  };
  if (common.length < minPairsForTest) {
    return {
      ...base,
      setAccuracy: [accA, accB],
      difference,
      b,
      c,
      even,
      status: 'insufficient-data',
      message: `${labels[0]} and ${labels[1]} share ${common.length} pair${common.length === 1 ? '' : 's'}; the paired test needs at least ${minPairsForTest}.`,
      p: null,
    };
  }
  const { p } = mcnemarExact(b, c);
  return {
    ...base,
    setAccuracy: [accA, accB],
    difference,
    b,
    c,
    even,
    status: 'tested',
    message: `Exact sign test on ${common.length} shared pairs: ${labels[0]} did better on ${b}, ${labels[1]} on ${c}, ${even} even.`,
    p,
  };
}
