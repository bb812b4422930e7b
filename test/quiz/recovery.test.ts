import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { current } from '../support/quiz-round.js';
import { type Harness, member, openHarness, optionFor, recordEvents, revealsIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(async () => {
  await h.close();
});

async function startWithAnswers(people: number) {
  const { round } = await h.engine.start({
    roomId: 'room',
    guildId: 'g',
    hostUserId: 'host',
    rounds: 3,
    models: ['m'],
  });
  for (let i = 0; i < people; i++) {
    for (const slot of [0, 1] as const) {
      await h.engine.answer({
        roomId: 'room',
        userId: `u${i}`,
        displayName: `U${i}`,
        slot,
        option: optionFor(round.pair, slot, true),
      });
    }
  }
  return round;
}

describe('recovery after a restart', () => {
  beforeEach(() => {
    h.models.setModel('m', { ok: true, chosen: ['A', 'B'], raw: ['A', 'B'] });
  });

  it('resumes a round whose deadline has not passed, with the answers given before the restart', async () => {
    const round = await startWithAnswers(3);
    h.clock.time = round.deadline - 10_000;
    const engine = await h.restart();
    const report = await engine.recover();
    expect(report.revealed).toEqual([]);
    expect(report.ended).toEqual([]);
    expect(report.resumed).toHaveLength(1);
    expect(report.resumed[0]?.round).toMatchObject({
      sessionId: round.sessionId,
      round: 1,
      deadline: round.deadline,
      state: 'open',
      answeredCount: 3,
    });
    // The restarted engine's scheduler waits for the same deadline.
    expect(h.clock.pending()).toEqual([round.deadline]);
    const events = recordEvents(engine);

    // Locks survive the restart, and new people can still answer.
    expect(
      await engine.answer({ roomId: 'room', userId: 'u0', displayName: 'U0', slot: 0, option: 'A' }),
    ).toMatchObject({ ok: false, code: 'ANSWER_LOCKED' });
    expect(
      await engine.answer({ roomId: 'room', userId: 'new', displayName: 'New', slot: 0, option: 'A' }),
    ).toMatchObject({ ok: true });

    h.clock.time = round.deadline;
    await engine.settled();
    const [reveal] = revealsIn(events);
    expect(reveal?.people).toMatchObject({ participants: 4, setCorrect: 3 });
    expect(reveal?.models[0]).toMatchObject({ modelId: 'm', status: 'answered' });
  });

  it('reveals a round whose time ran out while the bot was down, keeping every answer, and carries on', async () => {
    const round = await startWithAnswers(5);
    h.clock.time = round.deadline + 60_000;
    const engine = await h.restart();
    const report = await engine.recover();
    expect(report.revealed).toHaveLength(1);
    const [{ reveal, note } = { reveal: undefined, note: undefined }] = report.revealed;
    expect(reveal).toMatchObject({
      round: 1,
      closedBy: 'recovery',
      people: { participants: 5, setCorrect: 5 },
    });
    // A code with its context; each front end words it (the engine knows no platform).
    expect(note).toEqual({ code: 'REVEALED_AFTER_RESTART', number: 1 });
    expect(report.resumed[0]?.round).toMatchObject({ round: 1, state: 'revealed' });

    // The host carries on from where the session was.
    const step = await engine.next('room', member('host'), current(engine, 'room'));
    expect(step.round).toMatchObject({ round: 2, number: 2 });
    expect(step.round?.pair.id).not.toBe(round.pair.id);
  });

  it('says a live model was cut off by the restart when the recovered reveal cannot wait for it', async () => {
    h.models.setModel('m', () => new Promise(() => undefined));
    const round = await startWithAnswers(1);
    h.clock.time = round.deadline + 1;
    const engine = await h.restart();
    const { revealed } = await engine.recover();
    expect(revealed[0]?.reveal.models).toEqual([{ modelId: 'm', status: 'pending', code: 'RESTARTED' }]);
  });

  it('ends a session left far longer than the stale limit, with its results kept', async () => {
    const round = await startWithAnswers(2);
    h.clock.time = round.deadline + 60 * 60_000;
    const engine = await h.restart();
    const report = await engine.recover();
    expect(report.revealed).toHaveLength(1);
    expect(report.resumed).toEqual([]);
    expect(report.ended[0]?.summary).toMatchObject({ endReason: 'expired', roundsPlayed: 1 });
    expect(report.ended[0]?.note).toEqual({ code: 'ENDED_AFTER_DOWNTIME', number: 1 });
    expect(report.ended[0]?.summary.participants.map((p) => p.userId)).toEqual(['u0', 'u1']);
    expect(engine.session('room')).toBeNull();
    await expect(engine.start({ roomId: 'room', hostUserId: 'someone' })).resolves.toBeDefined();
  });

  it('recovers nothing once sessions have ended, and a second recover is harmless', async () => {
    await startWithAnswers(1);
    await h.engine.stop('room', member('host'), current(h.engine, 'room'));
    const engine = await h.restart();
    expect(await engine.recover()).toEqual({ resumed: [], revealed: [], ended: [] });
    expect(await engine.recover()).toEqual({ resumed: [], revealed: [], ended: [] });
  });

  it('keeps a revealed round that waits for the host, and its reveal can be shown again', async () => {
    const round = await startWithAnswers(2);
    const { reveal: before } = await h.engine.reveal('room', member('host'), current(h.engine, 'room'));
    h.clock.advance(1_000);
    const engine = await h.restart();
    const report = await engine.recover();
    expect(report.resumed[0]?.round).toMatchObject({ round: 1, state: 'revealed' });
    const again = await engine.reveal('room', member('host'), current(engine, 'room'));
    expect(again.fresh).toBe(false);
    expect(again.reveal).toEqual(before);
    expect(again.reveal.pair.id).toBe(round.pair.id);
  });
});
