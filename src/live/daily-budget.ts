import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import { type Clock, systemClock } from '../quiz/clock.js';
import { stableKey } from '../store/keys.js';
import type { Collection, Store } from '../store/types.js';

/**
 * What live questions may spend per scope (a Discord server) and UTC day, kept in the store so a restart
 * does not hand out a fresh budget. A question reserves what it will use before it is asked and settles
 * what it really used afterwards, under a per-scope lock, so commands running at once can never together
 * pass the request limit. Cost is only known once replies arrive: a reservation holds an estimate (the
 * model's last cost), so the first question of a priced model may take the day slightly past its limit.
 * One bot process owns the budget; two bots sharing a store would each enforce it on their own view.
 */

export interface DailyLimits {
  /** Model requests per day; 0 allows none. */
  requests: number;
  costUsd: number;
}

export const dailyUsageSchema = z.object({
  /** `YYYY-MM-DD`, UTC. */
  day: z.string(),
  requests: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type DailyUsage = z.infer<typeof dailyUsageSchema>;

export const DAILY_USAGE_NAMESPACE = 'live.daily-usage';

export interface Reservation {
  scope: string;
  day: string;
  requests: number;
  costUsd: number;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      /** Which limit is reached. */
      limit: 'requests' | 'cost';
      used: DailyUsage;
      limits: DailyLimits;
      /** Epoch ms of the next UTC midnight, when the budget starts again. */
      resetsAt: number;
    };

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function nextUtcMidnight(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

/** Rounds away float noise so that sums of small costs compare as people expect. */
const money = (usd: number) => Math.max(0, Math.round(usd * 1e9) / 1e9);

export class DailyBudget {
  private readonly usage: Collection<DailyUsage>;
  private readonly locks = new Map<string, LimitFunction>();

  constructor(
    store: Store,
    readonly limits: DailyLimits,
    private readonly clock: Clock = systemClock,
  ) {
    this.usage = store.collection(DAILY_USAGE_NAMESPACE, dailyUsageSchema);
  }

  /** What the scope has used today. */
  async today(scope: string): Promise<DailyUsage> {
    const day = utcDay(this.clock.now());
    return (await this.usage.get(stableKey([scope, day]))) ?? { day, requests: 0, costUsd: 0 };
  }

  reserve(scope: string, need: { requests: number; costUsd: number }): Promise<ReserveResult> {
    return this.locked(scope, async () => {
      const now = this.clock.now();
      const day = utcDay(now);
      const key = stableKey([scope, day]);
      const used = (await this.usage.get(key)) ?? { day, requests: 0, costUsd: 0 };
      const refuse = (limit: 'requests' | 'cost'): ReserveResult => ({
        ok: false,
        limit,
        used,
        limits: this.limits,
        resetsAt: nextUtcMidnight(now),
      });
      if (used.requests + need.requests > this.limits.requests) return refuse('requests');
      if (money(used.costUsd + need.costUsd) > this.limits.costUsd) return refuse('cost');
      await this.usage.set(key, {
        day,
        requests: used.requests + need.requests,
        costUsd: money(used.costUsd + need.costUsd),
      });
      return { ok: true, reservation: { scope, day, requests: need.requests, costUsd: need.costUsd } };
    });
  }

  /** Replaces a reservation by what was really used (nothing, when the question was never asked). */
  settle(reservation: Reservation, used: { requests: number; costUsd: number }): Promise<void> {
    return this.locked(reservation.scope, async () => {
      const key = stableKey([reservation.scope, reservation.day]);
      const current = (await this.usage.get(key)) ?? { day: reservation.day, requests: 0, costUsd: 0 };
      await this.usage.set(key, {
        day: reservation.day,
        requests: Math.max(0, current.requests - reservation.requests + used.requests),
        costUsd: money(current.costUsd - reservation.costUsd + used.costUsd),
      });
    });
  }

  private locked<T>(scope: string, work: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(scope);
    if (lock === undefined) {
      lock = pLimit(1);
      this.locks.set(scope, lock);
    }
    return lock(work);
  }
}
