import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexPairs } from '../../src/quiz/pairs.js';
import { PersonIndex } from '../../src/quiz/person-index.js';
import { scopeStats } from '../../src/quiz/stats.js';
import { answerKey, quizCollections } from '../../src/quiz/store-layout.js';
import { StoreValueError } from '../../src/store/index.js';
import { type Harness, member, openHarness, optionFor } from './harness.js';

/**
 * A person's statistics come from the per-person index (the sessions they answered in), not from a pass
 * over every session and click in the store.
 */

let h: Harness;

/** One session in `roomId`: each round, each of `people` answers both images (right on even rounds). */
async function play(roomId: string, people: string[], rounds: number, leaveLastOpen = false) {
  let { round } = await h.engine.start({ roomId, guildId: 'g1', hostUserId: 'host', rounds, models: [] });
  for (let i = 0; i < rounds; i++) {
    for (const userId of people) {
      for (const slot of [0, 1] as const) {
        const option = optionFor(round.pair, slot, (i + slot) % 2 === 0);
        await h.engine.answer({ roomId, userId, displayName: userId, slot, option });
      }
    }
    if (leaveLastOpen && i === rounds - 1) return;
    const step = await h.engine.next(roomId, member('host'), round);
    if (step.round) round = step.round;
  }
}

beforeAll(async () => {
  h = await openHarness();
  await play('r1', ['ann', 'bob'], 3);
  await play('r2', ['bob', 'cat'], 2);
  await play('r3', ['ann'], 2, true);
  for (let room = 4; room < 10; room++) await play(`r${room}`, ['dan'], 1);
});
afterAll(async () => {
  await h?.close();
});

const fullPass = (scope: { kind: 'user'; userId: string }) =>
  scopeStats({ set: h.set, pairs: indexPairs(h.set), db: quizCollections(h.store) }, scope);

describe('the per-person index', () => {
  it('lists the sessions each person answered in, an open one included', async () => {
    const index = new PersonIndex(h.store);
    expect(await index.sessionsOf('ann')).toHaveLength(2);
    expect(await index.sessionsOf('bob')).toHaveLength(2);
    expect(await index.sessionsOf('dan')).toHaveLength(6);
    expect(await index.sessionsOf('nobody')).toEqual([]);
  });

  it('gives a person the same statistics as a full pass over the store', async () => {
    for (const userId of ['ann', 'bob', 'cat', 'dan', 'nobody']) {
      const scope = { kind: 'user', userId } as const;
      expect(await h.engine.stats(scope)).toStrictEqual(await fullPass(scope));
    }
    const ann = await h.engine.stats({ kind: 'user', userId: 'ann' });
    // r1's three rounds; r3's last round is still open and does not count.
    expect(ann.rounds).toBe(4);
    expect(ann.sessions).toBe(2);
  });

  it("reads only the person's own sessions: a damaged session of someone else does not reach them", async () => {
    const sessions = h.store.collection<unknown>('quiz.sessions');
    await sessions.set('zz-damaged', { not: 'a session' });
    try {
      await expect(fullPass({ kind: 'user', userId: 'ann' })).rejects.toBeInstanceOf(StoreValueError);
      expect((await h.engine.stats({ kind: 'user', userId: 'ann' })).rounds).toBe(4);
    } finally {
      await sessions.delete('zz-damaged');
    }
  });

  it('indexes, the first time it is read, clicks stored before the index existed', async () => {
    const restarted = await h.restart();
    // An older version stored this click without an index entry.
    await quizCollections(h.store).answers.set(answerKey('old-session', 1, 'eve', 0), {
      sessionId: 'old-session',
      roomId: 'r0',
      guildId: null,
      round: 1,
      pairId: h.set.pairs[0]?.id ?? '',
      userId: 'eve',
      displayName: 'Eve',
      slot: 0,
      option: 'A',
      at: 1,
      responseMs: 1,
      changes: 0,
    });
    await h.store.collection('quiz.by-person-meta').clear();
    expect(await new PersonIndex(h.store).sessionsOf('eve')).toEqual(['old-session']);
    expect((await restarted.stats({ kind: 'user', userId: 'ann' })).rounds).toBe(4);
  });

  it('forgets a person', async () => {
    const index = new PersonIndex(h.store);
    expect(await index.forget('cat')).toBe(1);
    expect(await index.sessionsOf('cat')).toEqual([]);
    expect(await index.sessionsOf('bob')).toHaveLength(2);
  });
});
