/** Wall-clock time in epoch milliseconds; injected so that tests decide what "now" is. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A timer facility (setTimeout's shape), injected where a helper must wait, so tests can drive it by hand. */
export interface Scheduler {
  schedule(callback: () => void, delayMs: number): { cancel(): void };
}

export const systemScheduler: Scheduler = {
  schedule(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};
