import { z } from 'zod';

/**
 * Leases with fencing tokens: how several processes on one store agree on who drives a thing (a quiz
 * session) without a coordinator. A lease names its owner and when it expires; whoever finds it free or
 * expired may take it, and each new owner gets a token one greater than the last. Writes that must only
 * come from the current owner carry the token (`Collection.setFenced`) and are refused once another
 * owner has taken over, so a process that was paused past its lease (a long GC, a frozen VM, a network
 * partition) cannot overwrite what its successor wrote, whatever the clocks say.
 *
 * Expiry is decided with the time the caller passes (`now`, from its injected clock), so clocks of
 * different machines should roughly agree: skew only moves the moment a takeover is allowed, never lets a
 * stale owner write, because that is what the token is for.
 */

export interface LeaseState {
  owner: string;
  /** Grows by one with every new owner; never reused for the same key. */
  token: number;
  /** Epoch milliseconds; 0 once released. */
  expiresAt: number;
}

export const leaseStateSchema: z.ZodType<LeaseState> = z.object({
  owner: z.string().min(1),
  token: z.number().int().positive(),
  expiresAt: z.number().int().nonnegative(),
});

export type LeaseRequest =
  | { action: 'acquire'; owner: string; ttlMs: number; now: number }
  | { action: 'renew'; owner: string; token: number; ttlMs: number; now: number }
  | { action: 'release'; owner: string; token: number };

export interface LeaseOutcome {
  /** Whether the request was granted. */
  granted: boolean;
  /** The lease as stored after the request: the caller's when granted, else the current holder's (null: none). */
  lease: LeaseState | null;
}

export interface LeaseDecision extends LeaseOutcome {
  /** What to store, when anything changes. */
  write: LeaseState | null;
}

/**
 * The rules of a lease, in one place: the SQL backends run this inside a transaction that has locked the
 * row, and the Redis backend runs the same rules as a Lua script (redis-lease-scripts.ts), which a test
 * checks against this function.
 */
export function decideLease(current: LeaseState | null, request: LeaseRequest): LeaseDecision {
  const refuse = (): LeaseDecision => ({ granted: false, lease: current, write: null });
  const grant = (next: LeaseState): LeaseDecision => ({ granted: true, lease: next, write: next });
  switch (request.action) {
    case 'acquire': {
      const expiresAt = request.now + request.ttlMs;
      if (current === null) return grant({ owner: request.owner, token: 1, expiresAt });
      // Asking again for a lease one still holds (a retry after a lost reply) keeps its token.
      if (current.owner === request.owner && current.expiresAt > request.now) {
        return grant({ ...current, expiresAt });
      }
      if (current.expiresAt > request.now) return refuse();
      return grant({ owner: request.owner, token: current.token + 1, expiresAt });
    }
    case 'renew':
      // An expired lease nobody has taken yet may still be renewed: its token is unchanged, so nothing
      // anyone else wrote can be overwritten.
      if (current === null || current.owner !== request.owner || current.token !== request.token) {
        return refuse();
      }
      return grant({ ...current, expiresAt: request.now + request.ttlMs });
    case 'release':
      if (current === null || current.owner !== request.owner || current.token !== request.token) {
        return refuse();
      }
      return grant({ ...current, expiresAt: 0 });
  }
}

/** A lease as stored: the same `{"value": …}` envelope as every collection value, so it reads with any tool. */
export function encodeLease(lease: LeaseState): string {
  return JSON.stringify({ value: lease });
}

/** Reads a stored lease row; damaged rows throw, naming the key, rather than being treated as free. */
export function decodeLease(storedKey: string, raw: string | null | undefined): LeaseState | null {
  if (raw === null || raw === undefined) return null;
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw);
  } catch (err) {
    throw new Error(`lease ${storedKey}: the stored row is not JSON`, { cause: err });
  }
  const parsed = z.object({ value: leaseStateSchema }).safeParse(envelope);
  if (!parsed.success) throw new Error(`lease ${storedKey}: the stored row is not a lease`);
  return parsed.data.value;
}

/** The token a fenced write must match, read from the lease row (null: no lease, so no write). */
export function tokenOf(storedKey: string, raw: string | null | undefined): number | null {
  return decodeLease(storedKey, raw)?.token ?? null;
}
