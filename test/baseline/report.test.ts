import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParticipants } from '../../src/baseline/export.js';
import { readAnswerHistory } from '../../src/baseline/history.js';
import type { TrainingLevel } from '../../src/baseline/profile.js';
import { Pseudonymizer } from '../../src/baseline/pseudonym.js';
import { type BaselineReport, buildReport, type GroupReport } from '../../src/baseline/report.js';
import type { ConfusingPair, Option } from '../../src/dataset/model.js';
import { indexPairs } from '../../src/quiz/pairs.js';
import { tally } from '../../src/quiz/tallies.js';
import { SCORE_METRICS, TOTAL_KEY } from '../../src/scoring/count-table.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { SHARED_SCORING_CASES_DIR } from '../support/paths.js';
import { type BaselineHarness, openBaseline, optionFor, playQuiz, SECRET, subset } from './harness.js';

/**
 * Four people answer the first 12 pairs privately: `right` says, per image, whether they answer it right.
 * Image 1 gets a 2-1 majority for the right answer among the first three, image 2 too, so the crowd is right
 * on every pair, except pair 1 where a fourth person ties the vote on image 1.
 */
const PEOPLE: Array<{ id: string; level: TrainingLevel | null; right: [boolean, boolean]; pairs: number }> = [
  { id: '900000000000000001', level: 'resident-pgy1', right: [true, true], pairs: 12 },
  { id: '900000000000000002', level: 'attending-radiologist', right: [true, false], pairs: 12 },
  { id: '900000000000000003', level: null, right: [false, true], pairs: 12 },
  { id: '900000000000000004', level: 'non-clinician', right: [false, true], pairs: 1 },
];

let h: BaselineHarness;
let pairs: ConfusingPair[];
/** Every answered pair, as the test recorded it. */
const played: Array<{
  who: string;
  level: TrainingLevel | null;
  pair: ConfusingPair;
  chosen: [Option, Option];
}> = [];
let report: BaselineReport;

async function makeReport(options: Parameters<typeof buildReport>[3] = {}): Promise<BaselineReport> {
  const history = await readAnswerHistory(h.store, h.set, indexPairs(h.set), new Pseudonymizer(SECRET));
  const { profiles } = await readParticipants(h.store);
  return buildReport(h.set, history.rows, profiles, {
    models: { source: h.models, ids: ['always-a', 'oracle', 'partial', 'silent'] },
    ...options,
  });
}

const group = (r: BaselineReport, id: string) => r.groups.find((g) => g.group === id) as GroupReport;
const allRow = (g: GroupReport) => g.rows.find((row) => row.category === 'All');

beforeAll(async () => {
  h = await openBaseline();
  pairs = h.set.pairs.slice(0, 12);
  // Pair 1 first, so that the fourth person (one pair only) gets it.
  const service = h.service({ set: subset(h.set, pairs) });
  for (const person of PEOPLE) {
    await service.acceptConsent(person.id);
    if (person.level !== null) await service.setProfile(person.id, { trainingLevel: person.level });
    const mine =
      person.pairs === 1 ? h.service({ set: subset(h.set, [pairs[0] as ConfusingPair]) }) : service;
    for (let i = 0; i < person.pairs; i++) {
      const next = await mine.nextPair(person.id);
      if (!next.ok || next.question === null) throw new Error('expected a pair');
      const pair = pairs.find((p) => p.id === next.question?.pairId) as ConfusingPair;
      const chosen: [Option, Option] = [
        optionFor(pair, 0, person.right[0]),
        optionFor(pair, 1, person.right[1]),
      ];
      for (const slot of [0, 1] as const) {
        h.clock.advance(2_000);
        await mine.answer(person.id, { pairId: pair.id, slot, option: chosen[slot] });
      }
      played.push({ who: person.id, level: person.level, pair, chosen });
    }
  }
  h.models.setModel('always-a', { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
  // Right on every pair but the last two.
  h.models.setAnswers(
    'oracle',
    Object.fromEntries(
      pairs.map((p, i) => [
        p.id,
        {
          ok: true as const,
          chosen: (i >= 10 ? ['A', 'A'] : [p.images[0].correct, p.images[1].correct]) as [Option, Option],
          raw: ['', ''] as [string, string],
        },
      ]),
    ),
  );
  h.models.setAnswers(
    'partial',
    Object.fromEntries(
      pairs
        .slice(0, 5)
        .map((p) => [
          p.id,
          { ok: true as const, chosen: ['B', 'B'] as [Option, Option], raw: ['', ''] as [string, string] },
        ]),
    ),
  );
  report = await makeReport();
});
afterAll(async () => {
  await h.close();
});

describe('the human baseline report', () => {
  it('has a group for everyone and one per training level given, plus people without one', () => {
    expect(report.groups.map((g) => [g.group, g.participants, g.instances])).toEqual([
      ['all', 4, 37],
      ['resident-pgy1', 1, 12],
      ['attending-radiologist', 1, 12],
      ['non-clinician', 1, 1],
      ['unspecified', 1, 12],
    ]);
    expect(report.counts).toMatchObject({ participants: 4, instances: 37, excludedSeenBefore: 0 });
  });

  it('gives the official rates per category over what was answered, equal to the quiz tallies', () => {
    for (const g of report.groups) {
      const mine = played.filter((p) => g.group === 'all' || (p.level ?? 'unspecified') === g.group);
      const expected = tally(
        h.set,
        'people',
        mine.map((p) => ({ pair: p.pair, score: scorePair(p.pair, p.chosen) })),
      );
      for (const row of g.rows) {
        const t = expected.rows.find((r) => r.category === row.category);
        expect(row.n, `${g.group}/${row.category}`).toBe(t?.n);
        if (row.n === 0) {
          expect(row.setAccuracy).toBeNull();
          continue;
        }
        expect(row.setAccuracy?.value).toBe(t?.setAccuracy);
        expect(row.individualAccuracy?.value).toBe(t?.individualAccuracy);
        expect(row.confusion?.value).toBe(t?.confusion);
      }
    }
  });

  it('overall: every rate with a two-way bootstrap interval over participants and pairs', () => {
    const row = allRow(group(report, 'all'));
    const setRight = played.filter((p) => scorePair(p.pair, p.chosen).setCorrect).length;
    const imagesRight = played.reduce((k, p) => {
      const s = scorePair(p.pair, p.chosen);
      return k + Number(s.correct[0]) + Number(s.correct[1]);
    }, 0);
    expect(row).toMatchObject({ n: 37, pairs: 12, participants: 4 });
    expect(row?.setAccuracy?.value).toBeCloseTo((setRight / 37) * 100, 10);
    expect(row?.setAccuracy).toMatchObject({
      method: 'two-way-bootstrap',
      interval: 'bootstrap',
      pairs: 12,
      participants: 4,
    });
    expect(row?.setAccuracy?.low).toBeLessThan(row?.setAccuracy?.value ?? 0);
    expect(row?.setAccuracy?.high).toBeGreaterThan(row?.setAccuracy?.value ?? 0);
    expect(row?.individualAccuracy).toMatchObject({
      n: 74,
      method: 'two-way-bootstrap',
      interval: 'bootstrap',
    });
    expect(row?.individualAccuracy?.value).toBeCloseTo((imagesRight / 74) * 100, 10);
    expect(row?.confusion?.n).toBe(37);
  });

  it('is the same report for the same seed', async () => {
    const again = await makeReport({ now: new Date(report.generatedAt) });
    expect(again).toEqual(report);
  });

  it("scores the crowd's majority among valid answers, reporting tied votes apart instead of as wrong", () => {
    const crowd = group(report, 'all').crowd;
    expect(crowd).toMatchObject({ pairs: 12, decidedPairs: 11, tiedPairs: 1, tiedImages: 1, setCorrect: 11 });
    expect(crowd.setAccuracy?.value).toBe(100);
    // The official table holds the decided pairs only: the tie is neither right nor invalid.
    expect(crowd.scoreTable.set_score[TOTAL_KEY]).toBe(11);
    expect(crowd.scoreTable.invalid[TOTAL_KEY]).toBe(0);
    expect(crowd.scoreTable.valids[TOTAL_KEY]).toBe(11);
    expect(crowd.scoreTable.individual_score[TOTAL_KEY]).toBe(22);
    // Pair 1 had four raters and the tie; the others three.
    expect(crowd.byRaters).toEqual([
      { raters: 3, pairs: 11, decidedPairs: 11, tiedPairs: 0, setCorrect: 11, setAccuracy: 100 },
      { raters: 4, pairs: 1, decidedPairs: 0, tiedPairs: 1, setCorrect: 0, setAccuracy: null },
    ]);
    // The resident was always right, so their "crowd" of one is too.
    expect(group(report, 'resident-pgy1').crowd).toMatchObject({ pairs: 12, setCorrect: 12, tiedImages: 0 });
  });

  it("writes the crowd's table in the official _score.json shape", async () => {
    const expected = JSON.parse(
      await readFile(path.join(SHARED_SCORING_CASES_DIR, 'mc_always_A', 'expected_table.json'), 'utf8'),
    ) as { raw_score_table: Record<string, Record<string, number>> };
    for (const g of report.groups) {
      const table = g.crowd.scoreTable;
      expect(Object.keys(table)).toEqual([...SCORE_METRICS]);
      expect(Object.keys(table)).toEqual(Object.keys(expected.raw_score_table));
      for (const metric of SCORE_METRICS) {
        expect(Object.keys(table[metric])).toEqual(Object.keys(expected.raw_score_table[metric] ?? {}));
        for (const value of Object.values(table[metric])) expect(Number.isInteger(value)).toBe(true);
      }
    }
  });

  it('compares the crowd with each model on the same pairs with an exact McNemar test, ties left out', () => {
    const versus = new Map(group(report, 'all').versusModels.map((m) => [m.modelId, m]));
    // always-a is confused on every pair: the crowd wins the 11 decided pairs it gets right.
    expect(versus.get('always-a')).toMatchObject({
      status: 'tested',
      pairs: 11,
      tiedPairs: 1,
      b: 11,
      c: 0,
      modelSetCorrect: 0,
    });
    expect(versus.get('always-a')?.p).toBeCloseTo(2 / 2 ** 11, 12);
    // oracle misses pairs 11 and 12 (which the crowd gets); pair 1, where the crowd tied, is left out.
    expect(versus.get('oracle')).toMatchObject({
      status: 'tested',
      pairs: 11,
      tiedPairs: 1,
      b: 2,
      c: 0,
      modelSetCorrect: 9,
    });
    expect(versus.get('oracle')?.p).toBeCloseTo(0.5, 12);
    expect(versus.get('partial')).toMatchObject({
      status: 'insufficient-data',
      pairs: 4,
      tiedPairs: 1,
      p: null,
    });
    expect(versus.get('partial')?.message).toMatch(
      /Only 4 pairs .*1 pair with a tied vote left out.* at least 10/,
    );
    expect(versus.get('silent')).toMatchObject({ status: 'no-answers', pairs: 0, p: null });
  });

  it('gives each pair and each image its share of people right', () => {
    const first = report.pairDifficulty.find((p) => p.pairId === pairs[0]?.id);
    expect(first).toMatchObject({ n: 4, setCorrectShare: 25, crowdSetCorrect: false });
    expect(first?.images.map((i) => [i.n, i.right])).toEqual([
      [4, 2],
      [4, 3],
    ]);
    expect(first?.crowdMajority).toEqual([null, pairs[0]?.images[1].correct]);
    const other = report.pairDifficulty.find((p) => p.pairId === pairs[1]?.id);
    expect(other).toMatchObject({ n: 3, crowdSetCorrect: true });
    expect(report.pairDifficulty).toHaveLength(12);
    // Images recur across pairs: an image's answers add up over every pair it appears in.
    const totalImageAnswers = report.imageDifficulty.reduce((k, i) => k + i.n, 0);
    expect(totalImageAnswers).toBe(74);
    for (const image of report.imageDifficulty) {
      expect(image.appearances.length).toBeGreaterThan(0);
      expect(image.rightShare).toBeCloseTo((image.right / image.n) * 100, 10);
    }
  });

  it('can leave out pairs with an image seen before', async () => {
    const seen = (await readAnswerHistory(h.store, h.set, indexPairs(h.set), new Pseudonymizer(SECRET))).rows;
    const flagged = new Set(seen.filter((r) => r.seenBefore).map((r) => `${r.participant}/${r.pairId}`));
    expect(flagged.size).toBeGreaterThan(0);
    const filtered = await makeReport({ excludeSeenBefore: true });
    expect(filtered.counts.excludedSeenBefore).toBe(flagged.size);
    expect(filtered.counts.instances).toBe(37 - flagged.size);
  });

  it('counts quiz answers only when asked to, and only for revealed rounds', async () => {
    await playQuiz(h, 'room-r', 2, { '900000000000000001': true, '900000000000000009': false });
    const baselineOnly = await makeReport();
    expect(baselineOnly.counts.instances).toBe(37);
    const withQuiz = await makeReport({ contexts: ['baseline', 'quiz'] });
    expect(withQuiz.counts.instances).toBe(37 + 4);
    expect(withQuiz.counts.participants).toBe(5);
    expect(group(withQuiz, 'resident-pgy1').instances).toBe(14);
  });
});
