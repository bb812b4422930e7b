import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Leases, openStore, type Store } from '../../src/store/index.js';
import { decideLease, type LeaseRequest, type LeaseState } from '../../src/store/leases.js';
import { findServerBackends, runPrefix } from './support/backends.js';

/**
 * Leases with fencing tokens behave the same on every backend, and as `decideLease` says (Redis runs
 * the rules as a Lua script, the SQL backends run `decideLease` itself inside a transaction).
 */

const sqliteDir = await mkdtemp(path.join(os.tmpdir(), 'lease-contract-'));
const servers = await findServerBackends();
const targets = [
  { name: 'sqlite', url: `sqlite://${path.join(sqliteDir, 'store.sqlite')}` as string | undefined },
  ...servers.map((server) => ({ name: server.backend, url: server.url })),
];

afterAll(async () => {
  await rm(sqliteDir, { recursive: true, force: true });
});

const TTL = 10_000;
const T0 = 1_765_000_000_000;

for (const target of targets) {
  if (target.url === undefined) it.skip(`${target.name} is not reachable`, () => {});
  describe.skipIf(target.url === undefined)(`${target.name} leases`, () => {
    let store: Store;
    let other: Store;
    const prefix = runPrefix();
    const leasesNs = `${prefix}_leases`;
    const rowsNs = `${prefix}_rows`;
    let n = 0;
    const key = () => `session-${++n}`;

    beforeAll(async () => {
      store = await openStore(target.url ?? '');
      // A second connection stands in for a second process.
      other = await openStore(target.url ?? '');
    });
    afterAll(async () => {
      await store.collection(leasesNs).clear();
      await store.collection(rowsNs).clear();
      await other.close();
      await store.close();
    });

    it('gives a free lease to the first owner with token 1', async () => {
      const k = key();
      const outcome = await store.leases(leasesNs).acquire(k, 'a', TTL, T0);
      expect(outcome).toEqual({ granted: true, lease: { owner: 'a', token: 1, expiresAt: T0 + TTL } });
      expect(await other.leases(leasesNs).get(k)).toEqual({ owner: 'a', token: 1, expiresAt: T0 + TTL });
    });

    it('refuses a live lease to another owner and names the holder', async () => {
      const k = key();
      await store.leases(leasesNs).acquire(k, 'a', TTL, T0);
      const outcome = await other.leases(leasesNs).acquire(k, 'b', TTL, T0 + TTL - 1);
      expect(outcome).toEqual({ granted: false, lease: { owner: 'a', token: 1, expiresAt: T0 + TTL } });
    });

    it('hands an expired lease to the next owner with a greater token', async () => {
      const k = key();
      await store.leases(leasesNs).acquire(k, 'a', TTL, T0);
      const outcome = await other.leases(leasesNs).acquire(k, 'b', TTL, T0 + TTL);
      expect(outcome).toEqual({ granted: true, lease: { owner: 'b', token: 2, expiresAt: T0 + 2 * TTL } });
    });

    it('renews for the holder, and refuses the old holder once another has taken over', async () => {
      const k = key();
      const leases = store.leases(leasesNs);
      await leases.acquire(k, 'a', TTL, T0);
      expect((await leases.renew(k, { owner: 'a', token: 1 }, TTL, T0 + 5_000)).lease?.expiresAt).toBe(
        T0 + 5_000 + TTL,
      );
      await other.leases(leasesNs).acquire(k, 'b', TTL, T0 + 5_000 + TTL);
      const late = await leases.renew(k, { owner: 'a', token: 1 }, TTL, T0 + 5_000 + TTL + 1);
      expect(late.granted).toBe(false);
      expect(late.lease?.owner).toBe('b');
    });

    it('after a release the next owner takes over at once, with the next token', async () => {
      const k = key();
      await store.leases(leasesNs).acquire(k, 'a', TTL, T0);
      expect((await store.leases(leasesNs).release(k, { owner: 'a', token: 1 })).granted).toBe(true);
      const outcome = await other.leases(leasesNs).acquire(k, 'b', TTL, T0 + 1);
      expect(outcome.lease).toEqual({ owner: 'b', token: 2, expiresAt: T0 + 1 + TTL });
    });

    it('lets exactly one of many owners racing for a free lease win', async () => {
      const k = key();
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? store : other).leases(leasesNs).acquire(k, `owner-${i}`, TTL, T0),
        ),
      );
      const winners = outcomes.filter((o) => o.granted);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.lease?.token).toBe(1);
      for (const o of outcomes) expect(o.lease?.owner).toBe(winners[0]?.lease?.owner);
    });

    it('accepts a fenced write with the current token and refuses a stale one', async () => {
      const k = key();
      const leases = store.leases(leasesNs);
      const rows = store.collection<{ by: string }>(rowsNs);
      await leases.acquire(k, 'a', TTL, T0);
      expect(await rows.setFenced(k, { by: 'a' }, leases.fence(k, 1))).toBe(true);
      await other.leases(leasesNs).acquire(k, 'b', TTL, T0 + TTL);
      expect(
        await other.collection<{ by: string }>(rowsNs).setFenced(k, { by: 'b' }, leases.fence(k, 2)),
      ).toBe(true);
      // The old owner, paused past its lease, tries to write: refused, and b's value stays.
      expect(await rows.setFenced(k, { by: 'a' }, leases.fence(k, 1))).toBe(false);
      expect(await rows.get(k)).toEqual({ by: 'b' });
    });

    it('refuses a fenced write when there is no lease at all', async () => {
      const k = key();
      const rows = store.collection<number>(rowsNs);
      expect(await rows.setFenced(k, 1, store.leases(leasesNs).fence(k, 1))).toBe(false);
      expect(await rows.get(k)).toBeUndefined();
    });

    it('keeps fenced writes and a takeover racing each other consistent', async () => {
      // Owner a writes continuously while b takes over: every write a made after b's takeover is refused,
      // so the last value written is b's.
      const k = key();
      const leases = store.leases(leasesNs);
      const rows = store.collection<{ by: string; i: number }>(rowsNs);
      await leases.acquire(k, 'a', TTL, T0);
      const writes = Array.from({ length: 20 }, (_, i) =>
        rows.setFenced(k, { by: 'a', i }, leases.fence(k, 1)),
      );
      const takeover = other.leases(leasesNs).acquire(k, 'b', TTL, T0 + TTL);
      const results = await Promise.all(writes);
      expect((await takeover).lease?.token).toBe(2);
      expect(
        await other
          .collection<{ by: string; i: number }>(rowsNs)
          .setFenced(k, { by: 'b', i: -1 }, leases.fence(k, 2)),
      ).toBe(true);
      expect(await rows.setFenced(k, { by: 'a', i: 99 }, leases.fence(k, 1))).toBe(false);
      expect(await rows.get(k)).toEqual({ by: 'b', i: -1 });
      // Writes before the takeover landed, writes after it did not: results are a run of trues then falses.
      const firstRefused = results.indexOf(false);
      if (firstRefused >= 0) expect(results.slice(firstRefused).every((r) => !r)).toBe(true);
    });

    it('follows decideLease for every kind of request', async () => {
      const cases: Array<{ start: LeaseState | null; request: LeaseRequest }> = [
        { start: null, request: { action: 'renew', owner: 'a', token: 1, ttlMs: TTL, now: T0 } },
        { start: null, request: { action: 'release', owner: 'a', token: 1 } },
        {
          start: { owner: 'a', token: 3, expiresAt: T0 + 5 },
          request: { action: 'acquire', owner: 'a', ttlMs: TTL, now: T0 },
        },
        {
          start: { owner: 'a', token: 3, expiresAt: T0 },
          request: { action: 'acquire', owner: 'a', ttlMs: TTL, now: T0 },
        },
        {
          start: { owner: 'a', token: 3, expiresAt: T0 - 1 },
          request: { action: 'renew', owner: 'a', token: 3, ttlMs: TTL, now: T0 },
        },
        {
          start: { owner: 'a', token: 3, expiresAt: T0 + 1 },
          request: { action: 'renew', owner: 'a', token: 2, ttlMs: TTL, now: T0 },
        },
        {
          start: { owner: 'a', token: 3, expiresAt: T0 + 1 },
          request: { action: 'release', owner: 'b', token: 3 },
        },
        {
          start: { owner: 'a', token: 3, expiresAt: T0 + 1 },
          request: { action: 'release', owner: 'a', token: 3 },
        },
      ];
      for (const { start, request } of cases) {
        const k = key();
        const leases = store.leases(leasesNs);
        if (start !== null) {
          // Builds the starting row through the operations themselves.
          for (let token = 1; token <= start.token; token++) {
            await leases.acquire(k, token === start.token ? start.owner : `earlier-${token}`, 1, token);
          }
          await leases.renew(k, start, Math.max(1, start.expiresAt - 1), 1);
          if (start.expiresAt === 0) await leases.release(k, start);
        }
        const before = (await leases.get(k)) ?? null;
        const expected = decideLease(before, request);
        const actual = await apply(leases, k, request);
        expect(actual, JSON.stringify({ before, request })).toEqual({
          granted: expected.granted,
          lease: expected.lease,
        });
        expect((await leases.get(k)) ?? null).toEqual(expected.write ?? before);
      }
    });
  });
}

function apply(leases: Leases, key: string, request: LeaseRequest) {
  switch (request.action) {
    case 'acquire':
      return leases.acquire(key, request.owner, request.ttlMs, request.now);
    case 'renew':
      return leases.renew(key, request, request.ttlMs, request.now);
    case 'release':
      return leases.release(key, request);
  }
}
