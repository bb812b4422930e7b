import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Clock } from '../../src/quiz/clock.js';
import { captureLogs } from '../bot/harness.js';
import { isType, joinAsPlayer, openWebHarness, secretFor, TestClient, type WebHarness } from './harness.js';

let h: WebHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Log entries at warn (40) or above, as pino writes them. */
const levelOf = (entry: Record<string, unknown>) => Number(entry.level);

describe('client mistakes on the web server', () => {
  it('answers 404 for an asset name with characters no bundled file has, logging nothing at error level', async () => {
    const logs = captureLogs();
    h = await openWebHarness({ log: logs.log });
    for (const name of ['a%20b.js', 'host.js%00', '%E2%9C%93.js', 'a%2Fb.js']) {
      const response = await fetch(`${h.base}/assets/${name}`);
      expect(response.status, name).toBe(404);
    }
    expect(logs.entries().filter((e) => levelOf(e) >= 50)).toEqual([]);
  });

  it('closes an oversized WebSocket frame with 1009 and logs a warning without a stack', async () => {
    const logs = captureLogs();
    h = await openWebHarness({ log: logs.log });
    const ws = new WebSocket(h.wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(10_000));
    expect(await closed).toBe(1009);
    // The server's close is logged once its socket has closed too: wait for that entry.
    await expect
      .poll(() => logs.entries().filter((e) => e.msg === 'websocket closed: message too big'))
      .toHaveLength(1);
    const entries = logs.entries();
    expect(entries.filter((e) => levelOf(e) >= 50)).toEqual([]);
    const warning = entries.find((e) => e.msg === 'websocket closed: message too big');
    expect(levelOf(warning ?? {})).toBe(40);
    expect(JSON.stringify(warning)).not.toContain('stack');
  });
});

describe('admission to the web quiz', () => {
  it('refuses a participant beyond the room cap with ROOM_FULL, and lets one who is in come back', async () => {
    h = await openWebHarness({ server: { admission: { maxParticipantsPerRoom: 2 } } });
    const first = await joinAsPlayer(h, secretFor('one'), 'One');
    await joinAsPlayer(h, secretFor('two'), 'Two');
    const third = await TestClient.connect(h.wsUrl);
    third.send({ type: 'hello', role: 'player', room: h.code, player: secretFor('three'), name: 'Three' });
    const refusal = await third.waitFor(isType('error'), 0);
    expect(refusal).toMatchObject({ code: 'ROOM_FULL', fatal: true });
    expect(refusal.message).toContain('2 participants');
    expect(third.received.some((m) => m.type === 'me')).toBe(false);
    // A participant already counted is not a new one: the same person on a second device still gets in.
    await joinAsPlayer(h, secretFor('one'), 'One');
    await first.close();
  });

  it('limits joins per address with a 429 naming the limit', async () => {
    h = await openWebHarness({ server: { admission: { joinsPerMinute: 3 } } });
    for (let i = 0; i < 3; i++) await TestClient.connect(h.wsUrl);
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(h?.wsUrl ?? '');
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.once('open', () => reject(new Error('the fourth join was let in')));
    });
    expect(refused).toBe(429);
    const page = await fetch(`${h.base}/ws`);
    expect(page.status).toBe(429);
    expect(await page.text()).toContain('at most 3 per minute');
  });

  it('counts each client behind a trusted reverse proxy as its own address', async () => {
    h = await openWebHarness({
      server: { admission: { roomsPerHour: 1 }, trustedProxies: ['127.0.0.1', '::1'] },
    });
    const make = (client: string) =>
      fetch(`${h?.base}/api/rooms`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-forwarded-for': client },
      });
    expect((await make('203.0.113.7')).status).toBe(201);
    expect((await make('198.51.100.9')).status).toBe(201);
    expect((await make('203.0.113.7')).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    h = await openWebHarness({ server: { admission: { roomsPerHour: 1 } } });
    const make = (client: string) =>
      fetch(`${h?.base}/api/rooms`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-forwarded-for': client },
      });
    expect((await make('203.0.113.7')).status).toBe(201);
    expect((await make('198.51.100.9')).status).toBe(429);
  });

  it('limits room creation per address with a 429 naming the limit', async () => {
    h = await openWebHarness({ server: { admission: { roomsPerHour: 2 } } });
    const make = () =>
      fetch(`${h?.base}/api/rooms`, { method: 'POST', headers: { accept: 'application/json' } });
    expect((await make()).status).toBe(201);
    expect((await make()).status).toBe(201);
    const refused = await make();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: 'RATE_LIMITED',
      message: expect.stringContaining('at most 2 per hour'),
    });
  });

  it('expires rooms nobody hosts, giving their places back, and keeps hosted ones', async () => {
    let now = Date.UTC(2026, 0, 1, 9);
    const clock: Clock = { now: () => now };
    h = await openWebHarness({ server: { clock, maxNewRooms: 2, admission: { idleRoomMs: 60 * 60_000 } } });
    const make = async () => {
      const response = await fetch(`${h?.base}/api/rooms`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      return { status: response.status, body: (await response.json()) as { code: string; hostUrl: string } };
    };
    const idle = await make();
    const hosted = await make();
    expect((await make()).status).toBe(429);
    const host = await TestClient.connect(h.wsUrl);
    host.send({
      type: 'hello',
      role: 'host',
      room: hosted.body.code,
      key: hosted.body.hostUrl.split('#key=')[1] ?? '',
    });
    await host.waitFor(isType('state'), 0);

    now += 30 * 60_000;
    expect(await h.web.janitor.sweep()).toEqual([]);
    now += 31 * 60_000;
    expect(await h.web.janitor.sweep()).toEqual([idle.body.code]);
    expect((await fetch(`${h.base}/host/${idle.body.code}`)).status).toBe(404);
    expect((await fetch(`${h.base}/host/${hosted.body.code}`)).status).toBe(200);
    // The primary room never expires.
    expect((await fetch(`${h.base}/host/${h.code}`)).status).toBe(200);
    expect((await make()).status).toBe(201);
    await host.close();
  });
});
