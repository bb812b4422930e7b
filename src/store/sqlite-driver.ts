import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createTransportKeyv, SCAN_PAGE_SIZE, type StoreDriver, scanInPages } from './driver.js';
import { describeCause } from './errors.js';

/** The adapter's default table, `keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)`. */
const TABLE = 'keyv';
/** How long a statement waits for another process's lock (the CLI and the bot may share the file). */
const BUSY_TIMEOUT_MS = 5_000;

const rowsSchema = z.array(z.object({ key: z.string(), value: z.string() }));

/**
 * Opens (creating it and its folder if needed) the SQLite file through @keyv/sqlite, which keeps one
 * sqlite3 connection per adapter. Each write is one autocommitted statement that keyv awaits, and with
 * `synchronous=FULL` SQLite has synced it to disk before the statement returns.
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

  return {
    backend: 'sqlite',
    keyv,
    async insertIfAbsent(key, value) {
      const rows: unknown = await adapter.query(
        `INSERT INTO ${TABLE} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key`,
        key,
        value,
      );
      return Array.isArray(rows) && rows.length === 1;
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
