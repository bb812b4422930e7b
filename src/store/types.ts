import type { ZodType } from 'zod';
import type { WriteStats } from './group-commit.js';
import type { LeaseOutcome, LeaseState } from './leases.js';

export type { LeaseOutcome, LeaseState, WriteStats };

export type StoreBackend = 'sqlite' | 'redis' | 'postgres';

/**
 * A named group of JSON values inside a store. Two collections never see each other's keys, even when
 * the keys are equal. Every write has reached the backend (SQLite commit, Redis reply, PostgreSQL
 * statement) before its promise resolves, and every failure of the backend is thrown, never turned into
 * `undefined` or `false`.
 *
 * Concurrent writes share commits (group commit: one transaction and disk sync per batch on SQLite and
 * PostgreSQL, one pipeline on Redis); each still resolves only once its batch is committed.
 *
 * Values are JSON: strings, finite numbers, booleans, null, arrays and plain objects. Dates, Maps, Sets,
 * class instances, `undefined` array items, NaN and Infinity are refused on write; store dates as ISO
 * strings. Object properties whose value is `undefined` are dropped, as JSON.stringify does.
 */
export interface Collection<T> {
  readonly namespace: string;
  /** The stored value, or `undefined` when the key is absent. Throws when the value fails the schema. */
  get(key: string): Promise<T | undefined>;
  /** Creates or replaces the value. */
  set(key: string, value: T): Promise<void>;
  /**
   * Writes the value only when the key is absent and tells whether it did. Atomic against every other
   * writer of the same database on all three backends (one SQL statement or Redis `SET NX`).
   */
  setIfAbsent(key: string, value: T): Promise<boolean>;
  /**
   * Writes the value only while the lease `fence` was taken from still carries its token (nobody has
   * taken the lease over since), atomically against every other process; true when written. A false is
   * final: this process no longer owns what the lease guards.
   */
  setFenced(key: string, value: T, fence: Fence): Promise<boolean>;
  /** Removes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  /** Values in the order of `keys`, `undefined` where a key is absent. */
  getMany(keys: readonly string[]): Promise<Array<T | undefined>>;
  /**
   * Every entry whose key starts with `prefix` (all entries without one), in ascending key order
   * (Unicode code point order); the prefix is literal (no wildcards). SQLite and PostgreSQL read pages of
   * 500 rows by key; Redis first collects the matching keys with SCAN, then reads values 500 at a time.
   * An entry present for the whole iteration is returned exactly once; one written or deleted meanwhile
   * may or may not appear.
   */
  entries(prefix?: string): AsyncIterable<[key: string, value: T]>;
  /** Deletes every entry of this collection and returns how many there were. */
  clear(): Promise<number>;
}

/** What a fenced write must match: a lease row and the token its owner was given (`Leases.fence`). */
export interface Fence {
  readonly leaseKey: string;
  readonly token: number;
}

/**
 * Leases with fencing tokens, in one namespace (see leases.ts): which process drives a thing, for how
 * long, and a token that grows with every new owner. Every operation is atomic against every other
 * process using the same database.
 */
export interface Leases {
  readonly namespace: string;
  /** Takes the lease when nobody holds it or its holder's time ran out (`now` >= `expiresAt`). */
  acquire(key: string, owner: string, ttlMs: number, now: number): Promise<LeaseOutcome>;
  /** Extends a lease still held with this token; refused once someone else has taken it. */
  renew(
    key: string,
    held: Pick<LeaseState, 'owner' | 'token'>,
    ttlMs: number,
    now: number,
  ): Promise<LeaseOutcome>;
  /** Gives the lease up (it expires at once; its token stays, so the next owner's is greater). */
  release(key: string, held: Pick<LeaseState, 'owner' | 'token'>): Promise<LeaseOutcome>;
  get(key: string): Promise<LeaseState | undefined>;
  entries(prefix?: string): AsyncIterable<[key: string, lease: LeaseState]>;
  /** Deletes the lease row, for when what it guarded is deleted too (its token history goes with it). */
  delete(key: string): Promise<boolean>;
  /** The fence for writes made under the lease `key` with `token`. */
  fence(key: string, token: number): Fence;
}

export interface Store {
  readonly backend: StoreBackend;
  /** The store URL with any password replaced, safe to log or print. */
  readonly redactedUrl: string;
  /**
   * The collection named `namespace` (letters, digits, `_`, `.` and `-`; at most 64 characters). With a
   * schema, every value read is validated and a mismatch throws an error naming the namespace and key;
   * every value written is validated first too.
   */
  collection<T>(namespace: string, schema?: ZodType<T>): Collection<T>;
  /** The leases of `namespace` (the same naming rules; a namespace is either a collection or leases). */
  leases(namespace: string): Leases;
  /** Writes and commits made through this store since it was opened (a commit is one disk sync on SQL). */
  writeStats(): WriteStats;
  /**
   * Gets the store ready for a burst before a server says it is ready: PostgreSQL opens its pool's
   * connections and prepares the write statements on each, Redis answers a PING, SQLite (whose statements
   * are prepared when it opens) checks its writing connection. Writes nothing.
   */
  warmUp(): Promise<void>;
  /** Closes the connection. Safe to call twice; any later operation throws. */
  close(): Promise<void>;
}
