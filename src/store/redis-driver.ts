import KeyvRedis, { createClient } from '@keyv/redis';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { compareCodePoints, createTransportKeyv, SCAN_PAGE_SIZE, type StoreDriver } from './driver.js';
import { describeCause } from './errors.js';
import { GroupCommitter, type WriteOp, type WriteResult } from './group-commit.js';
import {
  FENCED_SET_SCRIPT,
  LEASE_SCRIPT,
  leaseScriptArguments,
  parseLeaseReply,
} from './redis-lease-scripts.js';

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
 * Writes are group-committed as pipelines: the writes that arrive while one pipeline is in flight go out
 * together in the next. A write resolves on Redis's reply, i.e. once Redis has applied it in memory;
 * whether it survives a Redis restart depends on the server's persistence settings (AOF with
 * `appendfsync always` syncs the log before replying, once for all the commands of one event-loop turn).
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

  const committer = new GroupCommitter((ops) => sendPipeline(client, ops));

  return {
    backend: 'redis',
    keyv,
    set: (key, value) => committer.submit({ kind: 'set', key, value }),
    insertIfAbsent: (key, value) => committer.submit({ kind: 'insertIfAbsent', key, value }),
    delete: (keys) => committer.submit({ kind: 'delete', keys }),
    lease: (key, request) => committer.submit({ kind: 'lease', key, request }),
    setFenced: (key, value, leaseKey, token) =>
      committer.submit({ kind: 'fencedSet', key, value, leaseKey, token }),
    writeStats: () => committer.writeStats(),
    async warmUp() {
      await client.ping();
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
      await committer.flush();
      if (client.isReady) {
        await client.close();
      } else if (client.isOpen) {
        // Reconnecting after an outage: QUIT could not be sent, so drop the socket and stop retrying.
        client.destroy();
      }
    },
  };
}

/** One batch as one pipeline (not MULTI: each write stands alone, as it would unbatched). */
async function sendPipeline(client: StoreRedisClient, ops: readonly WriteOp[]): Promise<WriteResult[]> {
  const pipeline = client.multi();
  for (const op of ops) {
    if (op.kind === 'set') pipeline.set(op.key, op.value);
    else if (op.kind === 'insertIfAbsent') pipeline.set(op.key, op.value, { condition: 'NX' });
    else if (op.kind === 'lease') {
      pipeline.eval(LEASE_SCRIPT, { keys: [op.key], arguments: leaseScriptArguments(op.request) });
    } else if (op.kind === 'fencedSet') {
      pipeline.eval(FENCED_SET_SCRIPT, {
        keys: [op.key, op.leaseKey],
        arguments: [op.value, String(op.token)],
      });
    } else pipeline.del([...op.keys]);
  }
  const replies: unknown[] = await pipeline.execAsPipeline();
  return ops.map((op, index): WriteResult => {
    const reply = replies[index];
    if (reply instanceof Error) throw reply;
    if (op.kind === 'set') {
      if (reply !== 'OK') throw new Error(`Redis answered SET with ${String(reply)}`);
      return true;
    }
    if (op.kind === 'insertIfAbsent') return reply === 'OK';
    if (op.kind === 'lease') return parseLeaseReply(reply);
    if (op.kind === 'fencedSet') return reply === 1;
    return Number(reply);
  });
}

/** Escapes Redis glob characters so that a prefix matches literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, '\\$&');
}
