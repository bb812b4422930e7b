import type { Clock, Scheduler } from './clock.js';

/**
 * The one place quiz rounds are timed: at most one pending step per room (the deadline's reveal while a
 * round is open, the advance after a reveal's pause), on the injected clock and scheduler so tests move
 * time by hand. Arming replaces the room's previous step, so a room never has two transitions pending.
 * The step itself is run by the engine, which checks that the round it was armed for is still current.
 */
export class RoundScheduler {
  private readonly pending = new Map<string, { at: number; handle: { cancel(): void } }>();

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
  ) {}

  /** Runs `step` at epoch ms `at` (at once when it has passed), replacing the room's earlier step. */
  arm(roomId: string, at: number, step: () => void): void {
    this.clear(roomId);
    // setTimeout fires at once for delays beyond 2^31 - 1 ms; no quiz step waits that long.
    const delay = Math.min(Math.max(0, at - this.clock.now()), 2 ** 31 - 1);
    const entry = {
      at,
      handle: this.scheduler.schedule(() => {
        if (this.pending.get(roomId) === entry) this.pending.delete(roomId);
        step();
      }, delay),
    };
    this.pending.set(roomId, entry);
  }

  clear(roomId: string): void {
    this.pending.get(roomId)?.handle.cancel();
    this.pending.delete(roomId);
  }

  clearAll(): void {
    for (const entry of this.pending.values()) entry.handle.cancel();
    this.pending.clear();
  }

  /** When the room's next step runs, or null. */
  armedAt(roomId: string): number | null {
    return this.pending.get(roomId)?.at ?? null;
  }
}
