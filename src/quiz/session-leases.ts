import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Fence, LeaseState, Leases, Store } from '../store/types.js';
import type { Clock } from './clock.js';

/**
 * Which quiz sessions this process drives. Every live session has a lease in the store (leases.ts): the
 * process holding it runs the session's timers, reveals and messages, renews it while alive, and writes
 * the session's state with the lease's fencing token, so once another process has taken a session over,
 * a write from the old owner is refused instead of undoing the new owner's work. A process started by
 * mistake on the same store finds every live session leased and takes over nothing until a lease expires.
 */

export interface OwnershipSettings {
  /** This process's name in leases; unique per process (host, pid and a random part by default). */
  owner: string;
  /** How long a lease lasts without renewal: how long a dead process's sessions wait to be taken over. */
  ttlMs: number;
  /**
   * The store serves this process alone (SQLite, which never has two processes driving quizzes): the
   * owner name is the same in every run, so a restarted process picks up its sessions at once instead of
   * waiting for the leases its killed predecessor left.
   */
  exclusive: boolean;
}

export const DEFAULT_LEASE_TTL_MS = 15_000;

export function defaultOwnership(store: Store, ttlMs: number = DEFAULT_LEASE_TTL_MS): OwnershipSettings {
  const exclusive = store.backend === 'sqlite';
  return {
    owner: exclusive ? 'sqlite-single-process' : processOwnerName(),
    ttlMs,
    exclusive,
  };
}

/** `host:pid:random`: readable in the store and the logs, and never the same for two processes. */
export function processOwnerName(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export type Claim = { ok: true; token: number } | { ok: false; holder: LeaseState | null };

export class SessionLeases {
  private readonly leases: Leases;
  /** Session id → the token this process holds. */
  private readonly held = new Map<string, number>();

  constructor(
    store: Store,
    readonly settings: OwnershipSettings,
    private readonly clock: Clock,
  ) {
    this.leases = store.leases('quiz.leases');
  }

  get owner(): string {
    return this.settings.owner;
  }

  holds(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  heldSessions(): string[] {
    return [...this.held.keys()];
  }

  /** Takes the session's lease when it is free or expired (or already ours). */
  async claim(sessionId: string): Promise<Claim> {
    const outcome = await this.leases.acquire(sessionId, this.owner, this.settings.ttlMs, this.clock.now());
    if (!outcome.granted || outcome.lease === null) return { ok: false, holder: outcome.lease };
    this.held.set(sessionId, outcome.lease.token);
    return { ok: true, token: outcome.lease.token };
  }

  /** The fence for the session's writes; throws when this process does not hold it (a bug in the caller). */
  fence(sessionId: string): Fence {
    const token = this.held.get(sessionId);
    if (token === undefined) throw new Error(`quiz: session ${sessionId} is not leased by this process`);
    return this.leases.fence(sessionId, token);
  }

  /** Forgets the lease without telling the store (it was lost to another process). */
  drop(sessionId: string): void {
    this.held.delete(sessionId);
  }

  /** Gives the lease up, so another process may take the session at once. */
  async release(sessionId: string): Promise<void> {
    const token = this.held.get(sessionId);
    if (token === undefined) return;
    this.held.delete(sessionId);
    await this.leases.release(sessionId, { owner: this.owner, token });
  }

  /** Renews every lease held; returns the sessions whose lease another process has taken meanwhile. */
  async renewAll(): Promise<string[]> {
    const lost: string[] = [];
    const now = this.clock.now();
    await Promise.all(
      [...this.held].map(async ([sessionId, token]) => {
        const outcome = await this.leases.renew(
          sessionId,
          { owner: this.owner, token },
          this.settings.ttlMs,
          now,
        );
        if (!outcome.granted && this.held.get(sessionId) === token) {
          this.held.delete(sessionId);
          lost.push(sessionId);
        }
      }),
    );
    return lost;
  }

  /** The session's lease when someone else holds it and it has not expired; null otherwise. */
  async heldElsewhere(sessionId: string): Promise<LeaseState | null> {
    if (this.held.has(sessionId)) return null;
    const lease = await this.leases.get(sessionId);
    if (lease === undefined || lease.owner === this.owner || lease.expiresAt <= this.clock.now()) return null;
    return lease;
  }

  /** Deletes the lease rows of sessions whose records are deleted (forget, retention). */
  async forget(sessionId: string): Promise<void> {
    this.held.delete(sessionId);
    await this.leases.delete(sessionId);
  }
}
