import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type JsonValue, openStore, type Store, StoreValueError } from '../../src/store/index.js';

/** What a collection accepts and how it lays data out; backend-independent, so run on SQLite only. */

let dir: string;
let file: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'store-values-'));
  file = path.join(dir, 'nested', 'folder', 'store.sqlite');
  store = await openStore('sqlite://nested/folder/store.sqlite', { cwd: dir });
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Reads and writes rows directly, bypassing the collection, as another tool or a damaged file would. */
async function withRawTable<T>(use: (adapter: KeyvSqlite) => Promise<T>): Promise<T> {
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}` });
  try {
    return await use(adapter);
  } finally {
    await adapter.disconnect();
  }
}

describe('sqlite file location', () => {
  it('creates the folders of a relative path under the given cwd', async () => {
    await store.collection<number>('located').set('k', 1);
    const rows = await withRawTable((adapter) =>
      adapter.query('SELECT key FROM keyv WHERE key = ?', 'located:k'),
    );
    expect(rows).toStrictEqual([{ key: 'located:k' }]);
  });

  it('opens an in-memory database with sqlite://:memory:', async () => {
    const memory = await openStore('sqlite://:memory:');
    try {
      await memory.collection<number>('m').set('k', 1);
      expect(await memory.collection<number>('m').get('k')).toBe(1);
    } finally {
      await memory.close();
    }
  });
});

describe('stored layout', () => {
  it('stores a row as namespace:key with keyv\'s {"value": ...} envelope', async () => {
    await store.collection<JsonValue>('layout').set('user:1', { score: 2 });
    const rows = await withRawTable((adapter) =>
      adapter.query('SELECT key, value FROM keyv WHERE key LIKE ?', 'layout:%'),
    );
    expect(rows).toStrictEqual([{ key: 'layout:user:1', value: '{"value":{"score":2}}' }]);
  });

  it('reports a row that is not valid JSON as damaged, naming namespace and key', async () => {
    await withRawTable((adapter) => adapter.set('damaged:user:1', '{"value": {"score": 2'));
    await expect(store.collection('damaged').get('user:1')).rejects.toThrow(
      new StoreValueError('damaged', 'user:1', 'stored row is not valid JSON'),
    );
  });

  it('reports a row without the value envelope as damaged', async () => {
    await withRawTable((adapter) => adapter.set('bare:k', '{"score": 2}'));
    await expect(store.collection('bare').get('k')).rejects.toThrow(
      /"bare", key "k": stored row has no "value" field/,
    );
  });
});

describe('values that are not JSON', () => {
  const values = () => store.collection<unknown>('refused');

  it.each([
    ['a Date', { at: new Date(0) }, /\$\.at: a Date is not plain JSON/],
    ['a Map', new Map([['a', 1]]), /\$: a Map is not plain JSON/],
    ['NaN', { n: Number.NaN }, /\$\.n: NaN is not a finite number/],
    ['an undefined array item', [1, undefined], /\$\[1\]: undefined array item/],
    ['undefined', undefined, /\$: undefined is not JSON/],
    ['a bigint', { n: 1n }, /\$\.n: a bigint is not JSON/],
  ])('refuses %s, naming where it is', async (_, value, message) => {
    await expect(values().set('k', value)).rejects.toThrow(message);
    await expect(values().set('k', value)).rejects.toBeInstanceOf(StoreValueError);
    expect(await values().has('k')).toBe(false);
  });

  it('refuses a circular structure', async () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    await expect(values().set('k', loop)).rejects.toThrow(/circular/);
  });

  it('drops object properties that are undefined, as optional fields', async () => {
    await values().set('optional', { a: 1, b: undefined });
    expect(await values().get('optional')).toStrictEqual({ a: 1 });
  });
});

describe('schemas', () => {
  it('returns the parsed value, with defaults filled in', async () => {
    await store.collection<JsonValue>('defaults').set('k', { n: 1 });
    const withDefault = store.collection(
      'defaults',
      z.object({ n: z.number(), tags: z.array(z.string()).default([]) }),
    );
    expect(await withDefault.get('k')).toStrictEqual({ n: 1, tags: [] });
  });
});

describe('names and keys', () => {
  it('refuses namespaces that could collide with a key separator or are empty', () => {
    expect(() => store.collection('a:b')).toThrow(/namespace "a:b" is invalid/);
    expect(() => store.collection('')).toThrow(/invalid/);
    expect(() => store.collection('x'.repeat(65))).toThrow(/invalid/);
    expect(() => store.collection('quiz.answers_v2-x')).not.toThrow();
  });

  it('refuses an empty key', async () => {
    await expect(store.collection('keys').get('')).rejects.toThrow(/non-empty/);
  });

  it('refuses a key that would not fit the 255-character column, pointing to hashKey', async () => {
    await expect(store.collection('keys').set('k'.repeat(251), 1)).rejects.toThrow(/hashKey/);
    await expect(store.collection('keys').set('k'.repeat(250), 1)).resolves.toBeUndefined();
  });
});
