import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserFacingError } from '../../src/errors.js';
import { type Harness, member, openHarness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openHarness({ hostRoleId: 'role-quizmaster' });
  await h.engine.start({ roomId: 'room', hostUserId: 'starter', rounds: 3 });
});
afterEach(async () => {
  await h.close();
});

describe('host controls', () => {
  it.each([
    ['reveal', () => h.engine.reveal('room', member('stranger', { roleIds: ['role-other'] }))],
    ['next', () => h.engine.next('room', member('stranger'))],
    ['skip', () => h.engine.skip('room', member('stranger'))],
    ['stop', () => h.engine.stop('room', member('stranger'))],
  ])('refuses %s from someone who is not a host, and changes nothing', async (_name, act) => {
    const error = await act().catch((e: unknown) => e);
    expect(isUserFacingError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'NOT_HOST',
      message:
        'Only the person who started this quiz, members who can manage the server, or members with the quiz host role can do that.',
    });
    expect(h.engine.session('room')?.round).toMatchObject({ round: 1, state: 'open' });
  });

  it('lets the person who started the session reveal', async () => {
    await expect(h.engine.reveal('room', member('starter'))).resolves.toMatchObject({ fresh: true });
  });

  it('lets a member with Manage Server move on', async () => {
    const step = await h.engine.next('room', member('admin', { canManageServer: true }));
    expect(step.round?.round).toBe(2);
  });

  it('lets a member with the configured host role skip', async () => {
    const step = await h.engine.skip('room', member('helper', { roleIds: ['role-x', 'role-quizmaster'] }));
    expect(step.round?.round).toBe(2);
  });

  it('tells front ends who is a host without acting', () => {
    expect(h.engine.isHost('room', member('starter'))).toBe(true);
    expect(h.engine.isHost('room', member('helper', { roleIds: ['role-quizmaster'] }))).toBe(true);
    expect(h.engine.isHost('room', member('stranger'))).toBe(false);
    expect(h.engine.isHost('elsewhere', member('starter'))).toBe(false);
  });

  it('reveals once however many reveals arrive together', async () => {
    const outcomes = await Promise.all([
      h.engine.reveal('room', member('starter')),
      h.engine.reveal('room', member('admin', { canManageServer: true })),
      h.engine.revealDue(),
    ]);
    const [first, second] = outcomes;
    expect(first.fresh).toBe(true);
    expect(second.fresh).toBe(false);
    expect(second.reveal).toBe(first.reveal);
    h.clock.advance(120_000);
    expect(await h.engine.revealDue()).toEqual([]);
  });

  it('answers NO_SESSION for controls in a room without a quiz', async () => {
    await expect(h.engine.next('other-room', member('starter'))).rejects.toMatchObject({
      code: 'NO_SESSION',
    });
  });

  it('counts skipped rounds out: three played rounds still follow a skip', async () => {
    await h.engine.skip('room', member('starter'));
    const second = await h.engine.next('room', member('starter'));
    expect(second.round).toMatchObject({ round: 3, number: 2 });
    const third = await h.engine.next('room', member('starter'));
    expect(third.round).toMatchObject({ round: 4, number: 3 });
    const done = await h.engine.next('room', member('starter'));
    expect(done.summary?.roundsPlayed).toBe(3);
  });
});

describe('timers', () => {
  it('reports due rounds and reveals them when the clock passes the deadline', async () => {
    const round = h.engine.session('room')?.round;
    if (!round) throw new Error('no round');
    expect(h.engine.nextDeadline()).toBe(round.deadline);
    expect(h.engine.dueRounds()).toEqual([]);
    expect(await h.engine.revealDue()).toEqual([]);
    h.clock.time = round.deadline;
    expect(h.engine.dueRounds()).toEqual([
      { roomId: 'room', sessionId: round.sessionId, round: 1, deadline: round.deadline },
    ]);
    const reveals = await h.engine.revealDue();
    expect(reveals.map((r) => [r.round, r.closedBy])).toEqual([[1, 'timer']]);
    expect(h.engine.nextDeadline()).toBeNull();
    expect(await h.engine.revealDue()).toEqual([]);
  });
});
