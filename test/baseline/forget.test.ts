import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildExport } from '../../src/baseline/export.js';
import { FORGOTTEN_HOST } from '../../src/baseline/service.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import { allRow } from '../../src/quiz/tallies.js';
import { member } from '../quiz/harness.js';
import { current } from '../support/quiz-round.js';
import { type BaselineHarness, openBaseline, optionFor, SECRET, subset } from './harness.js';

const LEAVER = '600000000000000001';
const STAYER = '600000000000000002';

let h: BaselineHarness;
let shared: ConfusingPair;

async function answerPairs(user: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const next = await h.baseline.nextPair(user);
    if (!next.ok || next.question === null) throw new Error('expected a pair');
    const pair = h.set.pairs.find((p) => p.id === next.question?.pairId) as ConfusingPair;
    for (const slot of [0, 1] as const) {
      h.clock.advance(1_000);
      await h.baseline.answer(user, { pairId: pair.id, slot, option: optionFor(pair, slot, true) });
    }
  }
}

beforeEach(async () => {
  h = await openBaseline();
  shared = h.set.pairs[0] as ConfusingPair;
  // Both answer the same first pair (a one-pair set), so each is in the other's crowd split.
  const one = h.service({ set: subset(h.set, [shared]) });
  for (const user of [LEAVER, STAYER]) {
    await h.baseline.acceptConsent(user);
    const next = await one.nextPair(user);
    if (!next.ok || next.question === null) throw new Error('expected a pair');
    for (const slot of [0, 1] as const)
      await one.answer(user, { pairId: shared.id, slot, option: optionFor(shared, slot, true) });
  }
  await h.baseline.setProfile(LEAVER, { trainingLevel: 'medical-student', specialty: 'None yet' });
  await answerPairs(LEAVER, 3);
  await answerPairs(STAYER, 2);
  // A pair shown and half answered: pending progress.
  const next = await h.baseline.nextPair(LEAVER);
  if (!next.ok || next.question === null) throw new Error('expected a pair');
  await h.baseline.answer(LEAVER, { pairId: next.question.pairId, slot: 0, option: 'A' });
  // A quiz both play, hosted by the leaver and ended.
  await h.engine.start({ roomId: 'room-f', hostUserId: LEAVER, rounds: 2 });
  for (let r = 0; r < 2; r++) {
    for (const user of [LEAVER, STAYER]) {
      for (const slot of [0, 1] as const) {
        await h.engine.answer({
          roomId: 'room-f',
          userId: user,
          displayName: `Name ${user}`,
          slot,
          option: 'A',
        });
      }
    }
    await h.engine.next('room-f', member(LEAVER), current(h.engine, 'room-f'));
  }
});
afterEach(async () => {
  await h.close();
});

describe('forget-me', () => {
  it('deletes consent, profile, pending pair, baseline and quiz answers, and says how many of each', async () => {
    const report = await h.baseline.forget(LEAVER);
    expect(report).toEqual({
      participant: h.baseline.pseudonymOf(LEAVER),
      consent: 1,
      profile: 1,
      progress: 1,
      baselineAnswers: 2 + 3 * 2 + 1,
      quizAnswers: 2 * 2,
      hostedSessionsScrubbed: 1,
      hostedSessionsRunning: 0,
      openRounds: 0,
    });
  });

  it('takes their clicks out of an open round and their id off a session they are hosting, given the engine', async () => {
    await h.engine.start({ roomId: 'room-g', hostUserId: LEAVER, rounds: 2 });
    for (const user of [LEAVER, STAYER]) {
      for (const slot of [0, 1] as const) {
        await h.engine.answer({
          roomId: 'room-g',
          userId: user,
          displayName: `Name ${user}`,
          slot,
          option: 'A',
        });
      }
    }
    expect(h.engine.answeredCount('room-g')).toBe(2);

    const report = await h.service({ quiz: h.engine }).forget(LEAVER);

    expect(report).toMatchObject({ openRounds: 1, hostedSessionsScrubbed: 2, hostedSessionsRunning: 0 });
    expect(h.engine.answeredCount('room-g')).toBe(1);
    expect(h.engine.session('room-g')?.hostUserId).toBe(FORGOTTEN_HOST);
    const { reveal } = await h.engine.reveal('room-g', { kind: 'system' }, current(h.engine, 'room-g'));
    expect(reveal.people.completed).toBe(1);
    for (const row of await h.rawRows()) expect(row.key + row.value).not.toContain(LEAVER);
  });

  it('leaves no trace of the person anywhere in the store', async () => {
    const pseudonym = h.baseline.pseudonymOf(LEAVER);
    expect((await h.rawRows()).some((r) => (r.key + r.value).includes(LEAVER))).toBe(true);
    await h.baseline.forget(LEAVER);
    for (const row of await h.rawRows()) {
      expect(row.key + row.value).not.toContain(LEAVER);
      expect(row.key + row.value).not.toContain(pseudonym);
    }
    const sessions = [];
    for await (const [, s] of h.store.collection<{ hostUserId: string }>('quiz.sessions').entries())
      sessions.push(s);
    expect(sessions.map((s) => s.hostUserId)).toEqual([FORGOTTEN_HOST]);
  });

  it('removes them from exports and reports, quiz answers included, and keeps everyone else', async () => {
    const before = await buildExport({
      store: h.store,
      set: h.set,
      secret: SECRET,
      format: 'json',
      report: { contexts: ['baseline', 'quiz'] },
    });
    await h.baseline.forget(LEAVER);
    const after = await buildExport({
      store: h.store,
      set: h.set,
      secret: SECRET,
      format: 'json',
      report: { contexts: ['baseline', 'quiz'] },
    });
    const pseudonym = h.baseline.pseudonymOf(LEAVER);
    expect(before.rows.some((r) => r.participant === pseudonym && r.context === 'quiz')).toBe(true);
    expect(after.rows.some((r) => r.participant === pseudonym)).toBe(false);
    expect(after.rows).toEqual(before.rows.filter((r) => r.participant !== pseudonym));
    for (const f of after.files) expect(f.content).not.toContain(pseudonym);
    expect(after.report.counts.participants).toBe(1);
    expect(after.report.groups.map((g) => g.group)).toEqual(['all', 'unspecified']);
  });

  it('removes them from the quiz statistics and from the crowd others see', async () => {
    await h.baseline.forget(LEAVER);
    const stats = await h.engine.stats({ kind: 'all' });
    expect(stats.people).toBe(1);
    expect(allRow(stats.comparison.people).n).toBe(2);
    const reveal = await h.baseline.reveal(STAYER, shared.id);
    if (!reveal.ok) throw new Error(reveal.message);
    expect(reveal.reveal.crowd.participants).toBe(1);
  });

  it('asks for consent again afterwards, and starts from scratch', async () => {
    await h.baseline.forget(LEAVER);
    expect(await h.baseline.consentStatus(LEAVER)).toMatchObject({ accepted: false, reason: 'never' });
    expect(await h.baseline.nextPair(LEAVER)).toMatchObject({ ok: false, code: 'CONSENT_REQUIRED' });
    await h.baseline.acceptConsent(LEAVER);
    expect(await h.baseline.profile(LEAVER)).toEqual({ ok: true, profile: null });
    const next = await h.baseline.nextPair(LEAVER);
    expect(next).toMatchObject({ ok: true, progress: { answered: 0 } });
  });

  it('leaves a running quiz they host to the engine, and works for people never seen', async () => {
    await h.engine.start({ roomId: 'room-live', hostUserId: LEAVER, rounds: 1 });
    const report = await h.baseline.forget(LEAVER);
    expect(report).toMatchObject({ hostedSessionsScrubbed: 1, hostedSessionsRunning: 1 });
    expect(await h.baseline.forget('699999999999999999')).toMatchObject({
      consent: 0,
      profile: 0,
      progress: 0,
      baselineAnswers: 0,
      quizAnswers: 0,
      hostedSessionsScrubbed: 0,
    });
  });
});
