import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageSlot } from '../../src/dataset/model.js';
import { pairHasCategory } from '../../src/quiz/pairs.js';
import { seededRandom } from '../../src/random.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { current } from '../support/quiz-round.js';
import { type Harness, member, openHarness, optionFor } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

/**
 * Participant i's behaviour, fixed so that every figure of the reveal can be worked out by hand:
 * image 1 right when i % 2 === 0, image 2 right when i % 5 !== 0, and answers after i * 100 ms.
 */
const rightOn = (i: number, slot: ImageSlot) => (slot === 0 ? i % 2 === 0 : i % 5 !== 0);

async function answerAll(n: number, round: number) {
  const view = h.engine.session('chan-1')?.round;
  if (!view) throw new Error('no round');
  const outcomes = [];
  for (let i = 0; i < n; i++) {
    h.clock.time = view.startedAt + i * 100;
    for (const slot of [0, 1] as const) {
      outcomes.push(
        await h.engine.answer({
          roomId: 'chan-1',
          userId: `u${i}`,
          displayName: `Person ${i}`,
          slot,
          option: optionFor(view.pair, slot, rightOn(i, slot)),
          round,
        }),
      );
    }
  }
  return outcomes;
}

describe('a whole quiz session', () => {
  it('runs start → 50 people answer → reveal → next → reveal → summary with the right tallies', async () => {
    h.models.setModel('always-a', { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
    const started = await h.engine.start({
      roomId: 'chan-1',
      guildId: 'guild-1',
      hostUserId: 'host',
      rounds: 2,
      models: ['always-a'],
    });
    expect(started.round).toMatchObject({ round: 1, number: 1, totalRounds: 2, state: 'open' });
    expect(started.round.deadline).toBe(started.round.startedAt + 60_000);
    expect(started.notices).toEqual([]);

    const outcomes = await answerAll(50, 1);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(h.engine.answeredCount('chan-1')).toBe(50);

    const { reveal, fresh } = await h.engine.reveal('chan-1', member('host'), current(h.engine, 'chan-1'));
    expect(fresh).toBe(true);
    const pair = started.round.pair;
    expect(reveal.pair.id).toBe(pair.id);
    // Image 1: even i right (25 of 50); image 2: i not a multiple of 5 right (40 of 50).
    expect(reveal.images[0]).toMatchObject({
      correct: pair.images[0].correct,
      answered: 50,
      right: 25,
      rightShare: 50,
    });
    expect(reveal.images[1]).toMatchObject({ answered: 50, right: 40, rightShare: 80 });
    expect(reveal.images[0].caption).toBe(pair.images[0].caption);
    expect(reveal.images[0].sourceUrl).toBe(
      `https://pmc.ncbi.nlm.nih.gov/articles/${pair.images[0].pmcArticle}/`,
    );
    // Both right: even and not a multiple of 5 → 20 people.
    expect(reveal.people).toMatchObject({ participants: 50, completed: 50, setCorrect: 20, setAccuracy: 40 });
    // Confused = the same letter twice = exactly one image right (the pair's correct letters differ).
    const confused = Array.from({ length: 50 }, (_, i) => rightOn(i, 0) !== rightOn(i, 1)).filter(
      Boolean,
    ).length;
    expect(reveal.people.confused).toBe(confused);
    expect(reveal.people.confusion).toBe((confused / 50) * 100);
    expect(reveal.models).toEqual([
      { modelId: 'always-a', status: 'answered', raw: ['A', 'A'], score: scorePair(pair, ['A', 'A']) },
    ]);
    expect(reveal.persons[0]?.userId).toBe('u0');

    const second = await h.engine.next('chan-1', member('host'), current(h.engine, 'chan-1'));
    expect(second.reveal).toBeNull();
    expect(second.summary).toBeNull();
    expect(second.round).toMatchObject({ round: 2, number: 2, state: 'open', answeredCount: 0 });
    expect(second.round?.pair.id).not.toBe(pair.id);

    await answerAll(50, 2);
    // next on an open round reveals it first; after the last round the session ends with its summary.
    const last = await h.engine.next('chan-1', member('host'), current(h.engine, 'chan-1'));
    expect(last.reveal?.round).toBe(2);
    expect(last.round).toBeNull();
    const summary = last.summary;
    if (!summary) throw new Error('expected a summary');
    expect(summary).toMatchObject({ status: 'ended', endReason: 'completed', roundsPlayed: 2 });
    expect(h.engine.session('chan-1')).toBeNull();

    // People who got both images right twice (i % 10 === 0 is not: i % 5 === 0 misses image 2).
    const expectedSetAcc = (i: number) => (rightOn(i, 0) && rightOn(i, 1) ? 100 : 0);
    for (const p of summary.participants) {
      const i = Number(p.userId.slice(1));
      expect(p.setAccuracy).toBe(expectedSetAcc(i));
      expect(p.individualAccuracy).toBe(((Number(rightOn(i, 0)) + Number(rightOn(i, 1))) / 2) * 100);
      expect(p.displayName).toBe(`Person ${i}`);
    }
    // The podium: all-correct people rank first, the fastest (lowest i) of them first.
    expect(summary.podium.map((p) => p.userId)).toEqual(['u2', 'u4', 'u6']);
    expect(summary.podium.map((p) => p.rank)).toEqual([1, 2, 3]);

    const peopleAll = summary.comparison.people.rows.find((r) => r.category === 'All');
    expect(peopleAll).toMatchObject({ n: 100, setAccuracy: 40, individualAccuracy: 65 });
    const model = summary.comparison.models[0];
    expect(model?.who).toBe('always-a');
    expect(model?.rows.find((r) => r.category === 'All')).toMatchObject({
      n: 2,
      setAccuracy: 0,
      confusion: 100,
    });
    expect(summary.comparison.chance).toEqual({ setAccuracy: 25, individualAccuracy: 50, confusion: 50 });
  });

  it('scores every person exactly as scorePair scores the same answers', async () => {
    const { round } = await h.engine.start({ roomId: 'chan-1', hostUserId: 'host' });
    const random = seededRandom(7);
    const given = new Map<string, ['A' | 'B' | null, 'A' | 'B' | null]>();
    for (let i = 0; i < 40; i++) {
      const choice: ['A' | 'B' | null, 'A' | 'B' | null] = [null, null];
      for (const slot of [0, 1] as const) {
        const r = random();
        if (r < 0.15) continue; // leaves this image unanswered
        choice[slot] = r < 0.6 ? 'A' : 'B';
        await h.engine.answer({
          roomId: 'chan-1',
          userId: `p${i}`,
          displayName: `P${i}`,
          slot,
          option: choice[slot] as string,
        });
      }
      if (choice[0] !== null || choice[1] !== null) given.set(`p${i}`, choice);
    }
    const { reveal } = await h.engine.reveal('chan-1', { kind: 'system' }, current(h.engine, 'chan-1'));
    expect(reveal.persons).toHaveLength(given.size);
    for (const person of reveal.persons) {
      expect(person.score).toEqual(scorePair(round.pair, given.get(person.userId) ?? [null, null]));
    }
  });

  it('never shows a pair twice in a session, even with skipped rounds', async () => {
    await h.engine.start({ roomId: 'chan-1', hostUserId: 'host', rounds: 20 });
    const seen = [h.engine.session('chan-1')?.round?.pair.id];
    for (let i = 0; i < 25; i++) {
      const step =
        i % 3 === 0
          ? await h.engine.skip('chan-1', member('host'), current(h.engine, 'chan-1'))
          : await h.engine.next('chan-1', member('host'), current(h.engine, 'chan-1'));
      if (step.round === null) break;
      seen.push(step.round.pair.id);
    }
    expect(seen.length).toBeGreaterThan(20);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('draws only pairs with an image of the chosen category, whatever its case', async () => {
    const started = await h.engine.start({
      roomId: 'chan-1',
      hostUserId: 'host',
      category: 'cardiac',
      rounds: 10,
    });
    expect(started.session.settings.category).toBe('Cardiac');
    const pairs = [started.round.pair];
    for (;;) {
      const step = await h.engine.next('chan-1', member('host'), current(h.engine, 'chan-1'));
      if (step.round === null) break;
      pairs.push(step.round.pair);
    }
    expect(pairs).toHaveLength(10);
    for (const pair of pairs) expect(pairHasCategory(pair, 'Cardiac')).toBe(true);
  });

  it('caps the rounds at the pairs a small category has, and says so', async () => {
    const count = h.set.pairs.filter((p) => pairHasCategory(p, 'Nuclear Medicine')).length;
    expect(count).toBeLessThan(20);
    const started = await h.engine.start({
      roomId: 'chan-1',
      hostUserId: 'host',
      category: 'Nuclear Medicine',
      rounds: 20,
    });
    expect(started.session.settings.rounds).toBe(count);
    expect(started.notices[0]).toContain(`Only ${count} questions match Nuclear Medicine`);
  });

  it('refuses a second session in the same room but allows one in another room', async () => {
    await h.engine.start({ roomId: 'chan-1', hostUserId: 'host' });
    await expect(h.engine.start({ roomId: 'chan-1', hostUserId: 'someone' })).rejects.toMatchObject({
      code: 'SESSION_EXISTS',
    });
    await expect(h.engine.start({ roomId: 'chan-2', hostUserId: 'someone' })).resolves.toBeDefined();
  });

  it('lets a room start again after its session ended', async () => {
    await h.engine.start({ roomId: 'chan-1', hostUserId: 'host' });
    await h.engine.stop('chan-1', member('host'), current(h.engine, 'chan-1'));
    await expect(h.engine.start({ roomId: 'chan-1', hostUserId: 'host' })).resolves.toBeDefined();
  });

  it('refuses bad settings with specific messages', async () => {
    await expect(h.engine.start({ roomId: 'c', hostUserId: 'h', rounds: 21 })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      message: expect.stringContaining('from 1 to 20 (got 21)'),
    });
    await expect(h.engine.start({ roomId: 'c', hostUserId: 'h', secondsPerRound: 5 })).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      message: expect.stringContaining('from 10 to 600 (got 5)'),
    });
    await expect(
      h.engine.start({ roomId: 'c', hostUserId: 'h', category: 'Dermatology' }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_CATEGORY',
      message: expect.stringContaining('Cerebral, Vascular'),
    });
    h.models.setModel('known', { ok: false, reason: 'x' });
    await expect(h.engine.start({ roomId: 'c', hostUserId: 'h', models: ['gpt-9'] })).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL',
      message: 'Unknown model gpt-9. Available: known.',
    });
    expect(h.engine.session('c')).toBeNull();
  });

  it('stops with a summary that keeps the answers of the open round', async () => {
    const { round } = await h.engine.start({ roomId: 'chan-1', hostUserId: 'host', rounds: 5 });
    await h.engine.answer({
      roomId: 'chan-1',
      userId: 'a',
      displayName: 'A',
      slot: 0,
      option: optionFor(round.pair, 0, true),
    });
    await h.engine.answer({
      roomId: 'chan-1',
      userId: 'a',
      displayName: 'A',
      slot: 1,
      option: optionFor(round.pair, 1, true),
    });
    const stopped = await h.engine.stop('chan-1', member('host'), current(h.engine, 'chan-1'));
    expect(stopped.reveal?.people.setCorrect).toBe(1);
    expect(stopped.summary).toMatchObject({ endReason: 'stopped', roundsPlayed: 1 });
    expect(stopped.summary.participants[0]).toMatchObject({ userId: 'a', setAccuracy: 100, rank: 1 });
  });

  it('ranks people tied on accuracy by total response time, and accuracy before speed', async () => {
    const { round } = await h.engine.start({ roomId: 'chan-1', hostUserId: 'host', rounds: 1 });
    const answer = async (userId: string, atMs: number, right: [boolean, boolean]) => {
      h.clock.time = round.startedAt + atMs;
      for (const slot of [0, 1] as const) {
        await h.engine.answer({
          roomId: 'chan-1',
          userId,
          displayName: userId,
          slot,
          option: optionFor(round.pair, slot, right[slot]),
        });
      }
    };
    await answer('fast-wrong', 1_000, [true, false]);
    await answer('slow-right', 50_000, [true, true]);
    await answer('quick-right', 20_000, [true, true]);
    await answer('wrong', 30_000, [false, false]);
    const { summary } = await h.engine.next('chan-1', member('host'), current(h.engine, 'chan-1'));
    expect(summary?.participants.map((p) => [p.userId, p.rank])).toEqual([
      ['quick-right', 1],
      ['slow-right', 2],
      ['fast-wrong', 3],
      ['wrong', 4],
    ]);
    expect(summary?.podium.map((p) => p.userId)).toEqual(['quick-right', 'slow-right', 'fast-wrong']);
  });
});
