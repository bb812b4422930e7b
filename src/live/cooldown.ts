import { type Clock, systemClock } from '../quiz/clock.js';

/**
 * The wait between two live questions by the same person. Kept in memory: after a restart nobody waits,
 * which costs at most one early question each; the daily budget, which guards the money, is stored.
 */
export type CooldownResult =
  | {
      ok: true;
      /** Gives the turn back (the question was refused before anything was asked). */
      release(): void;
    }
  | { ok: false; retryAt: number };

export class Cooldown {
  private readonly until = new Map<string, number>();

  constructor(
    readonly seconds: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Starts the person's wait and says ok, or says when they may ask again. Synchronous, so two commands at once cannot both pass. */
  take(userId: string): CooldownResult {
    const now = this.clock.now();
    const until = this.until.get(userId);
    if (until !== undefined && until > now) return { ok: false, retryAt: until };
    if (this.seconds === 0) return { ok: true, release: () => undefined };
    const mine = now + this.seconds * 1000;
    this.until.set(userId, mine);
    this.forgetExpired(now);
    return {
      ok: true,
      release: () => {
        if (this.until.get(userId) === mine) this.until.delete(userId);
      },
    };
  }

  private forgetExpired(now: number): void {
    // Bounded by the people who asked within one cooldown; swept on the way, no timer needed.
    for (const [userId, until] of this.until) if (until <= now) this.until.delete(userId);
  }
}
