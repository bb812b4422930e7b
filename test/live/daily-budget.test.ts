import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailyBudget } from '../../src/live/daily-budget.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

/** 2026-03-14 15:00 UTC. */
const AFTERNOON = Date.UTC(2026, 2, 14, 15);
const MIDNIGHT = Date.UTC(2026, 2, 15);

let dir: string;
let storeUrl: string;
const stores: Store[] = [];

async function open(): Promise<Store> {
  const store = await openStore(storeUrl);
  stores.push(store);
  return store;
}

function clockAt(ms: number) {
  const clock = { ms, now: () => clock.ms };
  return clock;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'live-budget-'));
  storeUrl = `sqlite://${path.join(dir, 'store.sqlite')}`;
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the daily live-question budget', () => {
  it('lets questions through until the request limit, then refuses, saying when it resets', async () => {
    const budget = new DailyBudget(await open(), { requests: 4, costUsd: 1 }, clockAt(AFTERNOON));
    expect((await budget.reserve('guild-1', { requests: 2, costUsd: 0 })).ok).toBe(true);
    expect((await budget.reserve('guild-1', { requests: 2, costUsd: 0 })).ok).toBe(true);
    const refused = await budget.reserve('guild-1', { requests: 2, costUsd: 0 });
    expect(refused).toEqual({
      ok: false,
      limit: 'requests',
      used: { day: '2026-03-14', requests: 4, costUsd: 0 },
      limits: { requests: 4, costUsd: 1 },
      resetsAt: MIDNIGHT,
    });
  });

  it('is kept in the store, so a restarted bot does not hand out a fresh budget', async () => {
    const first = new DailyBudget(await open(), { requests: 4, costUsd: 1 }, clockAt(AFTERNOON));
    await first.reserve('guild-1', { requests: 2, costUsd: 0 });
    await first.reserve('guild-1', { requests: 2, costUsd: 0 });
    const afterRestart = new DailyBudget(
      await open(),
      { requests: 4, costUsd: 1 },
      clockAt(AFTERNOON + 60_000),
    );
    expect((await afterRestart.reserve('guild-1', { requests: 2, costUsd: 0 })).ok).toBe(false);
  });

  it('never lets questions asked at the same moment together pass the limit', async () => {
    const budget = new DailyBudget(await open(), { requests: 10, costUsd: 1 }, clockAt(AFTERNOON));
    const results = await Promise.all(
      Array.from({ length: 40 }, () => budget.reserve('guild-1', { requests: 2, costUsd: 0 })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(await budget.today('guild-1')).toEqual({ day: '2026-03-14', requests: 10, costUsd: 0 });
  });

  it('settles a reservation with what the question really used', async () => {
    const budget = new DailyBudget(await open(), { requests: 10, costUsd: 1 }, clockAt(AFTERNOON));
    const retried = await budget.reserve('guild-1', { requests: 2, costUsd: 0.01 });
    const unsent = await budget.reserve('guild-1', { requests: 2, costUsd: 0.01 });
    if (!retried.ok || !unsent.ok) throw new Error('reservation refused');
    await budget.settle(retried.reservation, { requests: 3, costUsd: 0.004 });
    await budget.settle(unsent.reservation, { requests: 0, costUsd: 0 });
    expect(await budget.today('guild-1')).toEqual({ day: '2026-03-14', requests: 3, costUsd: 0.004 });
  });

  it('refuses once the day’s spending would pass the cost limit', async () => {
    const budget = new DailyBudget(await open(), { requests: 100, costUsd: 0.01 }, clockAt(AFTERNOON));
    const first = await budget.reserve('guild-1', { requests: 2, costUsd: 0 });
    if (!first.ok) throw new Error('first reservation refused');
    await budget.settle(first.reservation, { requests: 2, costUsd: 0.008 });
    const refused = await budget.reserve('guild-1', { requests: 2, costUsd: 0.008 });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.limit).toBe('cost');
    expect(refused.used.costUsd).toBe(0.008);
  });

  it('starts every UTC day afresh', async () => {
    const clock = clockAt(AFTERNOON);
    const budget = new DailyBudget(await open(), { requests: 2, costUsd: 1 }, clock);
    await budget.reserve('guild-1', { requests: 2, costUsd: 0 });
    clock.ms = MIDNIGHT;
    expect((await budget.reserve('guild-1', { requests: 2, costUsd: 0 })).ok).toBe(true);
  });

  it('keeps a budget per server', async () => {
    const budget = new DailyBudget(await open(), { requests: 2, costUsd: 1 }, clockAt(AFTERNOON));
    await budget.reserve('guild-1', { requests: 2, costUsd: 0 });
    expect((await budget.reserve('guild-2', { requests: 2, costUsd: 0 })).ok).toBe(true);
  });
});
