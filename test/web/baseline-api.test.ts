import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import { baselineCollections, participantPrefix } from '../../src/baseline/store-layout.js';
import { findImageFile } from '../../src/dataset/images.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import type { AnswerResponse, NextResponse } from '../../src/web/baseline-protocol.js';
import { playerUserId } from '../../src/web/rooms.js';
import {
  baselineCounts,
  call,
  openWebBaseline,
  participantId,
  type WebBaselineHarness,
} from './baseline-support.js';
import { openWebHarness } from './harness.js';

const EMPTY = {
  consent: 0,
  profiles: 0,
  progress: 0,
  answers: 0,
  pairAnswers: 0,
  deployment: 0,
  secretCheck: 0,
};

/** The pair a question shows, found by its question and options (the response names no pair id). */
function pairOf(h: WebBaselineHarness, q: NonNullable<NextResponse['question']>): ConfusingPair {
  const pair = h.set.pairs.find(
    (p) => p.question === q.question && p.options.A === q.options.A && p.options.B === q.options.B,
  );
  if (pair === undefined) throw new Error(`no pair asks "${q.question}"`);
  return pair;
}

/** The opaque token the API hands out for a pair. */
function tokenOf(h: WebBaselineHarness, pair: ConfusingPair): string {
  return createHash('sha256').update(`${h.set.name}\u0000${pair.id}`, 'utf8').digest('hex').slice(0, 12);
}

describe('web baseline API', () => {
  let h: WebBaselineHarness;
  beforeAll(async () => {
    h = await openWebBaseline();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves the baseline page with the training levels', async () => {
    const response = await fetch(`${h.base}/baseline`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('/assets/baseline.js');
    expect(html).toContain('resident-pgy1');
    const home = await (await fetch(`${h.base}/`)).text();
    expect(home).toContain('"baseline":true');
  });

  describe('before consent', () => {
    const who = participantId('gate');

    it('returns the notice and records nothing', async () => {
      const status = await call(h, 'status', { participant: who });
      expect(status.status).toBe(200);
      expect(status.body).toEqual({
        consent: { accepted: false, reason: 'never', notice: CONSENT_NOTICE },
        profile: null,
      });
      expect(await baselineCounts(h.store)).toEqual(EMPTY);
    });

    it('refuses a pair, an answer and a profile with the notice, recording nothing', async () => {
      for (const [route, body] of [
        ['next', { participant: who }],
        [
          'answer',
          { participant: who, pair: tokenOf(h, h.set.pairs[0] as ConfusingPair), image: 1, option: 'A' },
        ],
        ['profile', { participant: who, trainingLevel: 'fellow' }],
      ] as const) {
        const refused = await call(h, route, body);
        expect(refused.status).toBe(403);
        expect(refused.body.error).toBe('CONSENT_REQUIRED');
        expect(refused.body.notice).toEqual(CONSENT_NOTICE);
      }
      expect(await baselineCounts(h.store)).toEqual(EMPTY);
    });
  });

  it('refuses malformed bodies with a 400 that says what is wrong', async () => {
    const who = participantId('bodies');
    const cases: Array<[string, unknown, RegExp]> = [
      ['status', {}, /participant/],
      ['status', { participant: 'short' }, /participant/],
      ['consent', { participant: who, accept: false }, /accept/],
      ['consent', { participant: who, accept: true, extra: 1 }, /extra|Unrecognized/i],
      ['answer', { participant: who, pair: '0123456789ab', image: 3, option: 'A' }, /image/],
      ['answer', { participant: who, pair: '10001', image: 1, option: 'A' }, /pair/],
      ['answer', { participant: who, pair: '0123456789ab', image: 1, option: 'C' }, /option/],
      [
        'answer',
        { participant: who, pair: '0123456789ab', image: 1, option: 'A', responseMs: -5 },
        /responseMs/,
      ],
      ['forget', { participant: who }, /confirm/],
    ];
    for (const [route, body, mention] of cases) {
      const refused = await call(h, route, body);
      expect(refused.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(refused.body.error).toBe('BAD_REQUEST');
      expect(refused.body.message).toMatch(mention);
    }
    const notJson = await fetch(`${h.base}/api/baseline/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
    expect(await baselineCounts(h.store)).toEqual(EMPTY);
  });

  describe('a pair, answered', () => {
    const who = participantId('answerer');
    let next: NextResponse;
    let pair: ConfusingPair;

    beforeAll(async () => {
      expect((await call(h, 'consent', { participant: who, accept: true })).status).toBe(200);
      const served = await call(h, 'next', { participant: who });
      expect(served.status).toBe(200);
      next = served.body as unknown as NextResponse;
      if (next.question === null) throw new Error('no pair served');
      pair = pairOf(h, next.question);
    });

    it('serves the question with opaque image links and nothing that gives the answer away', () => {
      const q = next.question as NonNullable<NextResponse['question']>;
      expect(q.pair).toMatch(/^[0-9a-f]{12}$/);
      expect(q.images.map((i) => i.url)).toEqual([
        expect.stringMatching(/^\/img\/[\w-]+$/),
        expect.stringMatching(/^\/img\/[\w-]+$/),
      ]);
      expect(q.choices).toEqual([null, null]);
      const text = JSON.stringify(next);
      for (const secret of [
        pair.id,
        pair.images[0].localId,
        pair.images[1].localId,
        pair.images[0].caption,
        'correct',
        'oracle',
        'crowd',
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(next.progress).toMatchObject({ answered: 0, total: h.set.pairs.length });
    });

    it('serves the images behind the links', async () => {
      const q = next.question as NonNullable<NextResponse['question']>;
      for (const slot of [0, 1] as const) {
        const response = await fetch(`${h.base}${q.images[slot].url}`);
        expect(response.status).toBe(200);
        const file = await findImageFile(pair.images[slot], h.set.imagesDir);
        expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(file ?? ''))).toBe(true);
      }
    });

    it('confirms the first image without revealing anything', async () => {
      const q = next.question as NonNullable<NextResponse['question']>;
      const first = await call(h, 'answer', {
        participant: who,
        pair: q.pair,
        image: 1,
        option: 'A',
        responseMs: 1500,
      });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ choices: ['A', null], complete: false, reveal: null, progress: null });
      for (const secret of ['oracle', 'always-a', 'crowd', 'caption', pair.images[0].caption]) {
        expect(first.text).not.toContain(secret);
      }
    });

    it('reveals the answers, the crowd and the models once both images are answered', async () => {
      const q = next.question as NonNullable<NextResponse['question']>;
      const second = await call(h, 'answer', {
        participant: who,
        pair: q.pair,
        image: 2,
        option: 'B',
        responseMs: 2500,
      });
      expect(second.status).toBe(200);
      const body = second.body as unknown as AnswerResponse;
      expect(body.complete).toBe(true);
      const reveal = body.reveal;
      expect(reveal?.pairId).toBe(pair.id);
      expect(reveal?.images.map((i) => i.correct)).toEqual([pair.images[0].correct, pair.images[1].correct]);
      expect(reveal?.images.map((i) => i.yours)).toEqual(['A', 'B']);
      expect(reveal?.crowd.participants).toBe(1);
      expect(reveal?.models.map((m) => m.modelId)).toEqual(['oracle', 'always-a']);
      expect(reveal?.you.responseMs).toBe(2500);
      expect(body.progress).toMatchObject({ answered: 1 });
    });

    it('keeps answers final and refuses a pair that was not served', async () => {
      const q = next.question as NonNullable<NextResponse['question']>;
      const change = await call(h, 'answer', { participant: who, pair: q.pair, image: 1, option: 'B' });
      expect(change.status).toBe(409);
      expect(change.body.error).toBe('ANSWER_LOCKED');
      const other = await call(h, 'next', { participant: who });
      const otherQ = (other.body as unknown as NextResponse).question;
      expect(otherQ?.pair).not.toBe(q.pair);
      const stale = await call(h, 'answer', {
        participant: who,
        pair: '0123456789ab',
        image: 1,
        option: 'A',
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toBe('UNKNOWN_PAIR');
    });

    it('stores the answers under the pseudonym of the web id, never the browser id', async () => {
      const userId = playerUserId(who);
      expect(userId).toMatch(/^web:/);
      const participant = h.service.pseudonymOf(userId);
      const mine = [];
      for await (const [, r] of baselineCollections(h.store).answers.entries(participantPrefix(participant)))
        mine.push(r);
      expect(mine.map((r) => [r.slot, r.option, r.responseMs])).toEqual([
        [0, 'A', 1500],
        [1, 'B', 2500],
      ]);
      const raw = [];
      for await (const entry of baselineCollections(h.store).answers.entries()) raw.push(entry);
      expect(JSON.stringify(raw)).not.toContain(who);
    });

    it('sets and clears the optional profile, refusing values the core does not know', async () => {
      const set = await call(h, 'profile', {
        participant: who,
        trainingLevel: 'fellow',
        specialty: 'Neuroradiology',
      });
      expect(set.body).toEqual({ profile: { trainingLevel: 'fellow', specialty: 'Neuroradiology' } });
      const wrong = await call(h, 'profile', { participant: who, trainingLevel: 'wizard' });
      expect(wrong.status).toBe(409);
      expect(wrong.body.message).toMatch(/^Training level:/);
      const status = await call(h, 'status', { participant: who });
      expect(status.body.profile).toEqual({ trainingLevel: 'fellow', specialty: 'Neuroradiology' });
      const cleared = await call(h, 'profile', { participant: who, trainingLevel: null, specialty: null });
      expect(cleared.body).toEqual({ profile: { trainingLevel: null, specialty: null } });
    });

    it('forgets the participant: counts, then the consent notice again', async () => {
      const forgotten = await call(h, 'forget', { participant: who, confirm: true });
      expect(forgotten.status).toBe(200);
      expect(forgotten.body).toEqual({
        consent: 1,
        profile: 1,
        progress: 1,
        baselineAnswers: 2,
        quizAnswers: 0,
      });
      const status = await call(h, 'status', { participant: who });
      expect(status.body.consent).toMatchObject({ accepted: false, reason: 'never' });
      expect(await baselineCounts(h.store)).toMatchObject({
        consent: 0,
        answers: 0,
        pairAnswers: 0,
        progress: 0,
        profiles: 0,
      });
    });
  });
});

describe('a web server without the baseline', () => {
  it('says the page is off and has no baseline API', async () => {
    const plain = await openWebHarness();
    try {
      const page = await fetch(`${plain.base}/baseline`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('not enabled on this server');
      const api = await call(plain, 'status', { participant: participantId('nobody') });
      expect(api.status).toBe(404);
      expect(await (await fetch(`${plain.base}/`)).text()).toContain('"baseline":false');
    } finally {
      await plain.close();
    }
  });
});
