import { beforeAll, describe, expect, it } from 'vitest';
import { fleissKappa, krippendorffAlpha } from '../../src/baseline/agreement.js';
import type { AnswerRow } from '../../src/baseline/history.js';
import type { Profile, TrainingLevel } from '../../src/baseline/profile.js';
import {
  type BaselineReport,
  buildReport,
  type Estimate,
  type GroupReport,
} from '../../src/baseline/report.js';
import { holmAdjust } from '../../src/baseline/statistics.js';
import { loadPairSetStrict } from '../../src/dataset/load.js';
import type { ConfusingPair, Option, PairSet } from '../../src/dataset/model.js';
import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';

/**
 * The report's statistics on designed answer sets, built straight from answer rows: who answers which
 * pair, and whether each image is right, is chosen per case.
 */

let set: PairSet;
beforeAll(async () => {
  set = await loadPairSetStrict({ dataDir: SHARED_DATASET_DIR });
});

const other = (o: Option): Option => (o === 'A' ? 'B' : 'A');
const participant = (k: number) => k.toString(16).padStart(64, '0');

/** The two baseline answer rows of one person to one pair, right or wrong per image. */
function answer(who: number, pair: ConfusingPair, right: [boolean, boolean]): AnswerRow[] {
  return ([0, 1] as const).map((slot) => {
    const correct = pair.images[slot].correct;
    return {
      participant: participant(who),
      context: 'baseline',
      sessionId: null,
      round: null,
      roundState: null,
      pairId: pair.id,
      slot,
      localId: pair.images[slot].localId,
      option: right[slot] ? correct : other(correct),
      correct: right[slot],
      responseMs: 1000,
      seenBefore: false,
      changes: 0,
      shownAt: 0,
      at: 1,
    };
  });
}

function profiles(levels: Record<number, TrainingLevel>): Map<string, Profile> {
  return new Map(
    Object.entries(levels).map(([k, level]) => [
      participant(Number(k)),
      { trainingLevel: level, specialty: null, updatedAt: 0 },
    ]),
  );
}

const everyone = (r: BaselineReport) => r.groups.find((g) => g.group === 'all') as GroupReport;
const allRow = <T extends { category: string }>(rows: readonly T[]) =>
  rows.find((r) => r.category === 'All') as T;

/** Every estimate the report gives, wherever it is. */
function estimates(report: BaselineReport): Estimate[] {
  return report.groups
    .flatMap((g) => [
      ...g.rows.flatMap((r) => [r.setAccuracy, r.individualAccuracy, r.confusion]),
      g.crowd.setAccuracy,
      g.crowd.individualAccuracy,
      ...g.crowd.rows.map((r) => r.setAccuracy),
      ...g.models.flatMap((m) => m.rows.map((r) => r.setAccuracy)),
    ])
    .filter((e): e is Estimate => e !== null);
}

describe('intervals that never collapse', () => {
  it('says "too few" instead of [100, 100] for 3 pairs all right', async () => {
    const pairs = set.pairs.slice(0, 3);
    const rows = [1, 2, 3, 4].flatMap((who) => pairs.flatMap((p) => answer(who, p, [true, true])));
    const models = new InMemoryModelAnswers().setAnswers(
      'oracle',
      Object.fromEntries(
        pairs.map((p) => [
          p.id,
          { ok: true, chosen: [p.images[0].correct, p.images[1].correct], raw: ['', ''] },
        ]),
      ),
    );
    const report = await buildReport(set, rows, new Map(), { models: { source: models, ids: ['oracle'] } });
    const all = allRow(everyone(report).rows);
    expect(all.setAccuracy).toMatchObject({
      value: 100,
      low: null,
      high: null,
      interval: 'too-few',
      pairs: 3,
    });
    expect(estimates(report).length).toBeGreaterThan(0);
    for (const e of estimates(report))
      expect(e).toMatchObject({ low: null, high: null, interval: 'too-few' });
  });

  it('gives a zero-width interval only when every resample agrees, above the minimum', async () => {
    const pairs = set.pairs.slice(0, 12);
    const rows = [1, 2, 3, 4].flatMap((who) => pairs.flatMap((p) => answer(who, p, [true, true])));
    const report = await buildReport(set, rows, new Map());
    expect(allRow(everyone(report).rows).setAccuracy).toMatchObject({
      value: 100,
      low: 100,
      high: 100,
      interval: 'bootstrap',
      pairs: 12,
      participants: 4,
    });
  });

  it('has no zero-width interval when answers vary', async () => {
    const pairs = set.pairs.slice(0, 40);
    const rows = [1, 2, 3, 4, 5, 6].flatMap((who) =>
      pairs.flatMap((p, i) => answer(who, p, [(i + who) % 3 !== 0, (i * who) % 4 !== 1])),
    );
    const report = await buildReport(set, rows, new Map(), { bootstrap: { seed: 2, resamples: 500 } });
    const withInterval = estimates(report).filter((e) => e.interval === 'bootstrap');
    expect(withInterval.length).toBeGreaterThan(3);
    for (const e of withInterval) {
      if (e.value > 0 && e.value < 100) expect(e.high as number).toBeGreaterThan(e.low as number);
    }
  });
});

describe('agreement between raters', () => {
  it("equals Fleiss' kappa and Krippendorff's alpha of the answers' counts, with intervals", async () => {
    const pairs = set.pairs.slice(0, 15);
    // Five people; who answers what varies, and person 5 skips every third pair (an incomplete design).
    const rows: AnswerRow[] = [];
    for (const [i, p] of pairs.entries()) {
      for (const who of [1, 2, 3, 4, 5]) {
        if (who === 5 && i % 3 === 0) continue;
        rows.push(...answer(who, p, [(i + who) % 4 !== 0, (i + 2 * who) % 5 !== 0]));
      }
    }
    const report = await buildReport(set, rows, new Map(), { bootstrap: { seed: 1, resamples: 300 } });
    const units = pairs.flatMap((p) =>
      ([0, 1] as const).map((slot) => {
        const mine = rows.filter((r) => r.pairId === p.id && r.slot === slot);
        return [mine.filter((r) => r.option === 'A').length, mine.filter((r) => r.option === 'B').length];
      }),
    );
    const all = allRow(everyone(report).agreement);
    expect(all.units).toBe(30);
    expect(all.fleissKappa?.value).toBeCloseTo(fleissKappa(units) as number, 12);
    expect(all.krippendorffAlpha?.value).toBeCloseTo(krippendorffAlpha(units) as number, 12);
    expect(all.fleissKappa?.interval).toBe('bootstrap');
    expect(all.fleissKappa?.low).toBeLessThan(all.fleissKappa?.value as number);
    expect(all.fleissKappa?.high).toBeGreaterThan(all.fleissKappa?.value as number);
  });
});

describe('spread over people and training levels on shared pairs', () => {
  it("gives each person's accuracy and their mean, SD and median", async () => {
    const pairs = set.pairs.slice(0, 4);
    // Person 1 gets 4 of 4 pairs right, person 2 gets 2, person 3 gets 0 (but one image right each time).
    const rows = [
      ...pairs.flatMap((p) => answer(1, p, [true, true])),
      ...pairs.flatMap((p, i) => answer(2, p, [i < 2, true])),
      ...pairs.flatMap((p) => answer(3, p, [true, false])),
    ];
    const report = await buildReport(set, rows, new Map());
    expect(report.participants.map((p) => [p.pairs, p.setAccuracy, p.individualAccuracy])).toEqual([
      [4, 100, 100],
      [4, 50, 75],
      [4, 0, 50],
    ]);
    expect(everyone(report).spread.setAccuracy).toMatchObject({ n: 3, mean: 50, median: 50, sd: 50 });
    expect(everyone(report).spread.individualAccuracy).toMatchObject({ n: 3, mean: 75, median: 75, sd: 25 });
  });

  it('compares training levels only on the pairs both answered, with a sign test and Holm', async () => {
    const pairs = set.pairs.slice(0, 30);
    const rows: AnswerRow[] = [];
    // Residents (1–3) answer pairs 0–19, attendings (4–6) pairs 10–29. Pairs 0–9 are easy for the
    // residents, 20–29 hard for the attendings; on the shared pairs 10–19 both are right on the same ones.
    for (const who of [1, 2, 3]) {
      for (const [i, p] of pairs.slice(0, 20).entries())
        rows.push(...answer(who, p, [i < 10 || i % 2 === 0, true]));
    }
    for (const who of [4, 5, 6]) {
      for (const [i, p] of pairs.slice(10).entries())
        rows.push(...answer(who, p, [i < 10 && i % 2 === 0, true]));
    }
    const levels = profiles({
      1: 'resident-pgy1',
      2: 'resident-pgy1',
      3: 'resident-pgy1',
      4: 'attending-radiologist',
      5: 'attending-radiologist',
      6: 'attending-radiologist',
    });
    const models = new InMemoryModelAnswers().setModel('always-a', {
      ok: true,
      chosen: ['A', 'A'],
      raw: ['A', 'A'],
    });
    const report = await buildReport(set, rows, levels, {
      models: { source: models, ids: ['always-a'] },
      bootstrap: { seed: 1, resamples: 300 },
    });
    // Over all their pairs the residents look far better (75% against 25%) ...
    const group = (id: string) => report.groups.find((g) => g.group === id) as GroupReport;
    expect(allRow(group('resident-pgy1').rows).setAccuracy?.value).toBe(75);
    expect(allRow(group('attending-radiologist').rows).setAccuracy?.value).toBe(25);
    // ... but on the 10 pairs both answered they are alike.
    expect(report.levelComparisons).toHaveLength(1);
    const [comparison] = report.levelComparisons;
    expect(comparison).toMatchObject({
      levels: ['resident-pgy1', 'attending-radiologist'],
      commonPairs: 10,
      setAccuracy: [50, 50],
      b: 0,
      c: 0,
      even: 10,
      status: 'tested',
      p: 1,
    });
    expect(comparison?.difference?.value).toBe(0);
    // One family: the three crowd-against-model tests and the level comparison.
    const tested = [...report.groups.flatMap((g) => g.versusModels), ...report.levelComparisons].filter(
      (t) => t.p !== null,
    );
    expect(report.options.multipleComparisons).toEqual({ method: 'holm', tests: tested.length });
    expect(tested.map((t) => t.pHolm)).toEqual(holmAdjust(tested.map((t) => t.p as number)));
  });
});
