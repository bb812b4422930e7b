import type { ZodType } from 'zod';
import type { StoreDriver } from './driver.js';
import { StoreClosedError, StoreOperationError, StoreValueError } from './errors.js';
import { findNonJson } from './json-value.js';
import type { Collection, Fence, StoreBackend } from './types.js';

/** Letters, digits, `_`, `.`, `-`: never `:`, which separates the namespace from the key. */
const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** @keyv/postgres declares `key VARCHAR(255)`; the same limit applies everywhere so data can move. */
export const MAX_STORED_KEY_LENGTH = 255;

export function assertNamespace(namespace: string): void {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new TypeError(
      `Store namespace ${JSON.stringify(namespace)} is invalid: use 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
}

/**
 * One namespace of a store. Keys are stored as `namespace:key`; values as `{"value": <JSON>}`, the
 * envelope keyv itself uses, so the rows stay readable with psql, sqlite3 or redis-cli.
 */
export class StoreCollection<T> implements Collection<T> {
  constructor(
    private readonly driver: StoreDriver,
    readonly namespace: string,
    private readonly schema: ZodType<T> | undefined,
    private readonly isClosed: () => boolean,
  ) {
    assertNamespace(namespace);
  }

  async get(key: string): Promise<T | undefined> {
    const stored = this.storedKey(key);
    const raw = await this.run('get', key, () => this.driver.keyv.get(stored));
    return raw === undefined ? undefined : this.decode(key, raw);
  }

  async set(key: string, value: T): Promise<void> {
    const stored = this.storedKey(key);
    const raw = this.encode(key, value);
    await this.run('set', key, () => this.driver.set(stored, raw));
  }

  async setIfAbsent(key: string, value: T): Promise<boolean> {
    const stored = this.storedKey(key);
    const raw = this.encode(key, value);
    return this.run('setIfAbsent', key, () => this.driver.insertIfAbsent(stored, raw));
  }

  async setFenced(key: string, value: T, fence: Fence): Promise<boolean> {
    const stored = this.storedKey(key);
    const raw = this.encode(key, value);
    return this.run('setFenced', key, () => this.driver.setFenced(stored, raw, fence.leaseKey, fence.token));
  }

  async delete(key: string): Promise<boolean> {
    const stored = this.storedKey(key);
    return (await this.run('delete', key, () => this.driver.delete([stored]))) > 0;
  }

  async has(key: string): Promise<boolean> {
    const stored = this.storedKey(key);
    return this.run('has', key, () => this.driver.keyv.has(stored));
  }

  async getMany(keys: readonly string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const stored = keys.map((key) => this.storedKey(key));
    const raws = await this.run('getMany', undefined, () => this.driver.keyv.getMany(stored));
    return keys.map((key, index) => {
      const raw = raws[index];
      return raw === undefined || raw === null ? undefined : this.decode(key, raw);
    });
  }

  async *entries(prefix = ''): AsyncIterable<[string, T]> {
    const storedPrefix = this.storedPrefix(prefix);
    const rows = this.driver.scan(storedPrefix)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await this.run('entries', undefined, () => rows.next());
        if (next.done) return;
        const [storedKey, raw] = next.value;
        const key = storedKey.slice(this.namespace.length + 1);
        yield [key, this.decode(key, raw)];
      }
    } finally {
      await rows.return?.();
    }
  }

  async clear(): Promise<number> {
    const stored: string[] = [];
    for await (const [key] of this.rawKeys()) stored.push(key);
    for (let start = 0; start < stored.length; start += 500) {
      const chunk = stored.slice(start, start + 500);
      await this.run('clear', undefined, () => this.driver.delete(chunk));
    }
    return stored.length;
  }

  private async *rawKeys(): AsyncIterable<[string, string]> {
    const rows = this.driver.scan(this.storedPrefix(''))[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.run('clear', undefined, () => rows.next());
      if (next.done) return;
      yield next.value;
    }
  }

  private storedKey(key: string): string {
    return storedKeyIn('collection', this.namespace, key);
  }

  private storedPrefix(prefix: string): string {
    if (typeof prefix !== 'string') {
      throw new TypeError(`Store collection "${this.namespace}": an entries() prefix must be a string`);
    }
    return withinLimit('collection', this.namespace, `${this.namespace}:${prefix}`, prefix);
  }

  private encode(key: string, value: T): string {
    const problem = findNonJson(value);
    if (problem !== undefined)
      throw new StoreValueError(this.namespace, key, `cannot store a value that is not JSON: ${problem}`);
    if (this.schema !== undefined) {
      const checked = this.schema.safeParse(value);
      if (!checked.success) {
        throw new StoreValueError(
          this.namespace,
          key,
          `value to store does not match the schema: ${summarise(checked.error)}`,
          {
            cause: checked.error,
          },
        );
      }
    }
    return JSON.stringify({ value });
  }

  private decode(key: string, raw: unknown): T {
    if (typeof raw !== 'string')
      throw new StoreValueError(this.namespace, key, `stored row is a ${typeof raw}, not text`);
    let envelope: unknown;
    try {
      envelope = JSON.parse(raw);
    } catch (err) {
      throw new StoreValueError(this.namespace, key, 'stored row is not valid JSON', { cause: err });
    }
    if (typeof envelope !== 'object' || envelope === null || !('value' in envelope)) {
      throw new StoreValueError(this.namespace, key, 'stored row has no "value" field');
    }
    const value: unknown = envelope.value;
    if (this.schema === undefined) return value as T;
    const checked = this.schema.safeParse(value);
    if (!checked.success) {
      throw new StoreValueError(
        this.namespace,
        key,
        `stored value does not match the schema: ${summarise(checked.error)}`,
        {
          cause: checked.error,
        },
      );
    }
    return checked.data;
  }

  private run<R>(operation: string, key: string | undefined, call: () => Promise<R>): Promise<R> {
    return runStoreCall(this.driver.backend, this.isClosed, operation, this.namespace, key, call);
  }
}

/** `namespace:key`, checked: a non-empty key, within the length every backend accepts. */
export function storedKeyIn(kind: 'collection' | 'leases', namespace: string, key: string): string {
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`Store ${kind} "${namespace}": keys must be non-empty strings`);
  }
  return withinLimit(kind, namespace, `${namespace}:${key}`, key);
}

function withinLimit(kind: 'collection' | 'leases', namespace: string, stored: string, key: string): string {
  if (stored.length > MAX_STORED_KEY_LENGTH) {
    throw new RangeError(
      `Store ${kind} "${namespace}": key "${key.slice(0, 40)}…" is ${key.length} characters; ` +
        `namespace and key together may be at most ${MAX_STORED_KEY_LENGTH - 1} (hash long parts with hashKey)`,
    );
  }
  return stored;
}

/** Runs a backend call, turning any failure into a StoreOperationError that names what was being done. */
export async function runStoreCall<R>(
  backend: StoreBackend,
  isClosed: () => boolean,
  operation: string,
  namespace: string,
  key: string | undefined,
  call: () => Promise<R>,
): Promise<R> {
  if (isClosed()) throw new StoreClosedError(backend);
  try {
    return await call();
  } catch (err) {
    throw new StoreOperationError(backend, operation, namespace, key, { cause: err });
  }
}

function summarise(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}): string {
  return error.issues
    .slice(0, 5)
    .map(
      (issue) =>
        `${issue.path.length === 0 ? '(value)' : issue.path.map(String).join('.')}: ${issue.message}`,
    )
    .join('; ');
}
