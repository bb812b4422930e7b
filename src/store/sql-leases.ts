import {
  decideLease,
  decodeLease,
  encodeLease,
  type LeaseOutcome,
  type LeaseRequest,
  tokenOf,
} from './leases.js';

/**
 * Leases and fenced writes on the SQL backends, inside the transaction of a group-committed batch. The
 * backend supplies row access with the locking it needs: PostgreSQL reads the lease row `FOR UPDATE`
 * (taking a lease) or `FOR SHARE` (checking a token before a fenced write), so a takeover waits for a
 * fenced write in flight and a fenced write after a takeover sees the new token; SQLite's `BEGIN
 * IMMEDIATE` already gives the whole transaction to one writer.
 */
export interface LeaseRows {
  read(key: string, lock: 'update' | 'share'): Promise<string | null>;
  /** Inserts unless the key exists (someone created the row meanwhile); true when inserted. */
  insert(key: string, value: string): Promise<boolean>;
  /** Creates or replaces. */
  write(key: string, value: string): Promise<void>;
}

export async function leaseInTransaction(
  rows: LeaseRows,
  key: string,
  request: LeaseRequest,
): Promise<LeaseOutcome> {
  // A second round only when another process created the row between our read and our insert.
  for (let attempt = 0; attempt < 2; attempt++) {
    const raw = await rows.read(key, 'update');
    const decision = decideLease(decodeLease(key, raw), request);
    if (decision.write !== null) {
      if (raw === null) {
        if (!(await rows.insert(key, encodeLease(decision.write)))) continue;
      } else {
        await rows.write(key, encodeLease(decision.write));
      }
    }
    return { granted: decision.granted, lease: decision.lease };
  }
  throw new Error(`lease ${key}: the row kept changing while it was being taken`);
}

export async function fencedSetInTransaction(
  rows: LeaseRows,
  key: string,
  value: string,
  leaseKey: string,
  token: number,
): Promise<boolean> {
  if (tokenOf(leaseKey, await rows.read(leaseKey, 'share')) !== token) return false;
  await rows.write(key, value);
  return true;
}
