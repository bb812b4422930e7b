import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { pairHasCategory } from '../../src/quiz/pairs.js';
import { type Tally, tally } from '../../src/quiz/tallies.js';
import { buildCountTable, categorySlotCounts } from '../../src/scoring/count-table.js';
import { wilsonInterval } from '../../src/scoring/intervals.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { buildSummaryTable } from '../../src/scoring/summary-table.js';
import { current } from '../support/quiz-round.js';
import { type Harness, member, openHarness, optionFor } from './harness.js';

/** Who answers what in a round: user id → [image 1 right, image 2 right] (null leaves the image out). */
type Plan = Record<string, [boolean | null, boolean | null]>;

let h: Harness;
/** Every (user, pair) answer played, to recompute expected figures independently. */
const played: Array<{
  roomId: string;
  guildId: string;
  userId: string;
  pair: ConfusingPair;
  chosen: ['A' | 'B' | null, 'A' | 'B' | null];
}> = [];

async function playSession(
  roomId: string,
  guildId: string,
  plans: Plan[],
  options: { skipFirst?: boolean; leaveLastOpen?: boolean } = {},
) {
  let { round } = await h.engine.start({
    roomId,
    guildId,
    hostUserId: 'host',
    rounds: plans.length,
    models: ['always-a'],
  });
  if (options.skipFirst) {
    // Someone answers the round that is then skipped: those answers must never count.
    await h.engine.answer({ roomId, userId: 'ghost', displayName: 'Ghost', slot: 0, option: 'A' });
    const step = await h.engine.skip(roomId, member('host'), current(h.engine, roomId));
    if (!step.round) throw new Error('no round after skip');
    round = step.round;
  }
  for (const [i, plan] of plans.entries()) {
    for (const [userId, rights] of Object.entries(plan)) {
      const chosen: ['A' | 'B' | null, 'A' | 'B' | null] = [null, null];
      for (const slot of [0, 1] as const) {
        const right = rights[slot];
        if (right === null) continue;
        chosen[slot] = optionFor(round.pair, slot, right);
        await h.engine.answer({
          roomId,
          userId,
          displayName: `Name ${userId}`,
          slot,
          option: chosen[slot] as string,
        });
      }
      const counted = !(options.leaveLastOpen && i === plans.length - 1);
      if (counted) played.push({ roomId, guildId, userId, pair: round.pair, chosen });
    }
    if (options.leaveLastOpen && i === plans.length - 1) return;
    const step = await h.engine.next(roomId, member('host'), current(h.engine, roomId));
    if (step.round) round = step.round;
  }
}

const all = (t: Tally) => t.rows.find((r) => r.category === 'All');

beforeAll(async () => {
  h = await openHarness();
  h.models.setModel('always-a', { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
  const everyone: Plan = { ann: [true, true], bob: [true, false], cat: [false, false] };
  // guild g1, room r1: 4 rounds; ann always right; a skipped round that must never count.
  await playSession('r1', 'g1', [everyone, everyone, everyone, { ann: [true, true], dan: [true, null] }], {
    skipFirst: true,
  });
  // guild g1, room r2: 3 rounds, the last still open (not counted).
  await playSession(
    'r2',
    'g1',
    [{ ann: [true, true], bob: [true, true] }, { bob: [false, true] }, { ann: [false, false] }],
    {
      leaveLastOpen: true,
    },
  );
  // guild g2, room r3: 2 rounds.
  await playSession('r3', 'g2', [{ eve: [true, true] }, { eve: [true, true], bob: [true, true] }]);
});
afterAll(async () => {
  await h.close();
});

describe('stats across sessions', () => {
  it('counts a room’s revealed rounds only, one entry per person and pair', async () => {
    const stats = await h.engine.stats({ kind: 'room', roomId: 'r1' });
    const mine = played.filter((p) => p.roomId === 'r1');
    expect(stats).toMatchObject({ sessions: 1, rounds: 4, people: 4 });
    const setRight = mine.filter((p) => scorePair(p.pair, p.chosen).setCorrect).length;
    expect(all(stats.comparison.people)).toMatchObject({
      n: mine.length,
      setAccuracy: (setRight / mine.length) * 100,
    });
    // The model answers once per revealed round.
    expect(all(stats.comparison.models[0] as Tally)).toMatchObject({ n: 4, setAccuracy: 0, confusion: 100 });
    expect(stats.comparison.chance).toEqual({ setAccuracy: 25, individualAccuracy: 50, confusion: 50 });
  });

  it('gives per-category rows and Wilson intervals equal to the official tables over the same answers', async () => {
    const stats = await h.engine.stats({ kind: 'guild', guildId: 'g1' });
    const mine = played.filter((p) => p.guildId === 'g1');
    expect(stats).toMatchObject({ sessions: 2, rounds: 6 });
    const pairs = mine.map((p) => p.pair);
    const virtual = { ...h.set, pairs, categoryCounts: categorySlotCounts(pairs, h.set.categories) };
    const table = buildSummaryTable(
      virtual,
      buildCountTable(
        virtual,
        mine.map((p) => ({ pair: p.pair, score: scorePair(p.pair, p.chosen) })),
      ),
    );
    for (const row of stats.comparison.people.rows) {
      expect(row.setAccuracy).toBe(table.full[row.category]?.set_acc);
      expect(row.individualAccuracy).toBe(table.full[row.category]?.individual_acc);
      expect(row.confusion).toBe(table.full[row.category]?.confused);
      expect(row.setInterval).toEqual(table.intervals[row.category]?.set_acc);
      if (row.category !== 'All')
        expect(row.n).toBe(pairs.filter((p) => pairHasCategory(p, row.category)).length);
    }
  });

  it("counts a person's answers across rooms and servers, and models on that person's rounds only", async () => {
    const stats = await h.engine.stats({ kind: 'user', userId: 'bob' });
    const bobs = played.filter((p) => p.userId === 'bob');
    expect(stats.rounds).toBe(bobs.length);
    expect(stats.people).toBe(1);
    expect(all(stats.comparison.people)?.n).toBe(bobs.length);
    expect(all(stats.comparison.models[0] as Tally)?.n).toBe(bobs.length);
  });

  it('covers every room with the all scope', async () => {
    const stats = await h.engine.stats({ kind: 'all' });
    expect(stats).toMatchObject({ sessions: 3, rounds: 4 + 2 + 2, people: 5 });
    expect(all(stats.comparison.people)?.n).toBe(played.length);
  });

  it('ranks people by set accuracy among those with enough answered pairs', async () => {
    const board = await h.engine.leaderboard({ kind: 'guild', guildId: 'g1' }, { minPairs: 3 });
    // g1 counted pairs: ann 4 (r1) + 1 (r2) = 5 all right; bob 3 + 2; cat 3; dan 1 (below the minimum).
    expect(board.belowMinimum).toBe(1);
    expect(board.entries.map((e) => [e.rank, e.userId, e.pairs, e.setCorrect])).toEqual([
      [1, 'ann', 5, 5],
      [2, 'bob', 5, 1],
      [3, 'cat', 3, 0],
    ]);
    const bob = board.entries[1];
    const interval = wilsonInterval(1, 5);
    expect(bob).toMatchObject({
      displayName: 'Name bob',
      setAccuracy: 20,
      individualAccuracy: 60,
      setInterval: { low: interval.low * 100, high: interval.high * 100 },
    });
  });

  it('applies the minimum strictly and can limit to one category', async () => {
    // Over all rooms: ann 5 pairs, bob 6, cat 3, eve 2, dan 1.
    const atFive = await h.engine.leaderboard({ kind: 'all' }, { minPairs: 5 });
    expect(atFive.entries.map((e) => e.userId)).toEqual(['ann', 'bob']);
    expect(atFive.belowMinimum).toBe(3);
    const atSix = await h.engine.leaderboard({ kind: 'all' }, { minPairs: 6 });
    expect(atSix.entries.map((e) => e.userId)).toEqual(['bob']);
    const category = h.set.categories.find((c) => played.some((p) => pairHasCategory(p.pair, c))) as string;
    const byCategory = await h.engine.leaderboard(
      { kind: 'all' },
      { minPairs: 1, category: category.toUpperCase() },
    );
    expect(byCategory.category).toBe(category);
    const expected = new Map<string, number>();
    for (const p of played.filter((x) => pairHasCategory(x.pair, category))) {
      expected.set(p.userId, (expected.get(p.userId) ?? 0) + 1);
    }
    expect(new Map(byCategory.entries.map((e) => [e.userId, e.pairs]))).toEqual(expected);
  });
});

describe('tally', () => {
  it('weighs a pair once per person who answered it', () => {
    const pair = h.set.pairs[0] as ConfusingPair;
    const right = scorePair(pair, [pair.images[0].correct, pair.images[1].correct]);
    const wrong = scorePair(pair, [null, null]);
    const t = tally(h.set, 'people', [
      { pair, score: right },
      { pair, score: right },
      { pair, score: wrong },
    ]);
    expect(all(t)?.n).toBe(3);
    expect(all(t)?.setAccuracy).toBeCloseTo((2 / 3) * 100, 10);
    expect(all(t)?.invalid).toBeCloseTo((1 / 3) * 100, 10);
  });
});
