import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import sqlite3 from 'sqlite3';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createTransportKeyv, SCAN_PAGE_SIZE, type StoreDriver, scanInPages } from './driver.js';
import { describeCause } from './errors.js';
import { GroupCommitter, runPlan, type WriteOp, type WriteResult } from './group-commit.js';
import { fencedSetInTransaction, type LeaseRows, leaseInTransaction } from './sql-leases.js';

/** The adapter's default table, `keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)`. */
const TABLE = 'keyv';
/** How long a statement waits for another process's lock (the CLI and the bot may share the file). */
const BUSY_TIMEOUT_MS = 5_000;

const rowsSchema = z.array(z.object({ key: z.string(), value: z.string() }));

const keysSchema = z.array(z.object({ key: z.string() }));

/**
 * Opens (creating it and its folder if needed) the SQLite file. Reads go through @keyv/sqlite's own
 * connection. Writes go through a second connection of ours that group-commits them: the writes that
 * arrive while one transaction commits share the next one, and with `synchronous=FULL` a commit has
 * synced the write-ahead log to disk before any write in it resolves. Keeping writes off the reading
 * connection means a read never sees a write that is not committed yet. (An in-memory database exists
 * only on its one connection, so there the adapter's connection writes too; nothing there is durable.)
 */
export async function openSqliteDriver(
  filename: string,
  redactedUrl: string,
  log: Logger,
): Promise<StoreDriver> {
  const inMemory = filename === ':memory:';
  if (!inMemory) {
    try {
      await mkdir(path.dirname(filename), { recursive: true });
    } catch (err) {
      throw unavailable(redactedUrl, filename, err);
    }
  }
  const adapter = new KeyvSqlite({ uri: `sqlite://${filename}`, table: TABLE, busyTimeout: BUSY_TIMEOUT_MS });
  const keyv = createTransportKeyv(adapter, log, 'sqlite');
  try {
    if (!inMemory) {
      // WAL lets a reader (e.g. an export) run while the bot writes; FULL syncs the log on every commit.
      await adapter.query('PRAGMA journal_mode = WAL');
    }
    await adapter.query('PRAGMA synchronous = FULL');
    // A deleted record (forget-me, a deletion request) is overwritten with zeros in its page rather than
    // left readable in free space; close() then vacuums and empties the write-ahead log.
    await adapter.query('PRAGMA secure_delete = ON');
    // Proves the table exists and the file is a database before anyone relies on it.
    await adapter.query(`SELECT key FROM ${TABLE} LIMIT 1`);
  } catch (err) {
    await adapter.close().catch(() => undefined);
    throw unavailable(redactedUrl, filename, err);
  }
  let writer: SqlWriter;
  try {
    writer = inMemory
      ? { query: (sql, params) => adapter.query(sql, ...params), close: async () => undefined }
      : await openWriter(filename);
  } catch (err) {
    await adapter.close().catch(() => undefined);
    throw unavailable(redactedUrl, filename, err);
  }
  const committer = new GroupCommitter((ops) => commitInTransaction(writer, ops));

  return {
    backend: 'sqlite',
    keyv,
    set: (key, value) => committer.submit({ kind: 'set', key, value }),
    insertIfAbsent: (key, value) => committer.submit({ kind: 'insertIfAbsent', key, value }),
    delete: (keys) => committer.submit({ kind: 'delete', keys }),
    lease: (key, request) => committer.submit({ kind: 'lease', key, request }),
    setFenced: (key, value, leaseKey, token) =>
      committer.submit({ kind: 'fencedSet', key, value, leaseKey, token }),
    writeStats: () => committer.writeStats(),
    async warmUp() {
      // An empty upsert: runs the prepared statement on the writing connection, inserts nothing.
      await writer.query(SQL.upsertMany, ['[]']);
    },
    async *scan(prefix) {
      yield* scanInPages(prefix, async (after, upper) => {
        const lower = after === undefined ? 'key >= ?' : 'key > ?';
        const bound = upper === undefined ? '' : 'AND key < ?';
        const params = [after ?? prefix, ...(upper === undefined ? [] : [upper]), SCAN_PAGE_SIZE];
        return rowsSchema.parse(
          await adapter.query(
            `SELECT key, value FROM ${TABLE} WHERE ${lower} ${bound} ORDER BY key LIMIT ?`,
            ...params,
          ),
        );
      });
    },
    async close() {
      await committer.flush();
      // The writer goes first: VACUUM and the checkpoint below need no other connection in a transaction.
      await writer.close();
      if (!inMemory) {
        await eraseFreedSpace(adapter).catch((err: unknown) =>
          log.warn(
            { cause: describeCause(err) },
            'could not compact the SQLite store on close; freed pages stay zeroed (secure_delete) but the write-ahead log keeps old copies until the next clean close',
          ),
        );
      }
      await adapter.disconnect();
    },
  };
}

const SQL = {
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
  upsertMany: `INSERT INTO ${TABLE} (key, value)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  insertIfAbsent: `INSERT INTO ${TABLE} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key`,
  deleteMany: `DELETE FROM ${TABLE} WHERE key IN (SELECT value FROM json_each(?)) RETURNING key`,
  readOne: `SELECT value FROM ${TABLE} WHERE key = ?`,
  upsertOne: `INSERT INTO ${TABLE} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
} as const;

const valuesSchema = z.array(z.object({ value: z.string() }));

/** Row access for leases: BEGIN IMMEDIATE already holds the database's write lock, so no row locks. */
function leaseRows(writer: SqlWriter): LeaseRows {
  return {
    read: async (key) => valuesSchema.parse(await writer.query(SQL.readOne, [key]))[0]?.value ?? null,
    insert: async (key, value) =>
      keysSchema.parse(await writer.query(SQL.insertIfAbsent, [key, value])).length === 1,
    write: async (key, value) => {
      await writer.query(SQL.upsertOne, [key, value]);
    },
  };
}

interface SqlWriter {
  query(sql: string, params: readonly unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

/** One batch, one transaction, one sync. */
async function commitInTransaction(writer: SqlWriter, ops: readonly WriteOp[]): Promise<WriteResult[]> {
  await writer.query(SQL.begin, []);
  try {
    const results = await runPlan(ops, {
      sets: async (entries) => {
        await writer.query(SQL.upsertMany, [JSON.stringify(entries)]);
      },
      insertIfAbsent: async (key, value) =>
        keysSchema.parse(await writer.query(SQL.insertIfAbsent, [key, value])).length === 1,
      delete: async (keys) =>
        keysSchema.parse(await writer.query(SQL.deleteMany, [JSON.stringify(keys)])).length,
      lease: (key, request) => leaseInTransaction(leaseRows(writer), key, request),
      fencedSet: (key, value, leaseKey, token) =>
        fencedSetInTransaction(leaseRows(writer), key, value, leaseKey, token),
    });
    await writer.query(SQL.commit, []);
    return results;
  } catch (err) {
    // Undoes whatever the batch did; fails harmlessly when BEGIN or COMMIT already ended the transaction.
    await writer.query(SQL.rollback, []).catch(() => undefined);
    throw err;
  }
}

/**
 * The writing connection, with its statements prepared once here rather than on the first click. The
 * synchronous setting belongs to each connection, so it is set here again.
 */
async function openWriter(filename: string): Promise<SqlWriter> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(filename, (err) => (err ? reject(err) : resolve(opened)));
  });
  db.configure('busyTimeout', BUSY_TIMEOUT_MS);
  const all = (run: (done: (err: Error | null, rows: unknown[]) => void) => void) =>
    new Promise<unknown[]>((resolve, reject) => run((err, rows) => (err ? reject(err) : resolve(rows))));
  const statements = new Map<string, sqlite3.Statement>();
  try {
    // Both are per connection: FULL syncs the log on every commit; secure_delete zeroes what this
    // connection deletes (every delete goes through it).
    await all((done) => db.all('PRAGMA synchronous = FULL', done));
    await all((done) => db.all('PRAGMA secure_delete = ON', done));
    for (const sql of Object.values(SQL)) {
      const statement = await new Promise<sqlite3.Statement>((resolve, reject) => {
        const prepared = db.prepare(sql, (err) => (err ? reject(err) : resolve(prepared)));
      });
      statements.set(sql, statement);
    }
  } catch (err) {
    await new Promise<void>((resolve) => db.close(() => resolve()));
    throw err;
  }
  return {
    query(sql, params) {
      const statement = statements.get(sql);
      if (statement === undefined) return all((done) => db.all(sql, params, done));
      return all((done) => statement.all(params, done));
    },
    async close() {
      for (const statement of statements.values()) {
        await new Promise<void>((resolve) => statement.finalize(() => resolve()));
      }
      await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/**
 * Leaves nothing deleted recoverable from the files: VACUUM rebuilds the database without its free pages
 * (only when some were freed: it rewrites the whole file), and a TRUNCATE checkpoint copies the write-ahead
 * log into the database and empties it, since the log still holds earlier versions of every page written.
 */
async function eraseFreedSpace(adapter: KeyvSqlite): Promise<void> {
  const freelist = z
    .array(z.object({ freelist_count: z.number() }))
    .parse(await adapter.query('PRAGMA freelist_count'));
  if ((freelist[0]?.freelist_count ?? 0) > 0) await adapter.query('VACUUM');
  await adapter.query('PRAGMA wal_checkpoint(TRUNCATE)');
}

function unavailable(redactedUrl: string, filename: string, err: unknown): UserFacingError {
  return new UserFacingError(
    'STORE_UNAVAILABLE',
    `Cannot open the SQLite store ${redactedUrl} (STORE_URL, file ${filename}): ${describeCause(err)}`,
    { cause: err },
  );
}
