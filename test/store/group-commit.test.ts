import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store, StoreOperationError } from '../../src/store/index.js';

/**
 * Group commit when one write in a batch fails: the batch is rolled back and its writes are committed one
 * by one, so only the failing write is refused. A SQLite trigger on another connection refuses some keys,
 * the way a constraint or a full disk refuses one statement.
 */
describe('a write that fails inside a batch', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'group-commit-'));
    const uri = `sqlite://${path.join(dir, 'store.sqlite')}`;
    store = await openStore(uri);
    const admin = new KeyvSqlite({ uri });
    await admin.query(
      `CREATE TRIGGER refuse BEFORE INSERT ON keyv WHEN NEW.key LIKE '%refused%'
       BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`,
    );
    await admin.disconnect();
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused alone, and every other write of its batch is stored', async () => {
    const clicks = store.collection<number>('clicks');
    const keys = Array.from({ length: 30 }, (_, i) => (i === 17 ? 'refused' : `ok:${i}`));
    const before = store.writeStats();
    const outcomes = await Promise.allSettled(keys.map((key, i) => clicks.set(key, i)));
    const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[keys[i], o.reason]] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.[0]).toBe('refused');
    expect(refused[0]?.[1]).toBeInstanceOf(StoreOperationError);
    expect(String(refused[0]?.[1])).toMatch(
      /set on collection "clicks", key "refused".*refused by a trigger/,
    );
    const stored = await clicks.getMany(keys);
    expect(stored.filter((v) => v !== undefined)).toHaveLength(29);
    expect(stored[17]).toBeUndefined();
    // One batch was tried and rolled back; then the 29 good writes were committed one by one.
    expect(store.writeStats().commits - before.commits).toBe(29);
  });

  it('does not stop later batches from grouping again', async () => {
    const clicks = store.collection<number>('later');
    const before = store.writeStats();
    await Promise.all(Array.from({ length: 100 }, (_, i) => clicks.set(`k${i}`, i)));
    expect(store.writeStats().commits - before.commits).toBe(1);
  });
});
