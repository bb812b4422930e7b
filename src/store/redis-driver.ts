import KeyvRedis, { createClient } from '@keyv/redis';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { compareCodePoints, createTransportKeyv, SCAN_PAGE_SIZE, type StoreDriver } from './driver.js';
import { describeCause } from './errors.js';

const CONNECT_TIMEOUT_MS = 5_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

export type StoreRedisClient = ReturnType<typeof createStoreRedisClient>;

/**
 * A node-redis client set up for a store:
 * - the first connection attempt is not retried, so a wrong STORE_URL fails at start-up instead of
 *   hanging; once connected, a dropped connection is retried with a capped back-off;
 * - the offline queue is off, so a command sent while the connection is down fails at once (and the
 *   caller is told) instead of waiting, possibly forever, for Redis to come back.
 */
export function createStoreRedisClient(url: string, log: Logger) {
  let connectedOnce = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number, cause: Error) =>
        connectedOnce ? Math.min(2 ** retries * 100, MAX_RECONNECT_DELAY_MS) : cause,
    },
  });
  client.on('ready', () => {
    connectedOnce = true;
  });
  client.on('error', (err: unknown) => log.warn({ err }, 'redis store: connection error'));
  return client;
}

/**
 * Connects to Redis through @keyv/redis. The adapter's own `throwOnErrors` must be set too: unlike the
 * SQL adapters, it catches command errors itself and returns `undefined`/`false` before keyv sees them.
 * A write resolves on Redis's reply, i.e. once Redis has applied it in memory; whether it survives a Redis
 * restart depends on the server's persistence settings (AOF with `appendfsync always` for every write).
 */
export async function openRedisDriver(url: string, redactedUrl: string, log: Logger): Promise<StoreDriver> {
  const client = createStoreRedisClient(url, log);
  try {
    await client.connect();
  } catch (err) {
    // The client has given up and closed itself unless the failure came later (e.g. AUTH refused).
    if (client.isOpen) client.destroy();
    throw new UserFacingError(
      'STORE_UNAVAILABLE',
      `Cannot connect to the Redis store ${redactedUrl} (STORE_URL): ${describeCause(err)}`,
      { cause: err },
    );
  }
  const adapter = new KeyvRedis(client, { throwOnErrors: true, throwOnConnectError: true });
  const keyv = createTransportKeyv(adapter, log, 'redis');

  return {
    backend: 'redis',
    keyv,
    async insertIfAbsent(key, value) {
      return (await client.set(key, value, { condition: 'NX' })) === 'OK';
    },
    async *scan(prefix) {
      // SCAN may return a key twice and in no particular order: collect, de-duplicate and sort the keys,
      // then read the values in pages. A key deleted in between reads as null and is skipped.
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const page = await client.scan(cursor, {
          MATCH: `${escapeGlob(prefix)}*`,
          TYPE: 'string',
          COUNT: 1000,
        });
        cursor = String(page.cursor);
        for (const key of page.keys) keys.add(String(key));
      } while (cursor !== '0');
      const sorted = [...keys].sort(compareCodePoints);
      for (let start = 0; start < sorted.length; start += SCAN_PAGE_SIZE) {
        const slice = sorted.slice(start, start + SCAN_PAGE_SIZE);
        const values = await client.mGet(slice);
        for (const [index, key] of slice.entries()) {
          const value = values[index];
          if (typeof value === 'string') yield [key, value];
        }
      }
    },
    async close() {
      if (client.isReady) {
        await client.close();
      } else if (client.isOpen) {
        // Reconnecting after an outage: QUIT could not be sent, so drop the socket and stop retrying.
        client.destroy();
      }
    },
  };
}

/** Escapes Redis glob characters so that a prefix matches literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, '\\$&');
}
