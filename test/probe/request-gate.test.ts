import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../src/adapters/openai.js';
import type { ModelRequest } from '../../src/adapters/types.js';
import { Budget } from '../../src/probe/budget.js';
import { MAX_REPLY_CHARS } from '../../src/probe/reply-cap.js';
import { type BackoffSettings, type GateClock, RequestGate } from '../../src/probe/request-gate.js';
import { answerRequest } from '../adapters/requests.js';
import { type FakeServer, start } from '../support/fake-openai.js';

const FAST: BackoffSettings = { maxAttempts: 3, baseMs: 5, capMs: 50, maxRetryAfterMs: 5_000 };

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function adapterFor(server: FakeServer) {
  return createOpenAIAdapter({
    id: 'gate-test',
    model: 'gate-test',
    baseURL: server.url,
    apiKey: null,
    headers: {},
    query: {},
    reasoning: undefined,
    timeoutMs: 5_000,
    maxImageSide: null,
  });
}

/**
 * Virtual time for the gate: a sleep returns at once and moves "now" to its wake-up time, so the test
 * checks when the gate meant to send each request, whatever the machine's speed.
 */
class VirtualClock implements GateClock {
  private time = 0;
  readonly wakes: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    const wake = this.time + ms;
    this.wakes.push(wake);
    this.time = Math.max(this.time, wake);
  }
}

function gate(
  server: FakeServer,
  settings: Partial<ConstructorParameters<typeof RequestGate>[1]> = {},
  budget = new Budget({ maxRequests: null, maxCostUsd: null }),
  clock?: GateClock,
) {
  return new RequestGate(
    adapterFor(server),
    { concurrency: 4, rpm: null, timeoutMs: 5_000, price: null, backoff: FAST, ...settings },
    budget,
    clock ? { clock } : {},
  );
}

describe('the request gate', () => {
  it('never has more requests in flight than its concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    fake = await start({
      handler: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await sleep(30);
        inFlight -= 1;
        return { kind: 'text', text: 'A' };
      },
    });
    const g = gate(fake, { concurrency: 3 });
    const request = await answerRequest();
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => g.complete(request)));
    expect(outcomes.every((o) => o.kind === 'done' && o.result.ok)).toBe(true);
    expect(peak).toBe(3);
  });

  it('spaces requests to the requests-per-minute limit', async () => {
    const clock = new VirtualClock();
    fake = await start({ handler: () => ({ kind: 'text', text: 'A' }) });
    // 600 per minute: one request every 100 ms at most.
    const g = gate(fake, { rpm: 600, concurrency: 8 }, undefined, clock);
    const request = await answerRequest();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => g.complete(request)));
    expect(outcomes.every((o) => o.kind === 'done' && o.result.ok)).toBe(true);
    expect(fake.requests).toHaveLength(5);
    // The first goes at once; each later one waits for its own slot, 100 ms after the previous slot.
    expect(clock.wakes.sort((a, b) => a - b)).toEqual([100, 200, 300, 400]);
  });

  it('pauses every request to the model while a retry-after is running', async () => {
    const clock = new VirtualClock();
    const arrivals: number[] = [];
    fake = await start({
      handler: () => {
        arrivals.push(clock.now());
        return arrivals.length === 1
          ? { kind: 'error', status: 429, headers: { 'retry-after-ms': '400' } }
          : { kind: 'text', text: 'A' };
      },
    });
    let limitedAnswered: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      limitedAnswered = resolve;
    });
    const g = new RequestGate(
      adapterFor(fake),
      { concurrency: 4, rpm: null, timeoutMs: 5_000, price: null, backoff: FAST },
      new Budget({ maxRequests: null, maxCostUsd: null }),
      { clock, onAttempt: ({ attempt }) => attempt === 1 && limitedAnswered() },
    );
    const request = await answerRequest();
    const limited = g.complete(request);
    // The second request starts once the 429 is in, while the pause it asked for is running.
    await answered;
    const other = g.complete(request);
    const [a, b] = await Promise.all([limited, other]);
    expect(a.kind === 'done' && a.result.ok).toBe(true);
    expect(b.kind === 'done' && b.result.ok).toBe(true);
    expect(a.kind === 'done' && a.attempts).toBe(2);
    // Both later requests are sent only after the pause that the 429 asked for.
    expect(arrivals).toHaveLength(3);
    expect(arrivals[0]).toBe(0);
    expect(arrivals.slice(1).every((t) => t >= 400)).toBe(true);
  });

  it('gives up at once when the server asks to wait longer than allowed', async () => {
    fake = await start();
    fake.replyOnce({ kind: 'error', status: 429, headers: { 'retry-after': '3600' } });
    const outcome = await gate(fake).complete(await answerRequest());
    expect(outcome.kind).toBe('done');
    if (outcome.kind !== 'done' || outcome.result.ok) throw new Error('expected a failure');
    expect(outcome.attempts).toBe(1);
    expect(outcome.result.error).toMatch(/asked to wait 3600 s, more than the 5 s allowed/);
  });

  it('draws backoff delays with full jitter under an exponential bound, or takes the server retry-after', async () => {
    fake = await start();
    const settings = {
      concurrency: 1,
      rpm: null,
      timeoutMs: 1_000,
      price: null,
      backoff: { ...FAST, baseMs: 100, capMs: 350 },
    };
    const budget = new Budget({ maxRequests: null, maxCostUsd: null });
    const high = new RequestGate(adapterFor(fake), settings, budget, { random: () => 0.999_999 });
    const low = new RequestGate(adapterFor(fake), settings, budget, { random: () => 0 });
    expect([1, 2, 3, 4].map((n) => high.backoffDelay(n, undefined))).toEqual([99, 199, 349, 349]);
    expect(low.backoffDelay(3, undefined)).toBe(0);
    expect(low.backoffDelay(3, 1234)).toBe(1234);
  });

  it('stops before sending once the request budget is spent, without an answer to cache', async () => {
    fake = await start();
    const budget = new Budget({ maxRequests: 2, maxCostUsd: null });
    const g = gate(fake, { concurrency: 4 }, budget);
    const request: ModelRequest = await answerRequest();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => g.complete(request)));
    expect(outcomes.filter((o) => o.kind === 'done')).toHaveLength(2);
    const stopped = outcomes.find((o) => o.kind === 'stopped');
    expect(stopped?.kind === 'stopped' && stopped.reason).toBe('--max-requests 2 reached');
    expect(fake.requests).toHaveLength(2);
  });

  it('keeps the head of an oversized reply and marks the cut', async () => {
    const head = 'Answer: A. ';
    fake = await start({ handler: () => ({ kind: 'text', text: head + 'x'.repeat(1_000_000) }) });
    const outcome = await gate(fake).complete(await answerRequest());
    if (outcome.kind !== 'done' || !outcome.result.ok) throw new Error('expected an answer');
    expect(outcome.result.text.startsWith(head)).toBe(true);
    expect(outcome.result.text.length).toBeLessThan(MAX_REPLY_CHARS + 200);
    expect(outcome.result.text).toMatch(
      /\[… reply cut here: 1000011 characters in all, the first 20000 kept\]$/,
    );
  });
});
