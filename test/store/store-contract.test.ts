import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import KeyvRedis from '@keyv/redis';
import { KeyvSqlite } from '@keyv/sqlite';
import Keyv from 'keyv';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { UserFacingError } from '../../src/errors.js';
import { MAX_BATCH } from '../../src/store/group-commit.js';
import {
  type JsonValue,
  openStore,
  type Store,
  StoreClosedError,
  StoreOperationError,
  StoreValueError,
} from '../../src/store/index.js';
import { createPooledPostgresAdapter, createPostgresPool } from '../../src/store/postgres-driver.js';
import { createStoreRedisClient, type StoreRedisClient } from '../../src/store/redis-driver.js';
import { findServerBackends, runPrefix, type ServerBackend } from './support/backends.js';
import { capturingLogger, collect, silentLogger } from './support/helpers.js';
import { startTcpProxy, type TcpProxy, unusedPort } from './support/tcp-proxy.js';

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

  it('commits a burst of concurrent writes in a few batches (syncs), keeping every write', async () => {
    const items = store.collection<{ i: number }>(ns('burst'));
    const count = MAX_BATCH * 2 + 500;
    const keys = Array.from({ length: count }, (_, i) => `click:${String(i).padStart(5, '0')}`);
    const before = store.writeStats();
    const written = await Promise.all([
      ...keys.map((key, i) => items.set(key, { i })),
      items.setIfAbsent('first', { i: -1 }),
    ]);
    const after = store.writeStats();
    expect(written.at(-1)).toBe(true);
    expect(after.writes - before.writes).toBe(count + 1);
    // Issued in one turn of the event loop: as few batches as the batch size allows.
    expect(after.commits - before.commits).toBe(Math.ceil((count + 1) / MAX_BATCH));
    expect(after.largestBatch).toBe(MAX_BATCH);
    expect(await items.getMany(keys)).toStrictEqual(keys.map((_, i) => ({ i })));
  });

  it('puts the writes that arrive while a batch commits into the next batch, not one each', async () => {
    const items = store.collection<number>(ns('next-batch'));
    const before = store.writeStats();
    const first = items.set('first', 0);
    // The first batch has started (it begins once the current turn of the event loop is over).
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 200 }, (_, i) => items.set(`later:${i}`, i));
    await Promise.all([first, ...later]);
    const after = store.writeStats();
    expect(after.writes - before.writes).toBe(201);
    expect(after.commits - before.commits).toBe(2);
    expect((await collect(items.entries('later:'))).length).toBe(200);
  });

  it('gives each write awaited in turn a commit of its own', async () => {
    const items = store.collection<number>(ns('one-by-one'));
    const before = store.writeStats();
    for (let i = 0; i < 5; i++) await items.set(`k${i}`, i);
    const after = store.writeStats();
    expect(after.commits - before.commits).toBe(5);
    expect(after.writes - before.writes).toBe(5);
  });

  it('applies writes to one key in one batch in the order they were issued', async () => {
    const things = store.collection<string>(ns('ordered'));
    const results = await Promise.all([
      things.set('k', 'first'),
      things.set('k', 'second'),
      things.delete('k'),
      things.setIfAbsent('k', 'third'),
      things.setIfAbsent('k', 'fourth'),
      things.set('gone', 'x'),
      things.delete('gone'),
      things.delete('gone'),
      things.set('last', 'a'),
      things.set('last', 'b'),
    ]);
    expect(results).toStrictEqual([
      undefined,
      undefined,
      true,
      true,
      false,
      undefined,
      true,
      false,
      undefined,
      undefined,
    ]);
    expect(await things.getMany(['k', 'gone', 'last'])).toStrictEqual(['third', undefined, 'b']);
  });

  it('close waits for the writes already issued, which are then stored', async () => {
    const namespace = ns('close-flush');
    const closing = await openStore(url);
    const items = closing.collection<number>(namespace);
    const writes = Promise.all(Array.from({ length: 50 }, (_, i) => items.set(`k${i}`, i)));
    await closing.close();
    await writes;
    expect(closing.writeStats().writes).toBe(50);
    const reopened = await openStore(url);
    try {
      expect(await collect(reopened.collection<number>(namespace).entries())).toHaveLength(50);
    } finally {
      await reopened.close();
    }
  });

  it('warmUp readies the connections without writing anything', async () => {
    const before = store.writeStats();
    await store.warmUp();
    expect(store.writeStats()).toStrictEqual(before);
    const things = store.collection<number>(ns('after-warm-up'));
    await things.set('k', 1);
    expect(await things.get('k')).toBe(1);
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

/*
 * A failing backend must surface as a thrown error. Each block also runs the same read through keyv set
 * up the default way, which answers `undefined`: that is what `throwOnErrors: true` (and, for Redis, the
 * adapter's own throwOnErrors) is there to prevent, and it shows the failure is real and not a missing key.
 */

describe('sqlite store when the database breaks underneath it', () => {
  const namespace = `${runPrefix()}_broken`;
  let dir: string;
  let store: Store;
  let control: Keyv;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'store-broken-'));
    const uri = `sqlite://${path.join(dir, 'store.sqlite')}`;
    store = await openStore(uri);
    await store.collection<number>(namespace).set('tally', 3);
    control = new Keyv(new KeyvSqlite({ uri }));
    await control.set('tally', 3);
    expect(await control.get('tally')).toBe(3);
    // Another connection removes the table, as a damaged or replaced file would.
    const saboteur = new KeyvSqlite({ uri });
    await saboteur.query('DROP TABLE keyv');
    await saboteur.disconnect();
  });

  afterAll(async () => {
    await store.close();
    await control.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('a read throws a StoreOperationError naming the key instead of returning undefined', async () => {
    const failure = store.collection<number>(namespace).get('tally');
    await expect(failure).rejects.toBeInstanceOf(StoreOperationError);
    await expect(failure).rejects.toThrow(
      /sqlite store: get on collection ".*_broken", key "tally" failed: .*no such table/,
    );
  });

  it('writes, listings and existence checks throw too', async () => {
    const tallies = store.collection<number>(namespace);
    await expect(tallies.set('tally', 4)).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.setIfAbsent('other', 1)).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.has('tally')).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.getMany(['tally'])).rejects.toBeInstanceOf(StoreOperationError);
    await expect(collect(tallies.entries())).rejects.toBeInstanceOf(StoreOperationError);
  });

  it('keyv without throwOnErrors reads the same broken file as undefined', async () => {
    expect(await control.get('tally')).toBeUndefined();
  });
});

describe('sqlite store that cannot be opened', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'store-unopenable-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a path below a regular file with STORE_UNAVAILABLE naming STORE_URL', async () => {
    const file = path.join(dir, 'plain-file');
    await writeFile(file, 'not a folder');
    const opening = openStore(`sqlite://${file}/store.sqlite`);
    await expect(opening).rejects.toBeInstanceOf(UserFacingError);
    await expect(opening).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: /STORE_URL/ });
  });

  it('rejects a file that is not a SQLite database', async () => {
    const file = path.join(dir, 'garbage.sqlite');
    await writeFile(file, 'this is not a database, just text long enough to fill a header. '.repeat(20));
    await expect(openStore(`sqlite://${file}`)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: /not a database/,
    });
  });
});

const redisServer = servers.find((server) => server.backend === 'redis');
const postgresServer = servers.find((server) => server.backend === 'postgres');

describe.skipIf(redisServer?.url === undefined)('redis store when the connection is cut', () => {
  const namespace = `${runPrefix()}_outage`;
  const controlKey = `${namespace}-control`;
  let proxy: TcpProxy;
  let store: Store;
  let controlClient: StoreRedisClient;
  let control: Keyv;

  beforeAll(async () => {
    const server = redisServer as ServerBackend;
    proxy = await startTcpProxy(server.port);
    store = await openStore(server.urlVia(proxy.port), { log: silentLogger });
    await store.collection<number>(namespace).set('tally', 3);
    controlClient = createStoreRedisClient(server.urlVia(proxy.port), silentLogger);
    await controlClient.connect();
    control = new Keyv(new KeyvRedis(controlClient));
    await control.set(controlKey, 3);
    expect(await control.get(controlKey)).toBe(3);
    await proxy.stop();
  });

  afterAll(async () => {
    await store.close();
    if (controlClient.isOpen) controlClient.destroy();
    const server = redisServer as ServerBackend;
    const direct = await openStore(server.url ?? '');
    await direct.collection(namespace).clear();
    await direct.close();
    const directClient = createStoreRedisClient(server.url ?? '', silentLogger);
    await directClient.connect();
    await new Keyv(new KeyvRedis(directClient)).delete(controlKey);
    await directClient.close();
  });

  it('a read throws a StoreOperationError instead of returning undefined', async () => {
    await expect(store.collection<number>(namespace).get('tally')).rejects.toThrow(
      /redis store: get on collection ".*_outage", key "tally" failed/,
    );
  });

  it('writes, setIfAbsent and listings throw too', async () => {
    const tallies = store.collection<number>(namespace);
    await expect(tallies.set('tally', 4)).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.setIfAbsent('other', 1)).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.has('tally')).rejects.toBeInstanceOf(StoreOperationError);
    await expect(collect(tallies.entries())).rejects.toBeInstanceOf(StoreOperationError);
  });

  it('keyv and @keyv/redis with default options read the same outage as undefined', async () => {
    expect(await control.get(controlKey)).toBeUndefined();
  });

  it('works again, without being reopened, once Redis is reachable again', async () => {
    const server = redisServer as ServerBackend;
    const restored = await startTcpProxy(server.port, proxy.port);
    try {
      // The client reconnects on its own, with a back-off of at most two seconds.
      await vi.waitFor(async () => expect(await store.collection<number>(namespace).get('tally')).toBe(3), {
        timeout: 15_000,
        interval: 200,
      });
    } finally {
      await restored.stop();
    }
  });

  it('closing the store during the outage does not hang', async () => {
    const server = redisServer as ServerBackend;
    const second = await startTcpProxy(server.port);
    const doomed = await openStore(server.urlVia(second.port), { log: silentLogger });
    await second.stop();
    await doomed.close();
    await expect(doomed.collection('x').get('k')).rejects.toBeInstanceOf(StoreClosedError);
  });
});

describe.skipIf(postgresServer?.url === undefined)('postgres store when the connection is cut', () => {
  const namespace = `${runPrefix()}_outage`;
  const controlKey = `${namespace}-control`;
  let proxy: TcpProxy;
  let store: Store;
  let controlPool: pg.Pool;
  let control: Keyv;

  beforeAll(async () => {
    const server = postgresServer as ServerBackend;
    proxy = await startTcpProxy(server.port);
    store = await openStore(server.urlVia(proxy.port), { log: silentLogger });
    await store.collection<number>(namespace).set('tally', 3);
    controlPool = createPostgresPool(server.urlVia(proxy.port), silentLogger);
    control = new Keyv(createPooledPostgresAdapter(controlPool));
    await control.set(controlKey, 3);
    expect(await control.get(controlKey)).toBe(3);
    await proxy.stop();
  });

  afterAll(async () => {
    await store.close();
    await controlPool.end();
    const server = postgresServer as ServerBackend;
    const direct = await openStore(server.url ?? '');
    await direct.collection(namespace).clear();
    await direct.close();
    const directPool = createPostgresPool(server.url ?? '', silentLogger);
    await new Keyv(createPooledPostgresAdapter(directPool)).delete(controlKey);
    await directPool.end();
  });

  it('a read throws a StoreOperationError instead of returning undefined', async () => {
    await expect(store.collection<number>(namespace).get('tally')).rejects.toThrow(
      /postgres store: get on collection ".*_outage", key "tally" failed/,
    );
  });

  it('writes, setIfAbsent and listings throw too', async () => {
    const tallies = store.collection<number>(namespace);
    await expect(tallies.set('tally', 4)).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.setIfAbsent('other', 1)).rejects.toBeInstanceOf(StoreOperationError);
    await expect(tallies.has('tally')).rejects.toBeInstanceOf(StoreOperationError);
    await expect(collect(tallies.entries())).rejects.toBeInstanceOf(StoreOperationError);
  });

  it('keyv without throwOnErrors reads the same outage as undefined', async () => {
    expect(await control.get(controlKey)).toBeUndefined();
  });

  it('works again, without being reopened, once PostgreSQL is reachable again', async () => {
    const server = postgresServer as ServerBackend;
    const restored = await startTcpProxy(server.port, proxy.port);
    try {
      // The pool opens a fresh connection for the next query.
      expect(await store.collection<number>(namespace).get('tally')).toBe(3);
    } finally {
      await restored.stop();
    }
  });
});

describe('a server store that is not listening', () => {
  for (const scheme of ['redis', 'postgres'] as const) {
    it(`${scheme}: openStore fails with STORE_UNAVAILABLE naming STORE_URL, and never shows the password`, async () => {
      const port = await unusedPort();
      const { log, text } = capturingLogger();
      const url =
        scheme === 'redis'
          ? `redis://:hunter2@127.0.0.1:${port}`
          : `postgres://me:hunter2@127.0.0.1:${port}/x`;
      const failure = await openStore(url, { log }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(UserFacingError);
      expect(failure).toMatchObject({ code: 'STORE_UNAVAILABLE', message: /STORE_URL.*ECONNREFUSED/ });
      expect((failure as Error).message).toContain(':***@127.0.0.1');
      expect((failure as Error).message).not.toContain('hunter2');
      expect(text()).not.toContain('hunter2');
    });
  }
});

describe.skipIf(postgresServer?.url === undefined)('postgres store log lines', () => {
  it('show the URL with the password replaced', async () => {
    const url = new URL(postgresServer?.url ?? '');
    // Trust authentication ignores the password, so the store opens.
    url.password = 'hunter2';
    const { log, text } = capturingLogger();
    const store = await openStore(url.href, { log });
    await store.close();
    expect(text()).toContain(`${url.username}:***@`);
    expect(text()).not.toContain('hunter2');
  });
});
