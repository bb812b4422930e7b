import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineQuestion } from '../../src/baseline/service.js';
import type { ConfusingPair, Option } from '../../src/dataset/model.js';
import { type BaselineHarness, openBaseline, optionFor, subset } from './harness.js';

const PEOPLE = ['111111111111111111', '222222222222222222', '333333333333333333'];
const PAIRS_EACH = 20;

let h: BaselineHarness;
/** Pair ids each person was served, in order. */
const served = new Map<string, string[]>();
const other = (o: Option): Option => (o === 'A' ? 'B' : 'A');

async function next(user: string): Promise<BaselineQuestion> {
  const result = await h.baseline.nextPair(user);
  if (!result.ok || result.question === null) throw new Error('expected a pair');
  return result.question;
}

beforeAll(async () => {
  h = await openBaseline();
  h.models.setModel('always-a', { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] });
  for (const user of PEOPLE) {
    await h.baseline.acceptConsent(user);
    served.set(user, []);
  }
  // Interleaved, as people answering at the same time would.
  for (let i = 0; i < PAIRS_EACH; i++) {
    for (const [index, user] of PEOPLE.entries()) {
      const q = await next(user);
      served.get(user)?.push(q.pairId);
      const pair = h.set.pairs.find((p) => p.id === q.pairId) as ConfusingPair;
      h.clock.advance(3_000);
      // Person 0 is always right, person 1 right on image 1 only, person 2 always wrong.
      await h.baseline.answer(user, { pairId: q.pairId, slot: 0, option: optionFor(pair, 0, index !== 2) });
      h.clock.advance(2_000);
      await h.baseline.answer(user, { pairId: q.pairId, slot: 1, option: optionFor(pair, 1, index === 0) });
    }
  }
});
afterAll(async () => {
  await h.close();
});

describe('a private baseline run of 20 pairs by 3 participants', () => {
  it('never serves anyone the same pair twice', () => {
    for (const user of PEOPLE) {
      const ids = served.get(user) ?? [];
      expect(ids).toHaveLength(PAIRS_EACH);
      expect(new Set(ids).size).toBe(PAIRS_EACH);
    }
  });

  it('draws pairs independently for each person', () => {
    const [a, b] = PEOPLE.map((u) => served.get(u)?.join(','));
    expect(a).not.toBe(b);
  });

  it('reports progress over the set', async () => {
    const result = await h.baseline.nextPair(PEOPLE[0] as string);
    expect(result).toMatchObject({
      ok: true,
      progress: {
        answered: PAIRS_EACH,
        remaining: h.set.pairs.length - PAIRS_EACH,
        total: h.set.pairs.length,
      },
    });
  });
});

describe('what a participant sees before answering', () => {
  const user = '444444444444444444';
  let question: BaselineQuestion;
  let pair: ConfusingPair;
  beforeAll(async () => {
    await h.baseline.acceptConsent(user);
    question = await next(user);
    pair = h.set.pairs.find((p) => p.id === question.pairId) as ConfusingPair;
  });

  it('a question holds no answer key, caption, category or anyone’s answers', () => {
    const text = JSON.stringify(question);
    expect(Object.keys(question).sort()).toEqual(
      ['choices', 'images', 'options', 'pairId', 'question', 'setName', 'shownAt'].sort(),
    );
    for (const image of question.images)
      expect(Object.keys(image).sort()).toEqual(['file', 'localId', 'slot']);
    expect(text).not.toContain(pair.images[0].caption.slice(0, 30));
    expect(text).not.toMatch(/correct|crowd|model|categor/i);
    expect(question.images[0].file).toContain(`${pair.images[0].localId}.jpg`);
  });

  it('asking again gives the same unfinished pair, with its shown time unchanged', async () => {
    h.clock.advance(60_000);
    const again = await next(user);
    expect(again).toEqual(question);
  });

  it('refuses the reveal of a pair not finished yet', async () => {
    expect(await h.baseline.reveal(user, pair.id)).toMatchObject({ ok: false, code: 'NOT_ANSWERED' });
    const someoneElses = served.get(PEOPLE[0] as string)?.[0] as string;
    expect(await h.baseline.reveal(user, someoneElses)).toMatchObject({ ok: false, code: 'NOT_ANSWERED' });
  });

  it('refuses answers to a pair it was not shown', async () => {
    const notShown = h.set.pairs.find((p) => p.id !== pair.id) as ConfusingPair;
    const result = await h.baseline.answer(user, { pairId: notShown.id, slot: 0, option: 'A' });
    expect(result).toMatchObject({ ok: false, code: 'NOT_SERVED' });
  });

  it('after one image: only the choice, no reveal and no correctness', async () => {
    const result = await h.baseline.answer(user, {
      pairId: pair.id,
      slot: 1,
      option: 'B',
      responseMs: 4_200,
    });
    expect(result).toEqual({
      ok: true,
      pairId: pair.id,
      choices: [null, 'B'],
      complete: false,
      changed: true,
      reveal: null,
      progress: null,
    });
    expect(await h.baseline.reveal(user, pair.id)).toMatchObject({ ok: false, code: 'NOT_ANSWERED' });
    // Coming back later puts the half-answered pair back on screen with its choice.
    expect((await next(user)).choices).toEqual([null, 'B']);
  });

  it('answers are final: the same click again is accepted, a different one refused', async () => {
    const same = await h.baseline.answer(user, { pairId: pair.id, slot: 1, option: 'B' });
    expect(same).toMatchObject({ ok: true, changed: false, complete: false });
    const changed = await h.baseline.answer(user, { pairId: pair.id, slot: 1, option: 'A' });
    expect(changed).toMatchObject({ ok: false, code: 'ANSWER_LOCKED' });
  });

  it('refuses malformed answers', async () => {
    for (const input of [
      { pairId: pair.id, slot: 2, option: 'A' },
      { pairId: pair.id, slot: 0, option: 'C' },
      { pairId: pair.id, slot: 0, option: 'A', responseMs: -1 },
    ]) {
      expect(await h.baseline.answer(user, input)).toMatchObject({ ok: false, code: 'INVALID_ANSWER' });
    }
    expect(await h.baseline.answer(user, { pairId: 'nope', slot: 0, option: 'A' })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_PAIR',
    });
  });

  it('the second image completes the pair and brings the reveal: answers, crowd and models', async () => {
    const service = h.service({ models: { source: h.models, ids: ['always-a'] } });
    const result = await service.answer(user, {
      pairId: pair.id,
      slot: 0,
      option: other(pair.images[0].correct),
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.complete).toBe(true);
    const reveal = result.reveal;
    expect(reveal?.images.map((i) => i.correct)).toEqual([pair.images[0].correct, pair.images[1].correct]);
    expect(reveal?.you.score.correct[0]).toBe(false);
    expect(reveal?.you.responseMs).toBeGreaterThanOrEqual(4_200);
    const others = PEOPLE.filter((u) => served.get(u)?.includes(pair.id)).length;
    expect(reveal?.crowd.participants).toBe(1 + others);
    expect(reveal?.models).toEqual([
      expect.objectContaining({ modelId: 'always-a', status: 'answered', chosen: ['A', 'A'] }),
    ]);
    expect(await service.reveal(user, pair.id)).toMatchObject({ ok: true, reveal: { pairId: pair.id } });
    // Finished pairs are not served again, and cannot be answered again.
    expect((await next(user)).pairId).not.toBe(pair.id);
    expect(await h.baseline.answer(user, { pairId: pair.id, slot: 0, option: 'A' })).toMatchObject({
      ok: true,
      changed: false,
    });
  });

  it('the crowd split counts everyone who finished the pair', async () => {
    // Everyone answers a pair person 0 was served first; person 0's reveal then counts all of them.
    const target = served.get(PEOPLE[0] as string)?.[0] as string;
    const reveal = await h.baseline.reveal(PEOPLE[0] as string, target);
    if (!reveal.ok) throw new Error(reveal.message);
    const finishedIt = PEOPLE.filter((u) => served.get(u)?.includes(target));
    expect(reveal.reveal.crowd.participants).toBe(finishedIt.length);
    const rightFirst = finishedIt.filter((u) => u !== PEOPLE[2]).length;
    expect(reveal.reveal.images[0].crowd.right).toBe(rightFirst);
    expect(reveal.reveal.images[0].crowd.rightShare).toBeCloseTo((rightFirst / finishedIt.length) * 100, 10);
  });
});

describe('the end of the set', () => {
  it('gives no pair once every pair is answered', async () => {
    const small = subset(h.set, h.set.pairs.slice(0, 2));
    const service = h.service({ set: small });
    const user = '555555555555555555';
    await service.acceptConsent(user);
    for (let i = 0; i < 2; i++) {
      const result = await service.nextPair(user);
      if (!result.ok || result.question === null) throw new Error('expected a pair');
      for (const slot of [0, 1] as const) {
        await service.answer(user, { pairId: result.question.pairId, slot, option: 'A' });
      }
    }
    expect(await service.nextPair(user)).toEqual({
      ok: true,
      question: null,
      progress: { answered: 2, remaining: 0, answeredInQuiz: 0, total: 2 },
    });
  });
});
