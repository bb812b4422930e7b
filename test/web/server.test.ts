import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfusingPair } from '../../src/dataset/model.js';
import type { QuestionView, ServerMessage } from '../../src/web/protocol.js';
import { comparisonView } from '../../src/web/views.js';
import {
  isPhase,
  isType,
  joinAsHost,
  joinAsPlayer,
  openWebHarness,
  secretFor,
  startQuiz,
  TestClient,
  type WebHarness,
} from './harness.js';

let h: WebHarness;
const clients: TestClient[] = [];

beforeEach(async () => {
  h = await openWebHarness();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await h.close();
});

const track = <T extends TestClient>(c: T): T => {
  clients.push(c);
  return c;
};

function pairOf(question: QuestionView): ConfusingPair {
  const pair = h.set.pairs.find((p) => p.question === question.question);
  if (pair === undefined) throw new Error(`no pair asks ${question.question}`);
  return pair;
}

describe('host authentication', () => {
  it('refuses a host hello with the wrong key and closes the connection', async () => {
    const client = track(await TestClient.connect(h.wsUrl));
    client.send({ type: 'hello', role: 'host', room: h.code, key: 'x'.repeat(32) });
    const error = await client.waitFor(isType('error'), 0);
    expect(error).toMatchObject({ code: 'NOT_HOST', fatal: true });
    expect(client.received.some((m) => m.type === 'welcome')).toBe(false);
  });

  it('welcomes the holder of the key as host', async () => {
    const host = track(await joinAsHost(h));
    expect(host.received[0]).toMatchObject({ type: 'welcome', role: 'host', room: { code: h.code } });
    expect(host.last('state')?.state.phase).toBe('idle');
  });

  it('refuses host commands from a participant, and the round stays open', async () => {
    const host = track(await joinAsHost(h));
    const player = track(await joinAsPlayer(h, secretFor('p1'), 'Ada'));
    await startQuiz(host);
    for (const type of ['reveal', 'next', 'skip', 'stop']) {
      const ack = await player.request({ type });
      expect(ack).toMatchObject({ ok: false, code: 'NOT_HOST' });
    }
    const start = await player.request({
      type: 'start',
      category: null,
      rounds: 1,
      seconds: 30,
      models: [],
      allowChanges: false,
    });
    expect(start).toMatchObject({ ok: false, code: 'NOT_HOST' });
    expect(h.engine.session(`web:${h.code}`)?.round?.state).toBe('open');
  });

  it('refuses a hello for a room that does not exist', async () => {
    const client = track(await TestClient.connect(h.wsUrl));
    client.send({ type: 'hello', role: 'player', room: 'ZZZZZ', player: secretFor('x'), name: 'Bo' });
    expect(await client.waitFor(isType('error'), 0)).toMatchObject({ code: 'NO_ROOM', fatal: true });
  });
});

describe('validation', () => {
  it('answers malformed messages with a friendly error and keeps the connection', async () => {
    const client = track(await TestClient.connect(h.wsUrl));
    client.send('not json');
    expect(await client.waitFor(isType('error'), 0)).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
    client.send({ type: 'teleport' });
    const unknown = await client.waitFor(isType('error'), 1);
    expect(unknown.message).toMatch(/did not understand/);
    client.send({ type: 'hello', role: 'player', room: h.code, player: secretFor('v'), name: '   ' });
    const blank = await client.waitFor(isType('error'), 2);
    expect(blank.message).toMatch(/type a name/);
    // Still usable: a proper hello now joins.
    client.send({ type: 'hello', role: 'player', room: h.code, player: secretFor('v'), name: 'Val' });
    expect((await client.waitFor(isType('me'), 3)).me.name).toBe('Val');
  });

  it('refuses answers with an option other than A or B, and settings out of range', async () => {
    const host = track(await joinAsHost(h));
    const badStart = await host.request({
      type: 'start',
      category: null,
      rounds: 2,
      seconds: 5000,
      models: [],
      allowChanges: false,
    });
    expect(badStart).toMatchObject({ ok: false, code: 'INVALID_SETTINGS' });
    expect(badStart.ok === false && badStart.message).toMatch(/Seconds per round must be/);
    const tooManyRounds = await host.request({
      type: 'start',
      category: null,
      rounds: 50,
      seconds: 30,
      models: [],
      allowChanges: false,
    });
    expect(tooManyRounds).toMatchObject({ ok: false, code: 'INVALID_SETTINGS' });
    const unknownCategory = await host.request({
      type: 'start',
      category: 'Dermatology',
      rounds: 2,
      seconds: 30,
      models: [],
      allowChanges: false,
    });
    expect(unknownCategory).toMatchObject({ ok: false, code: 'UNKNOWN_CATEGORY' });
    const state = await startQuiz(host);
    const player = track(await joinAsPlayer(h, secretFor('p2'), 'Cy'));
    const q = state.state.question as QuestionView;
    const answer = await player.request({
      type: 'answer',
      sessionId: q.sessionId,
      round: q.round,
      slot: 0,
      option: 'C',
    });
    expect(answer).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(answer.ok === false && answer.message).toMatch(/option/);
  });
});

describe('a session over WebSockets', () => {
  it('runs start, answers, reveal, next and the summary, with running scores', async () => {
    const host = track(await joinAsHost(h));
    const ada = track(await joinAsPlayer(h, secretFor('ada'), 'Ada'));
    const bo = track(await joinAsPlayer(h, secretFor('bo'), 'Bo'));
    const first = (await startQuiz(host, { rounds: 2, models: ['oracle', 'always-a'] })).state.question;
    if (first === null) throw new Error('no question');
    const pair = pairOf(first);
    const right = (slot: 0 | 1) => pair.images[slot].correct;
    const answer = (c: TestClient, slot: 0 | 1, option: string) =>
      c.request({ type: 'answer', sessionId: first.sessionId, round: first.round, slot, option });

    expect(await answer(ada, 0, right(0))).toMatchObject({
      ok: true,
      choices: [right(0), null],
      locked: false,
    });
    expect(await answer(ada, 1, right(1))).toMatchObject({ ok: true, locked: true });
    await answer(bo, 0, right(0));
    await answer(bo, 1, right(0)); // the same option twice: confused
    const counted = await host.waitFor(
      (m): m is Extract<ServerMessage, { type: 'count' }> => m.type === 'count' && m.answered === 2,
    );
    expect(counted.connected).toBe(2);

    const from = host.received.length;
    expect((await host.request({ type: 'reveal' })).ok).toBe(true);
    const reveal = (await host.waitFor(isPhase('reveal'), from)).state.reveal;
    expect(reveal?.people).toMatchObject({ participants: 2, setCorrect: 1, confused: 1 });
    expect(reveal?.images[0].correct).toBe(right(0));
    expect(reveal?.models.find((m) => m.modelId === 'oracle')).toMatchObject({
      setCorrect: true,
      confused: false,
    });
    expect(reveal?.models.find((m) => m.modelId === 'always-a')).toMatchObject({
      setCorrect: false,
      confused: true,
    });
    expect(reveal?.fastest.map((f) => f.displayName)).toEqual(['Ada']);

    const adaMe = await ada.waitFor(
      (m): m is Extract<ServerMessage, { type: 'me' }> => m.type === 'me' && m.me.result !== null,
    );
    expect(adaMe.me.result).toMatchObject({ setCorrect: true });
    expect(adaMe.me.score).toMatchObject({ rounds: 1, setCorrect: 1, imagesCorrect: 2 });
    const boMe = await bo.waitFor(
      (m): m is Extract<ServerMessage, { type: 'me' }> => m.type === 'me' && m.me.result !== null,
    );
    expect(boMe.me.result).toMatchObject({ setCorrect: false, confused: true });

    const next = host.received.length;
    await host.request({ type: 'next' });
    const second = (await host.waitFor(isPhase('question'), next)).state.question;
    expect(second?.number).toBe(2);
    expect(second?.images[0].url).not.toBe(first.images[0].url);

    const end = host.received.length;
    await host.request({ type: 'stop' });
    const summary = (await host.waitFor(isPhase('summary'), end)).state.summary;
    expect(summary?.roundsPlayed).toBe(1);
    expect(summary?.standings.map((s) => [s.rank, s.displayName])).toEqual([
      [1, 'Ada'],
      [2, 'Bo'],
    ]);
    // No participant id ever reaches a browser.
    const wire = [...host.frames, ...ada.frames, ...bo.frames].join('\n');
    expect(wire).not.toContain(secretFor('ada'));
    expect(wire).not.toMatch(/"userId"/);
  });

  it('reveals by itself when the time is up', async () => {
    const host = track(await joinAsHost(h));
    const from = host.received.length;
    await startQuiz(host, { seconds: 1 });
    const revealed = await host.waitFor(isPhase('reveal'), from);
    expect(revealed.state.reveal?.closedBy).toBe('timer');
  });

  it('never sends the answers, captions or file names before the reveal', async () => {
    const host = track(await joinAsHost(h));
    const player = track(await joinAsPlayer(h, secretFor('peek'), 'Peek'));
    const question = (await startQuiz(host, { models: ['oracle'] })).state.question as QuestionView;
    const pair = pairOf(question);
    await player.waitFor(isPhase('question'));
    const before = [...host.frames, ...player.frames].join('\n');
    for (const image of pair.images) {
      expect(before).not.toContain(image.caption);
      expect(before).not.toContain(image.localId);
      expect(before).not.toContain(image.file?.split('/').pop() ?? '');
    }
    expect(before).not.toMatch(/"correct"/);
    expect(question.images[0].url).toMatch(/^\/img\/[A-Za-z0-9_-]{20,}$/);

    const from = player.received.length;
    await host.request({ type: 'reveal' });
    await player.waitFor(isPhase('reveal'), from);
    expect(player.frames.slice(from).join('\n')).toContain(pair.images[0].caption);
  });
});

describe('reconnecting', () => {
  it('gives a participant who comes back with the same id their answers, still locked', async () => {
    const host = track(await joinAsHost(h));
    const q = (await startQuiz(host)).state.question as QuestionView;
    const first = await joinAsPlayer(h, secretFor('reload'), 'Rae');
    await first.request({ type: 'answer', sessionId: q.sessionId, round: q.round, slot: 0, option: 'B' });
    await first.request({ type: 'answer', sessionId: q.sessionId, round: q.round, slot: 1, option: 'A' });
    await first.close();

    const again = track(await joinAsPlayer(h, secretFor('reload'), 'Rae'));
    expect(again.last('me')?.me).toMatchObject({ choices: ['B', 'A'], locked: true });
    const change = await again.request({
      type: 'answer',
      sessionId: q.sessionId,
      round: q.round,
      slot: 0,
      option: 'A',
    });
    expect(change).toMatchObject({ ok: false, code: 'ANSWER_LOCKED', choices: ['B', 'A'] });
  });

  it('keeps answers and the host link across a server restart', async () => {
    const host = await joinAsHost(h);
    const q = (await startQuiz(host)).state.question as QuestionView;
    const player = await joinAsPlayer(h, secretFor('restart'), 'Ray');
    await player.request({ type: 'answer', sessionId: q.sessionId, round: q.round, slot: 0, option: 'A' });
    await player.close();
    await host.close();
    const { dir, code, hostKey } = h;
    await h.web.close();
    h.engine.close();
    await h.store.close();

    h = await openWebHarness({ dir });
    expect(h.code).toBe(code);
    expect(h.hostKey).toBe(hostKey);
    const back = track(await joinAsPlayer(h, secretFor('restart'), 'Ray'));
    expect(back.last('state')?.state.phase).toBe('question');
    expect(back.last('me')?.me.choices).toEqual(['A', null]);
  });
});

describe('HTTP', () => {
  it('serves the pages: the operator’s demo note on the host view, a short label everywhere else', async () => {
    await h.close();
    h = await openWebHarness({ banner: 'demo content, not real patient images: run `data fetch` in /srv/x' });
    for (const url of ['/', '/join', `/join/${h.code}`, `/host/${h.code}`, '/stats']) {
      const response = await fetch(`${h.base}${url}`);
      expect(response.status, url).toBe(200);
      const html = await response.text();
      if (url.startsWith('/host/')) {
        expect(html).toContain('run `data fetch` in /srv/x');
      } else {
        expect(html, url).toContain('Demo questions: synthetic drawings, not patient images.');
        expect(html, url).not.toContain('/srv/x');
      }
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const stats = (await (await fetch(`${h.base}/api/stats`)).json()) as { banner: string | null };
    expect(stats.banner).toBe('Demo questions: synthetic drawings, not patient images.');
  });

  it('says so, kindly, when a link has a bad or unknown room code', async () => {
    const bad = await fetch(`${h.base}/join/not-a-code`);
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('no valid room code');
    const unknown = await fetch(`${h.base}/host/ZZZZZ`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('There is no room ZZZZZ');
  });

  it('validates the stats query', async () => {
    const bad = await fetch(`${h.base}/api/stats?room=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'BAD_QUERY' });
    const extra = await fetch(`${h.base}/api/stats?sort=desc`);
    expect(extra.status).toBe(400);
    const unknown = await fetch(`${h.base}/api/stats?room=ZZZZZ`);
    expect(unknown.status).toBe(404);
  });

  it('serves the QR code of the join link and the bundled scripts', async () => {
    const qr = await fetch(`${h.base}/api/rooms/${h.code}/qr.svg`);
    expect(qr.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await qr.text()).toContain('<svg');
    const script = await fetch(`${h.base}/assets/host.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${h.base}/assets/../server.ts`)).status).toBe(404);
  });

  it('serves a round image by its opaque URL only while the session runs', async () => {
    const host = track(await joinAsHost(h));
    const q = (await startQuiz(host)).state.question as QuestionView;
    const image = await fetch(`${h.base}${q.images[0].url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect((await fetch(`${h.base}/img/${'a'.repeat(22)}`)).status).toBe(404);
    await host.request({ type: 'stop' });
    expect((await fetch(`${h.base}${q.images[0].url}`)).status).toBe(404);
  });

  it('makes a new room whose host link works', async () => {
    const response = await fetch(`${h.base}/api/rooms`, { method: 'POST' });
    expect(response.status).toBe(201);
    const { code, hostUrl } = (await response.json()) as { code: string; hostUrl: string };
    expect(code).not.toBe(h.code);
    const key = new URLSearchParams(hostUrl.split('#')[1]).get('key');
    const host = track(await TestClient.connect(h.wsUrl));
    host.send({ type: 'hello', role: 'host', room: code, key });
    expect((await host.waitFor(isType('welcome'), 0)).room.code).toBe(code);
  });

  it('shows the same figures as the engine statistics Discord uses', async () => {
    const host = track(await joinAsHost(h));
    const player = track(await joinAsPlayer(h, secretFor('stats'), 'Sam'));
    const q = (await startQuiz(host, { models: ['always-a'] })).state.question as QuestionView;
    await player.request({ type: 'answer', sessionId: q.sessionId, round: q.round, slot: 0, option: 'A' });
    await player.request({ type: 'answer', sessionId: q.sessionId, round: q.round, slot: 1, option: 'B' });
    await host.request({ type: 'reveal' });
    const response = await fetch(`${h.base}/api/stats`);
    const body = (await response.json()) as { rounds: number; people: number; comparison: unknown };
    expect(body.rounds).toBe(1);
    expect(body.people).toBe(1);
    expect(body.comparison).toEqual(comparisonView((await h.engine.stats({ kind: 'all' })).comparison));
  });
});
