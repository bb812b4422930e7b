import { KeyvPostgres } from '@keyv/postgres';
import pg from 'pg';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createTransportKeyv, SCAN_PAGE_SIZE, type StoreDriver, scanInPages } from './driver.js';
import { describeCause } from './errors.js';
import { GroupCommitter, runPlan, type WriteOp, type WriteResult } from './group-commit.js';
import { fencedSetInTransaction, type LeaseRows, leaseInTransaction } from './sql-leases.js';

/** The adapter's default table, `public.keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)`. */
const TABLE = 'public.keyv';
const CONNECT_TIMEOUT_MS = 5_000;
const POOL_SIZE = 10;
/** Connections opened by warmUp: the readers of a burst; the writer uses one at a time. */
const WARM_CONNECTIONS = 4;

const rowsSchema = z.array(z.object({ key: z.string(), value: z.string() }));
const insertedSchema = z.array(z.object({ key: z.string() }));

/**
 * A @keyv/postgres adapter that runs its queries on a pool we own. The stock adapter keeps one pool per
 * process in a module variable: a second store with the same URL shares it and closing either ends both,
 * and that pool has no 'error' listener, so a PostgreSQL restart (an idle connection dropped) would crash
 * the process with an unhandled 'error' event.
 */
export function createPooledPostgresAdapter(pool: pg.Pool): KeyvPostgres {
  class PooledKeyvPostgres extends KeyvPostgres {
    // Called from the base constructor, so it may only use what the closure provides.
    override async connect() {
      return async (sql: string, values?: unknown[]) => (await pool.query(sql, values)).rows;
    }
    override async disconnect() {
      // The pool belongs to whoever created it.
    }
  }
  return new PooledKeyvPostgres({ table: 'keyv', schema: 'public' });
}

/** A pool whose connection failures are logged rather than fatal; see createPooledPostgresAdapter. */
export function createPostgresPool(url: string, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    // The connections warmUp opens stay open while idle (a burst may come long after start-up), without
    // keeping a finished process alive.
    min: WARM_CONNECTIONS,
    allowExitOnIdle: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  pool.on('error', (err) => log.warn({ err }, 'postgres store: an idle connection failed'));
  return pool;
}

/**
 * Connects to PostgreSQL through @keyv/postgres (which creates `public.keyv` if needed), which serves the
 * reads. Writes are group-committed: each batch is one transaction on one pooled connection, and every
 * write in it resolves when PostgreSQL has committed (and, with the default `synchronous_commit`, flushed)
 * that transaction.
 */
export async function openPostgresDriver(
  url: string,
  redactedUrl: string,
  log: Logger,
): Promise<StoreDriver> {
  const pool = createPostgresPool(url, log);
  const adapter = createPooledPostgresAdapter(pool);
  const keyv = createTransportKeyv(adapter, log, 'postgres');
  try {
    // Waits for the adapter's CREATE TABLE and proves the table is usable.
    await adapter.query(`SELECT key FROM ${TABLE} LIMIT 1`);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new UserFacingError(
      'STORE_UNAVAILABLE',
      `Cannot use the PostgreSQL store ${redactedUrl} (STORE_URL): ${describeCause(err)}`,
      { cause: err },
    );
  }

  const committer = new GroupCommitter((ops) => commitInTransaction(pool, ops));

  return {
    backend: 'postgres',
    keyv,
    set: (key, value) => committer.submit({ kind: 'set', key, value }),
    insertIfAbsent: (key, value) => committer.submit({ kind: 'insertIfAbsent', key, value }),
    delete: (keys) => committer.submit({ kind: 'delete', keys }),
    lease: (key, request) => committer.submit({ kind: 'lease', key, request }),
    setFenced: (key, value, leaseKey, token) =>
      committer.submit({ kind: 'fencedSet', key, value, leaseKey, token }),
    writeStats: () => committer.writeStats(),
    async warmUp() {
      // Holds WARM_CONNECTIONS clients at once so the pool really opens that many, and prepares the
      // batch statements on each with arguments that touch no row.
      const clients = await Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => pool.connect()));
      try {
        await Promise.all(
          clients.map(async (client) => {
            await client.query({ ...SQL.upsertMany, values: [[], []] });
            await client.query({ ...SQL.deleteMany, values: [[]] });
          }),
        );
      } finally {
        for (const client of clients) client.release();
      }
    },
    async *scan(prefix) {
      // COLLATE "C" gives code point order whatever the database's collation is.
      yield* scanInPages(prefix, async (after, upper) => {
        const lower = after === undefined ? 'key COLLATE "C" >= $1' : 'key COLLATE "C" > $1';
        const bound = upper === undefined ? 'TRUE' : 'key COLLATE "C" < $3';
        const params = [after ?? prefix, SCAN_PAGE_SIZE, ...(upper === undefined ? [] : [upper])];
        return rowsSchema.parse(
          await adapter.query(
            `SELECT key, value FROM ${TABLE} WHERE ${lower} AND ${bound} ORDER BY key COLLATE "C" LIMIT $2`,
            params,
          ),
        );
      });
    },
    async close() {
      await committer.flush();
      await pool.end();
    },
  };
}

/** Named, so each pooled connection parses and plans them once. */
const SQL = {
  upsertMany: {
    name: 'mediconfusion-store-upsert-many',
    text: `INSERT INTO ${TABLE} (key, value) SELECT * FROM unnest($1::varchar[], $2::text[])
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
  },
  insertIfAbsent: {
    name: 'mediconfusion-store-insert-if-absent',
    text: `INSERT INTO ${TABLE} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
  },
  deleteMany: {
    name: 'mediconfusion-store-delete-many',
    text: `DELETE FROM ${TABLE} WHERE key = ANY($1::varchar[]) RETURNING key`,
  },
  // A lease row is locked for the rest of the batch's transaction: FOR UPDATE to change it, FOR SHARE to
  // check a token before a fenced write, so a takeover and a fenced write never interleave.
  readForUpdate: {
    name: 'mediconfusion-store-read-for-update',
    text: `SELECT value FROM ${TABLE} WHERE key = $1 FOR UPDATE`,
  },
  readForShare: {
    name: 'mediconfusion-store-read-for-share',
    text: `SELECT value FROM ${TABLE} WHERE key = $1 FOR SHARE`,
  },
  upsertOne: {
    name: 'mediconfusion-store-upsert-one',
    text: `INSERT INTO ${TABLE} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
  },
} as const;

const valuesSchema = z.array(z.object({ value: z.string() }));

function leaseRows(client: pg.PoolClient): LeaseRows {
  return {
    read: async (key, lock) =>
      valuesSchema.parse(
        (await client.query({ ...(lock === 'update' ? SQL.readForUpdate : SQL.readForShare), values: [key] }))
          .rows,
      )[0]?.value ?? null,
    insert: async (key, value) =>
      insertedSchema.parse((await client.query({ ...SQL.insertIfAbsent, values: [key, value] })).rows)
        .length === 1,
    write: async (key, value) => {
      await client.query({ ...SQL.upsertOne, values: [key, value] });
    },
  };
}

/** One batch, one transaction, one commit. */
async function commitInTransaction(pool: pg.Pool, ops: readonly WriteOp[]): Promise<WriteResult[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    try {
      await client.query('BEGIN');
      const results = await runPlan(ops, {
        sets: async (entries) => {
          await client.query({
            ...SQL.upsertMany,
            values: [entries.map(([k]) => k), entries.map(([, v]) => v)],
          });
        },
        insertIfAbsent: async (key, value) =>
          insertedSchema.parse((await client.query({ ...SQL.insertIfAbsent, values: [key, value] })).rows)
            .length === 1,
        delete: async (keys) =>
          insertedSchema.parse((await client.query({ ...SQL.deleteMany, values: [keys] })).rows).length,
        lease: (key, request) => leaseInTransaction(leaseRows(client), key, request),
        fencedSet: (key, value, leaseKey, token) =>
          fencedSetInTransaction(leaseRows(client), key, value, leaseKey, token),
      });
      await client.query('COMMIT');
      return results;
    } catch (err) {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}
