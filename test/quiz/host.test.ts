import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserFacingError } from '../../src/errors.js';
import type { RoundRef } from '../../src/quiz/engine.js';
import { current } from '../support/quiz-round.js';
import { type Harness, member, openHarness, recordEvents, revealsIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
  await h.engine.start({ roomId: 'room', hostUserId: 'starter', rounds: 3 });
});
afterEach(async () => {
  await h.close();
});

const here = (): RoundRef => current(h.engine, 'room');

describe('host controls', () => {
  it.each([
    ['reveal', () => h.engine.reveal('room', member('stranger'), here())],
    ['next', () => h.engine.next('room', member('stranger'), here())],
    ['skip', () => h.engine.skip('room', member('stranger'), here())],
    ['stop', () => h.engine.stop('room', member('stranger'), here())],
  ])('refuses %s from someone who is not a host, and changes nothing', async (_name, act) => {
    const error = await act().catch((e: unknown) => e);
    expect(isUserFacingError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'NOT_HOST' });
    expect(h.engine.session('room')?.round).toMatchObject({ round: 1, state: 'open' });
  });

  it('lets the person who started the session reveal', async () => {
    await expect(h.engine.reveal('room', member('starter'), here())).resolves.toMatchObject({ fresh: true });
  });

  it('lets a member with Manage Server move on', async () => {
    const step = await h.engine.next('room', member('admin', { canManageServer: true }), here());
    expect(step.round?.round).toBe(2);
  });

  it('lets a member with the host role skip', async () => {
    const step = await h.engine.skip('room', member('helper', { hasHostRole: true }), here());
    expect(step.round?.round).toBe(2);
  });

  it('lets whoever holds the web host key stop', async () => {
    const stopped = await h.engine.stop('room', member('web:ABCD:host', { holdsHostKey: true }), here());
    expect(stopped.summary.endReason).toBe('stopped');
  });

  it('tells front ends who is a host without acting', () => {
    expect(h.engine.isHost('room', member('starter'))).toBe(true);
    expect(h.engine.isHost('room', member('helper', { hasHostRole: true }))).toBe(true);
    expect(h.engine.isHost('room', member('stranger'))).toBe(false);
    expect(h.engine.isHost('elsewhere', member('starter'))).toBe(false);
  });

  it('reveals once however many reveals arrive together, the deadline included', async () => {
    const events = recordEvents(h.engine);
    const round = h.engine.session('room')?.round;
    if (!round) throw new Error('no round');
    const at = here();
    const outcomes = await Promise.all([
      h.engine.reveal('room', member('starter'), at),
      h.engine.reveal('room', member('admin', { canManageServer: true }), at),
      (async () => {
        h.clock.time = round.deadline;
        await h.engine.settled();
      })(),
    ]);
    const [first, second] = outcomes;
    expect(first.fresh).toBe(true);
    expect(second.fresh).toBe(false);
    expect(second.reveal).toBe(first.reveal);
    h.clock.advance(120_000);
    await h.engine.settled();
    expect(revealsIn(events)).toHaveLength(1);
  });

  it('answers NO_SESSION for controls in a room without a quiz', async () => {
    await expect(
      h.engine.next('other-room', member('starter'), { sessionId: 'x', round: 1 }),
    ).rejects.toMatchObject({ code: 'NO_SESSION' });
  });

  it('counts skipped rounds out: three played rounds still follow a skip', async () => {
    await h.engine.skip('room', member('starter'), here());
    const second = await h.engine.next('room', member('starter'), here());
    expect(second.round).toMatchObject({ round: 3, number: 2 });
    const third = await h.engine.next('room', member('starter'), here());
    expect(third.round).toMatchObject({ round: 4, number: 3 });
    const done = await h.engine.next('room', member('starter'), here());
    expect(done.summary?.roundsPlayed).toBe(3);
  });
});

describe('host actions name their round', () => {
  it.each([
    ['next', (at: RoundRef) => h.engine.next('room', member('starter'), at)],
    ['skip', (at: RoundRef) => h.engine.skip('room', member('starter'), at)],
    ['reveal then next', (at: RoundRef) => h.engine.next('room', member('starter'), at)],
  ])('two %s presses for the same round in the same instant advance exactly one round', async (name, act) => {
    const events = recordEvents(h.engine);
    const at = here();
    if (name === 'reveal then next') await h.engine.reveal('room', member('starter'), at);
    const results = await Promise.allSettled([act(at), act(at)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'STALE_ACTION',
      context: { reason: 'round', round: 1, current: 2 },
    });
    expect(h.engine.session('room')?.round).toMatchObject({ round: 2, state: 'open' });
    expect(events.filter((e) => e.type === 'round-opened')).toHaveLength(1);
  });

  it('two Reveal presses for the same round reveal it once, and the second changes nothing', async () => {
    const at = here();
    const [a, b] = await Promise.all([
      h.engine.reveal('room', member('starter'), at),
      h.engine.reveal('room', member('starter'), at),
    ]);
    expect([a.fresh, b.fresh]).toEqual([true, false]);
    expect(h.engine.session('room')?.round).toMatchObject({ round: 1, state: 'revealed' });
  });

  it.each([
    ['reveal', (at: RoundRef) => h.engine.reveal('room', member('starter'), at)],
    ['next', (at: RoundRef) => h.engine.next('room', member('starter'), at)],
    ['skip', (at: RoundRef) => h.engine.skip('room', member('starter'), at)],
    ['stop', (at: RoundRef) => h.engine.stop('room', member('starter'), at)],
  ])('refuses a stale %s (an older round) with STALE_ACTION and changes nothing', async (_name, act) => {
    const old = here();
    await h.engine.next('room', member('starter'), old);
    const before = h.engine.session('room');
    await expect(act(old)).rejects.toMatchObject({ code: 'STALE_ACTION' });
    expect(h.engine.session('room')).toEqual(before);
  });

  it('refuses a press from an ended session with STALE_ACTION', async () => {
    const old = here();
    await h.engine.stop('room', member('starter'), old);
    await h.engine.start({ roomId: 'room', hostUserId: 'starter', rounds: 3 });
    await expect(h.engine.next('room', member('starter'), old)).rejects.toMatchObject({
      code: 'STALE_ACTION',
      context: { reason: 'session' },
    });
    expect(h.engine.session('room')?.round?.round).toBe(1);
  });

  it('says why a press would be refused without acting', async () => {
    const at = here();
    expect(h.engine.refusalFor('room', member('starter'), at)).toBeNull();
    expect(h.engine.refusalFor('room', member('stranger'), at)?.code).toBe('NOT_HOST');
    await h.engine.next('room', member('starter'), at);
    expect(h.engine.refusalFor('room', member('starter'), at)?.code).toBe('STALE_ACTION');
  });
});

describe('the round scheduler', () => {
  it('reveals a round when the clock reaches its deadline, once, and announces it', async () => {
    const events = recordEvents(h.engine);
    const round = h.engine.session('room')?.round;
    if (!round) throw new Error('no round');
    h.clock.time = round.deadline - 1;
    await h.engine.settled();
    expect(revealsIn(events)).toEqual([]);
    h.clock.time = round.deadline;
    await h.engine.settled();
    expect(revealsIn(events).map((r) => [r.round, r.closedBy])).toEqual([[1, 'timer']]);
    expect(events.at(-1)).toMatchObject({ type: 'revealed', roomId: 'room', advancesAt: null });
    // Without a pause the session waits for the host: no timer is left.
    expect(h.clock.pending()).toEqual([]);
  });

  it('opens the next round after the session pause, then ends after the last one', async () => {
    await h.engine.stop('room', member('starter'), here());
    const events = recordEvents(h.engine);
    const { round } = await h.engine.start({
      roomId: 'room',
      hostUserId: 'starter',
      rounds: 2,
      secondsPerRound: 30,
      revealPauseMs: 5_000,
    });
    h.clock.time = round.deadline;
    await h.engine.settled();
    expect(events.at(-1)).toMatchObject({ type: 'revealed', advancesAt: round.deadline + 5_000 });
    h.clock.advance(4_999);
    await h.engine.settled();
    expect(h.engine.session('room')?.round).toMatchObject({ round: 1, state: 'revealed' });
    h.clock.advance(1);
    await h.engine.settled();
    expect(h.engine.session('room')?.round).toMatchObject({ round: 2, state: 'open' });
    h.clock.advance(30_000);
    await h.engine.settled();
    h.clock.advance(5_000);
    await h.engine.settled();
    expect(h.engine.session('room')).toBeNull();
    expect(events.map((e) => e.type)).toEqual([
      'round-opened',
      'revealed',
      'round-opened',
      'revealed',
      'ended',
    ]);
  });

  it('a host reveal before the deadline leaves nothing for the deadline to do', async () => {
    const events = recordEvents(h.engine);
    const round = h.engine.session('room')?.round;
    if (!round) throw new Error('no round');
    await h.engine.reveal('room', member('starter'), here());
    h.clock.time = round.deadline + 60_000;
    await h.engine.settled();
    expect(revealsIn(events).map((r) => r.closedBy)).toEqual(['host']);
  });
});
