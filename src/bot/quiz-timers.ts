import { type Scheduler, systemScheduler } from '../quiz/clock.js';

/**
 * One timer per channel: while a question is open it waits for the deadline, after the reveal for the
 * pause before the next question. Arming replaces the channel's previous timer, so a channel can never
 * have two pending transitions; `clearAll` on shutdown leaves nothing behind to keep the process alive.
 */
export class ChannelTimers {
  private readonly timers = new Map<string, { cancel(): void }>();

  constructor(private readonly scheduler: Scheduler = systemScheduler) {}

  arm(channelId: string, delayMs: number, fire: () => void): void {
    this.clear(channelId);
    const handle = this.scheduler.schedule(
      () => {
        if (this.timers.get(channelId) === handle) this.timers.delete(channelId);
        fire();
      },
      // setTimeout fires at once for delays beyond 2^31 - 1 ms; nothing here waits that long anyway.
      Math.min(Math.max(0, delayMs), 2 ** 31 - 1),
    );
    this.timers.set(channelId, handle);
  }

  clear(channelId: string): void {
    this.timers.get(channelId)?.cancel();
    this.timers.delete(channelId);
  }

  clearAll(): void {
    for (const handle of this.timers.values()) handle.cancel();
    this.timers.clear();
  }

  has(channelId: string): boolean {
    return this.timers.has(channelId);
  }
}
