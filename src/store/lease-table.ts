import { runStoreCall, StoreCollection, storedKeyIn } from './collection.js';
import type { StoreDriver } from './driver.js';
import { type LeaseOutcome, type LeaseState, leaseStateSchema } from './leases.js';
import type { Fence, Leases } from './types.js';

/** One namespace of leases (see leases.ts): rows `namespace:key` holding `{"value": LeaseState}`. */
export class StoreLeases implements Leases {
  private readonly rows: StoreCollection<LeaseState>;

  constructor(
    private readonly driver: StoreDriver,
    readonly namespace: string,
    private readonly isClosed: () => boolean,
  ) {
    this.rows = new StoreCollection(driver, namespace, leaseStateSchema, isClosed);
  }

  acquire(key: string, owner: string, ttlMs: number, now: number): Promise<LeaseOutcome> {
    checkTiming(ttlMs, now);
    return this.run('acquire lease', key, () =>
      this.driver.lease(this.storedKey(key), { action: 'acquire', owner, ttlMs, now }),
    );
  }

  renew(
    key: string,
    held: Pick<LeaseState, 'owner' | 'token'>,
    ttlMs: number,
    now: number,
  ): Promise<LeaseOutcome> {
    checkTiming(ttlMs, now);
    return this.run('renew lease', key, () =>
      this.driver.lease(this.storedKey(key), {
        action: 'renew',
        owner: held.owner,
        token: held.token,
        ttlMs,
        now,
      }),
    );
  }

  release(key: string, held: Pick<LeaseState, 'owner' | 'token'>): Promise<LeaseOutcome> {
    return this.run('release lease', key, () =>
      this.driver.lease(this.storedKey(key), { action: 'release', owner: held.owner, token: held.token }),
    );
  }

  get(key: string): Promise<LeaseState | undefined> {
    return this.rows.get(key);
  }

  entries(prefix?: string): AsyncIterable<[string, LeaseState]> {
    return this.rows.entries(prefix);
  }

  delete(key: string): Promise<boolean> {
    return this.rows.delete(key);
  }

  fence(key: string, token: number): Fence {
    return { leaseKey: this.storedKey(key), token };
  }

  private storedKey(key: string): string {
    return storedKeyIn('leases', this.namespace, key);
  }

  private run<R>(operation: string, key: string, call: () => Promise<R>): Promise<R> {
    return runStoreCall(this.driver.backend, this.isClosed, operation, this.namespace, key, call);
  }
}

function checkTiming(ttlMs: number, now: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`A lease's ttl must be a positive whole number of ms (got ${ttlMs})`);
  if (!Number.isSafeInteger(now) || now < 0)
    throw new RangeError(`A lease's "now" must be epoch ms (got ${now})`);
}
