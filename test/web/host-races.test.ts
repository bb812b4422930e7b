import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/web/protocol.js';
import {
  isPhase,
  joinAsHost,
  onScreen,
  openWebHarness,
  startQuiz,
  type TestClient,
  type WebHarness,
} from './harness.js';

/**
 * Two host screens (a laptop at the projector and a phone as a remote) pressing the same control for the
 * same question at the same moment: each press names the question it was made on, so the quiz moves on
 * once and the slower press is refused without changing anything.
 */

type Ack = Extract<ServerMessage, { type: 'ack' }>;

let h: WebHarness;
const clients: TestClient[] = [];

beforeEach(async () => {
  h = await openWebHarness();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await h.close();
});

async function twoHosts(): Promise<[TestClient, TestClient]> {
  const laptop = await joinAsHost(h);
  const phone = await joinAsHost(h);
  clients.push(laptop, phone);
  return [laptop, phone];
}

/** Both screens send `type` for the question they show, in one go (the same millisecond), and get their acks. */
async function pressTogether(type: string, a: TestClient, b: TestClient): Promise<Ack[]> {
  const target = onScreen(a);
  expect(onScreen(b)).toEqual(target);
  const [fromA, fromB] = [a.received.length, b.received.length];
  a.send({ type, id: 1001, ...target });
  b.send({ type, id: 2002, ...target });
  return Promise.all([
    a.waitFor((m): m is Ack => m.type === 'ack' && m.id === 1001, fromA),
    b.waitFor((m): m is Ack => m.type === 'ack' && m.id === 2002, fromB),
  ]);
}

const roomId = () => `web:${h.code}`;

describe('two host screens pressing at once', () => {
  it.each(['next', 'skip'])('two %s presses advance exactly one round', async (type) => {
    const [laptop, phone] = await twoHosts();
    const started = await startQuiz(laptop, { rounds: 3 });
    await phone.waitFor(isPhase('question'), 0);
    const acks = await pressTogether(type, laptop, phone);
    expect(acks.filter((a) => a.ok)).toHaveLength(1);
    expect(acks.find((a) => !a.ok)).toMatchObject({ ok: false, code: 'STALE_ACTION' });
    const round = h.engine.session(roomId())?.round;
    expect(round).toMatchObject({ round: 2, state: 'open' });
    // Question 1 was not revealed by the second press on the way past.
    if (type === 'next') {
      expect((await h.engine.roundReveal(started.state.question?.sessionId ?? '', 1)).closedBy).toBe('host');
    }
    await expect(h.engine.roundReveal(round?.sessionId ?? '', 2)).rejects.toMatchObject({ code: 'NO_ROUND' });
    // Both screens end up on question 2.
    for (const screen of [laptop, phone]) {
      await screen.waitFor(
        (m): m is Extract<ServerMessage, { type: 'state' }> =>
          m.type === 'state' && m.state.phase === 'question' && m.state.question?.round === 2,
        0,
      );
    }
  });

  it('two Next presses on a revealed question open exactly the next one', async () => {
    const [laptop, phone] = await twoHosts();
    await startQuiz(laptop, { rounds: 3 });
    const from = [laptop.received.length, phone.received.length] as const;
    expect((await laptop.request({ type: 'reveal', ...onScreen(laptop) })).ok).toBe(true);
    await laptop.waitFor(isPhase('reveal'), from[0]);
    await phone.waitFor(isPhase('reveal'), from[1]);
    const acks = await pressTogether('next', laptop, phone);
    expect(acks.map((a) => a.ok).sort()).toEqual([false, true]);
    expect(h.engine.session(roomId())?.round).toMatchObject({ round: 2, number: 2, state: 'open' });
  });

  it('two Reveal presses reveal the question once and leave it on screen', async () => {
    const [laptop, phone] = await twoHosts();
    await startQuiz(laptop, { rounds: 3 });
    await phone.waitFor(isPhase('question'), 0);
    const acks = await pressTogether('reveal', laptop, phone);
    // The second Reveal of the same question is harmless: it shows the same reveal.
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(h.engine.session(roomId())?.round).toMatchObject({ round: 1, state: 'revealed' });
    for (const screen of [laptop, phone]) await screen.waitFor(isPhase('reveal'), 0);
  });

  it('refuses a press from a screen that is behind, changing nothing', async () => {
    const [laptop, phone] = await twoHosts();
    await startQuiz(laptop, { rounds: 3 });
    await phone.waitFor(isPhase('question'), 0);
    const stale = onScreen(phone);
    expect((await laptop.request({ type: 'next', ...onScreen(laptop) })).ok).toBe(true);
    for (const type of ['reveal', 'next', 'skip', 'stop']) {
      const ack = await phone.request({ type, ...stale });
      expect(ack).toMatchObject({ ok: false, code: 'STALE_ACTION' });
      expect(ack.ok === false && ack.message).toContain('already moved on');
    }
    expect(h.engine.session(roomId())?.round).toMatchObject({ round: 2, state: 'open' });
  });
});
