import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type JsonValue,
  openStore,
  type Store,
  StoreClosedError,
  StoreValueError,
} from '../../src/store/index.js';
import { findServerBackends, runPrefix } from './support/backends.js';
import { collect } from './support/helpers.js';

/**
 * The behaviour every backend must share. Runs against SQLite (a temporary file) always, and against the
 * local Redis and PostgreSQL when they answer; a backend that does not is reported as a skipped test
 * named after it, and with a warning, never silently passed.
 */

const sqliteDir = await mkdtemp(path.join(os.tmpdir(), 'store-contract-'));
const servers = await findServerBackends();
const targets = [
  { name: 'sqlite', address: 'a temporary file', url: `sqlite://${path.join(sqliteDir, 'store.sqlite')}` },
  ...servers.map((server) => ({ name: server.backend, address: server.address, url: server.url })),
];

afterAll(async () => {
  await rm(sqliteDir, { recursive: true, force: true });
});

for (const target of targets) {
  if (target.url === undefined) {
    console.warn(
      `store contract: ${target.name} at ${target.address} is not reachable; its contract tests are skipped`,
    );
    it.skip(`${target.name} at ${target.address} is not reachable`, () => {});
  }
  describe.skipIf(target.url === undefined)(`${target.name} store contract`, () => {
    defineContract(target.url ?? '');
  });
}

function defineContract(url: string): void {
  const prefix = runPrefix();
  const used = new Set<string>();
  /** A namespace unique to this run, cleared afterwards. */
  const ns = (name: string): string => {
    const namespace = `${prefix}_${name}`;
    used.add(namespace);
    return namespace;
  };
  let store: Store;

  beforeAll(async () => {
    store = await openStore(url);
  });

  afterAll(async () => {
    for (const namespace of used) await store.collection(namespace).clear();
    await store.close();
  });

  it('returns nested JSON exactly as it was stored', async () => {
    const things = store.collection<JsonValue>(ns('roundtrip'));
    const value = {
      run: {
        model: 'gpt-4o',
        answers: [
          { pair: 17, choice: 'A', correct: true, confidence: 0.875 },
          { pair: 18, choice: null, correct: false, confidence: -1.5e-7 },
        ],
      },
      labels: ['ü', '日本語', '🩻', ''],
      // Strings keyv's own serializer would treat specially.
      tricky: [':base64:AAAA', '::double', '{"value":1}'],
      empty: { object: {}, list: [] },
      at: '2026-01-31T12:00:00.000Z',
    };
    await things.set('run:1', value);
    expect(await things.get('run:1')).toStrictEqual(value);
  });

  it('stores bare strings, numbers, booleans and null as values', async () => {
    const scalars = store.collection<JsonValue>(ns('scalars'));
    await scalars.set('s', 'text');
    await scalars.set('n', 42);
    await scalars.set('f', false);
    await scalars.set('z', null);
    expect(await scalars.getMany(['s', 'n', 'f', 'z'])).toStrictEqual(['text', 42, false, null]);
  });

  it('returns undefined for a key that was never stored', async () => {
    const things = store.collection<JsonValue>(ns('missing'));
    expect(await things.get('never-written')).toBeUndefined();
    expect(await things.has('never-written')).toBe(false);
  });

  it('deletes a key, reporting whether it existed', async () => {
    const things = store.collection<number>(ns('delete'));
    await things.set('k', 1);
    expect(await things.has('k')).toBe(true);
    expect(await things.delete('k')).toBe(true);
    expect(await things.get('k')).toBeUndefined();
    expect(await things.has('k')).toBe(false);
    expect(await things.delete('k')).toBe(false);
  });

  it('getMany returns values in the order asked, undefined where absent', async () => {
    const things = store.collection<string>(ns('many'));
    await things.set('a', 'A');
    await things.set('c', 'C');
    expect(await things.getMany(['c', 'b', 'a'])).toStrictEqual(['C', undefined, 'A']);
    expect(await things.getMany([])).toStrictEqual([]);
  });

  it('keeps the same key in different namespaces apart, including names that differ by case or wildcard', async () => {
    // `_` is a LIKE wildcard and SQLite's LIKE ignores case: both once leaked between namespaces.
    const names = ['tally', 'Tally', 'tallyx', 't_lly', 'tXlly'].map(ns);
    for (const [index, name] of names.entries()) await store.collection<number>(name).set('k', index);
    for (const [index, name] of names.entries()) {
      const collection = store.collection<number>(name);
      expect(await collection.get('k')).toBe(index);
      expect(await collect(collection.entries())).toStrictEqual([['k', index]]);
    }
  });

  it('lists every entry of a namespace in key order', async () => {
    const things = store.collection<number>(ns('listing'));
    for (const [index, key] of ['b', 'c_x', 'a', 'c:2', 'c%', 'c:1', 'é'].entries())
      await things.set(key, index);
    const keys = (await collect(things.entries())).map(([key]) => key);
    expect(keys).toStrictEqual(['a', 'b', 'c%', 'c:1', 'c:2', 'c_x', 'é']);
  });

  it('lists only the entries whose key starts with a prefix, taking the prefix literally', async () => {
    const things = store.collection<string>(ns('prefixed'));
    for (const key of ['run:1:q1', 'run:1:q2', 'run:10:q1', 'run:2:q1', 'run%', 'run_', 'ru*'])
      await things.set(key, key);
    expect(await collect(things.entries('run:1:'))).toStrictEqual([
      ['run:1:q1', 'run:1:q1'],
      ['run:1:q2', 'run:1:q2'],
    ]);
    expect((await collect(things.entries('run_'))).map(([key]) => key)).toStrictEqual(['run_']);
    expect((await collect(things.entries('ru*'))).map(([key]) => key)).toStrictEqual(['ru*']);
    expect(await collect(things.entries('nothing-here'))).toStrictEqual([]);
  });

  it('setIfAbsent writes only when the key is absent and says whether it did', async () => {
    const votes = store.collection<{ choice: string }>(ns('once'));
    expect(await votes.setIfAbsent('user:1', { choice: 'A' })).toBe(true);
    expect(await votes.setIfAbsent('user:1', { choice: 'B' })).toBe(false);
    expect(await votes.get('user:1')).toStrictEqual({ choice: 'A' });
  });

  it('setIfAbsent lets exactly one of many simultaneous writers win', async () => {
    const votes = store.collection<{ choice: number }>(ns('race'));
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, choice) => votes.setIfAbsent('user:1', { choice })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await votes.get('user:1')).toStrictEqual({ choice: results.indexOf(true) });
  });

  it('throws, naming namespace and key, when a stored value does not match the schema', async () => {
    const namespace = ns('shapes');
    await store.collection<JsonValue>(namespace).set('user:7', { score: 'ten' });
    const tallies = store.collection(namespace, z.object({ score: z.number() }));
    const failure = tallies.get('user:7');
    await expect(failure).rejects.toBeInstanceOf(StoreValueError);
    await expect(failure).rejects.toThrow(new RegExp(`"${namespace}".*"user:7".*score`));
    await expect(tallies.getMany(['user:7'])).rejects.toThrow(/user:7/);
    await expect(collect(tallies.entries())).rejects.toThrow(/user:7/);
  });

  it('refuses to write a value that does not match the schema, leaving the old value', async () => {
    const tallies = store.collection(ns('guarded'), z.object({ score: z.number().int() }));
    await tallies.set('user:1', { score: 3 });
    await expect(tallies.set('user:1', { score: 3.5 })).rejects.toThrow(/"user:1".*score/);
    expect(await tallies.get('user:1')).toStrictEqual({ score: 3 });
  });

  it('makes a write visible to another connection as soon as it resolves', async () => {
    const namespace = ns('visible');
    const other = await openStore(url);
    try {
      await store.collection<string>(namespace).set('answer', 'B');
      expect(await other.collection<string>(namespace).get('answer')).toBe('B');
    } finally {
      await other.close();
    }
  });

  it('keeps data across closing and reopening the store', async () => {
    const namespace = ns('durable');
    const first = await openStore(url);
    await first.collection<{ n: number }>(namespace).set('tally', { n: 5 });
    await first.close();
    const second = await openStore(url);
    try {
      expect(await second.collection<{ n: number }>(namespace).get('tally')).toStrictEqual({ n: 5 });
    } finally {
      await second.close();
    }
  });

  it('keeps all of 1000 simultaneous writes', async () => {
    const items = store.collection<{ i: number }>(ns('bulk'));
    const keys = Array.from({ length: 1000 }, (_, i) => `item:${String(i).padStart(4, '0')}`);
    await Promise.all(keys.map((key, i) => items.set(key, { i })));
    expect(await items.getMany(keys)).toStrictEqual(keys.map((_, i) => ({ i })));
    // More than one page of the scan.
    expect((await collect(items.entries('item:'))).map(([key]) => key)).toStrictEqual(keys);
  });

  it('clear removes every entry of one namespace and no other', async () => {
    const doomed = store.collection<number>(ns('doomed'));
    const kept = store.collection<number>(ns('doomedx'));
    await doomed.set('a', 1);
    await doomed.set('b', 2);
    await kept.set('a', 3);
    expect(await doomed.clear()).toBe(2);
    expect(await collect(doomed.entries())).toStrictEqual([]);
    expect(await kept.get('a')).toBe(3);
  });

  it('throws StoreClosedError for any operation after close', async () => {
    const closing = await openStore(url);
    const things = closing.collection<number>(ns('closed'));
    await closing.close();
    await closing.close();
    await expect(things.get('k')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(things.set('k', 1)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(collect(things.entries())).rejects.toBeInstanceOf(StoreClosedError);
  });
}
