import { Keyv, type KeyvStoreAdapter } from 'keyv';
import type { Logger } from '../logger.js';
import type { WriteStats } from './group-commit.js';
import type { LeaseOutcome, LeaseRequest } from './leases.js';
import type { StoreBackend } from './types.js';

/**
 * What a backend gives the collections: a keyv instance for reads, group-committed writes (see
 * group-commit.ts: keyv writes one key per round trip and commit, which a burst of clicks cannot afford),
 * plus the things keyv's adapters cannot do correctly, written per backend:
 * - an atomic insert-if-absent (keyv has no such operation), leases and fenced writes (leases.ts);
 * - a prefix scan in key order. The adapters' own iterators match with LIKE (where `_` and `%` are
 *   wildcards, and SQLite's LIKE ignores case, so namespace `a_b` would also list `aXb`), page with
 *   OFFSET (skipping rows when one is deleted mid-way), and @keyv/postgres swallows a failed page and
 *   simply ends the iteration, which would make an outage look like an empty list.
 *
 * Keys reaching a driver are already namespaced (`namespace:key`); values are already-encoded strings.
 */
export interface StoreDriver {
  readonly backend: StoreBackend;
  /** Reads only: every write goes through the driver's group commit. */
  readonly keyv: Keyv<string>;
  /** Creates or replaces; resolves once committed. */
  set(key: string, value: string): Promise<true>;
  /** Writes `value` under `key` unless the key exists; true when written. */
  insertIfAbsent(key: string, value: string): Promise<boolean>;
  /** Deletes the keys; resolves with how many existed. */
  delete(keys: readonly string[]): Promise<number>;
  /** Takes, renews or releases the lease at `key`, atomically against every other process (leases.ts). */
  lease(key: string, request: LeaseRequest): Promise<LeaseOutcome>;
  /** Writes unless the lease at `leaseKey` no longer has `token`; true when written. */
  setFenced(key: string, value: string, leaseKey: string, token: number): Promise<boolean>;
  /** How many writes and commits (syncs) the store has made since it was opened. */
  writeStats(): WriteStats;
  /** Opens connections and prepares statements that would otherwise wait for the first writes. */
  warmUp(): Promise<void>;
  /** Every `[key, value]` whose key starts with `prefix`, in ascending code point order. */
  scan(prefix: string): AsyncIterable<[string, string]>;
  close(): Promise<void>;
}

/** Rows read per query when scanning. */
export const SCAN_PAGE_SIZE = 500;

/**
 * Wraps an adapter in keyv as a plain string transport. The collections encode and decode values
 * themselves, so that a damaged row can be reported with its namespace and key, and so that
 * `insertIfAbsent` and `scan` (which bypass keyv) use exactly the same format.
 *
 * `throwOnErrors` is the point of this function: without it keyv turns a failed read into `undefined`
 * and a failed write into `false`, and a quiz tally would silently start again from zero.
 */
export function createTransportKeyv(
  adapter: KeyvStoreAdapter,
  log: Logger,
  backend: StoreBackend,
): Keyv<string> {
  const keyv = new Keyv<string>(adapter, {
    namespace: undefined,
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: (data) => data.value as string,
    deserialize: <Value>(raw: string) => ({ value: raw as Value }),
  });
  // Every failure that reaches a caller is also emitted here; the caller logs it with context.
  keyv.on('error', (err: unknown) => log.debug({ err, backend }, 'store backend error event'));
  return keyv;
}

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order (which is
 * UTF-8 byte order, the order of SQLite's BINARY and PostgreSQL's "C" collation). Undefined when no such
 * string exists (a prefix made only of U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (ch) => ch.codePointAt(0) ?? 0);
  while (codePoints.length > 0 && codePoints[codePoints.length - 1] === 0x10ffff) codePoints.pop();
  const last = codePoints.pop();
  if (last === undefined) return undefined;
  // Skip the surrogate range, which is not valid in UTF-8.
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return String.fromCodePoint(...codePoints, next);
}

/**
 * The SQL backends' prefix scan: pages of at most SCAN_PAGE_SIZE rows in key order, each page starting
 * after the last key of the one before (rather than at an OFFSET, which skips rows deleted mid-way).
 * `page` runs one query for keys from `after` (from `prefix` itself, inclusive, on the first page) up to
 * `upper` when there is one, in the backend's own SQL.
 */
export async function* scanInPages(
  prefix: string,
  page: (
    after: string | undefined,
    upper: string | undefined,
  ) => Promise<Array<{ key: string; value: string }>>,
): AsyncGenerator<[string, string]> {
  const upper = prefixUpperBound(prefix);
  let after: string | undefined;
  for (;;) {
    const rows = await page(after, upper);
    for (const row of rows) {
      if (row.key.startsWith(prefix)) yield [row.key, row.value];
    }
    if (rows.length < SCAN_PAGE_SIZE) return;
    after = rows[rows.length - 1]?.key;
  }
}

/** Orders strings by code point, like the SQL backends do, rather than by UTF-16 unit like `sort()`. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
