import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerKey, collect, quizCollections, roundPrefix } from '../../src/quiz/store-layout.js';
import { current } from '../support/quiz-round.js';
import { type Harness, member, openHarness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

const click = (
  userId: string,
  slot: number,
  option: string,
  extra: { round?: number; sessionId?: string } = {},
) => h.engine.answer({ roomId: 'room', userId, displayName: `Name of ${userId}`, slot, option, ...extra });

describe('answers', () => {
  it('is durable in the store, with display name and response time, when the accept resolves', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    h.clock.advance(4_250);
    const outcome = await click('alice', 1, 'B');
    expect(outcome).toMatchObject({ ok: true, choices: [null, 'B'], complete: false, responseMs: 4_250 });
    // Read through a separate connection: what was acknowledged is on disk, not only in the engine.
    const { openStore } = await import('../../src/store/open-store.js');
    const second = await openStore(h.storeUrl);
    try {
      const stored = await quizCollections(second).answers.get(answerKey(round.sessionId, 1, 'alice', 1));
      expect(stored).toMatchObject({
        userId: 'alice',
        displayName: 'Name of alice',
        slot: 1,
        option: 'B',
        responseMs: 4_250,
        pairId: round.pair.id,
      });
    } finally {
      await second.close();
    }
  });

  it('locks both answers once both images are answered when changes are not allowed', async () => {
    await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    expect(await click('alice', 0, 'A')).toMatchObject({ ok: true, locked: false });
    // Before the second image is answered the first can still change.
    expect(await click('alice', 0, 'B')).toMatchObject({ ok: true, choices: ['B', null], changed: true });
    expect(await click('alice', 1, 'A')).toMatchObject({ ok: true, complete: true, locked: true });
    const refused = await click('alice', 0, 'A');
    expect(refused).toMatchObject({ ok: false, code: 'ANSWER_LOCKED', choices: ['B', 'A'] });
    expect(refused.ok ? '' : refused.message).toBe(
      'Your answers are locked in (image 1: B, image 2: A); this quiz does not allow changes.',
    );
    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.persons[0]?.score.chosen).toEqual(['B', 'A']);
  });

  it('lets people change answers until the reveal when the host allowed changes', async () => {
    await h.engine.start({ roomId: 'room', hostUserId: 'host', allowChanges: true });
    await click('alice', 0, 'A');
    await click('alice', 1, 'A');
    expect(await click('alice', 1, 'B')).toMatchObject({
      ok: true,
      changed: true,
      locked: false,
      choices: ['A', 'B'],
    });
    expect(h.engine.answeredCount('room')).toBe(1);
    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.persons[0]?.score.chosen).toEqual(['A', 'B']);
  });

  it('refuses clicks after the deadline and after the reveal as late', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host', secondsPerRound: 30 });
    h.clock.time = round.deadline - 1;
    expect(await click('bob', 0, 'A')).toMatchObject({ ok: true });
    // At the deadline itself the click is late, whether or not the scheduler's reveal has run yet.
    h.clock.time = round.deadline;
    expect(await click('alice', 0, 'A')).toMatchObject({ ok: false, code: 'ROUND_CLOSED' });
    await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(await click('bob', 1, 'A')).toMatchObject({
      ok: false,
      code: 'ROUND_CLOSED',
      message: "Time's up for this question, so answers are no longer accepted.",
    });
  });

  it("treats a click on an earlier round's or session's button as late", async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    await h.engine.next('room', member('host'), current(h.engine, 'room'));
    expect(await click('alice', 0, 'A', { round: round.round })).toMatchObject({
      ok: false,
      code: 'ROUND_CLOSED',
    });
    expect(await click('alice', 0, 'A', { sessionId: 'old-session' })).toMatchObject({
      ok: false,
      code: 'ROUND_CLOSED',
    });
    expect(await click('alice', 0, 'A', { round: 2, sessionId: round.sessionId })).toMatchObject({
      ok: true,
      round: 2,
    });
  });

  it('refuses answers where no quiz runs, and options or images that do not exist', async () => {
    expect(await click('alice', 0, 'A')).toMatchObject({ ok: false, code: 'NO_SESSION' });
    await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    expect(await click('alice', 2, 'A')).toMatchObject({ ok: false, code: 'INVALID_OPTION' });
    expect(await click('alice', 0, 'C')).toMatchObject({ ok: false, code: 'INVALID_OPTION' });
  });

  it('stores all of 1000 people clicking both images at once', async () => {
    const { round } = await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    const clicks = [];
    for (let i = 0; i < 1000; i++) {
      clicks.push(click(`user${i}`, 0, i % 2 ? 'A' : 'B'), click(`user${i}`, 1, i % 3 ? 'A' : 'B'));
    }
    const outcomes = await Promise.all(clicks);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2000);
    expect(h.engine.answeredCount('room')).toBe(1000);

    const stored = await collect(quizCollections(h.store).answers.entries(roundPrefix(round.sessionId, 1)));
    expect(stored).toHaveLength(2000);
    const { reveal } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    expect(reveal.people.completed).toBe(1000);
    expect(reveal.images[0].picks).toEqual({ A: 500, B: 500 });
    expect(reveal.images[1].picks).toEqual({ A: 666, B: 334 });
  });

  it('counts exactly the clicks it acknowledged when a reveal starts while clicks are arriving', async () => {
    await h.engine.start({ roomId: 'room', hostUserId: 'host' });
    const before = Array.from({ length: 200 }, (_, i) => click(`early${i}`, 0, 'A'));
    const revealing = h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    // Clicks racing the reveal: each is either acknowledged (and then counted) or refused as late.
    const racing = Array.from({ length: 200 }, (_, i) => click(`racing${i}`, 0, 'A'));
    const [early, { reveal }, raced] = await Promise.all([
      Promise.all(before),
      revealing,
      Promise.all(racing),
    ]);
    expect(early.every((o) => o.ok)).toBe(true);
    const accepted = raced.filter((o) => o.ok).length;
    expect(raced.filter((o) => !o.ok).every((o) => !o.ok && o.code === 'ROUND_CLOSED')).toBe(true);
    expect(reveal.people.participants).toBe(200 + accepted);
    expect(await click('after', 0, 'A')).toMatchObject({ ok: false, code: 'ROUND_CLOSED' });
  });
});
