import { type Clock, type Scheduler, systemClock, systemScheduler } from './clock.js';

export interface Throttled<A extends unknown[]> {
  /** Asks for an update; the latest arguments win. */
  call(...args: A): void;
  /** Runs a waiting trailing update now (e.g. just before the round's reveal replaces the message). */
  flush(): Promise<void>;
  /** Drops a waiting update (e.g. the message was deleted). */
  cancel(): void;
}

export interface ThrottleOptions {
  clock?: Clock;
  scheduler?: Scheduler;
  /** Where errors of `fn` go; a failed update must not stop later ones. */
  onError?: (err: unknown) => void;
}

/**
 * Coalesces bursts of updates (such as "N answered" after each click) into at most one run of `fn` per
 * `intervalMs`: the first call runs at once, calls during the interval are merged, and the last one always
 * runs when the interval ends (trailing edge), so the final count is never lost. Runs never overlap: a slow
 * `fn` (a rate-limited message edit) delays the next run instead of racing it. p-throttle queues every call,
 * which is the opposite of what live counters need, hence this small helper.
 */
export function throttleLatest<A extends unknown[]>(
  fn: (...args: A) => unknown,
  intervalMs: number,
  options: ThrottleOptions = {},
): Throttled<A> {
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  let lastRunAt = Number.NEGATIVE_INFINITY;
  let pending: { args: A } | null = null;
  let timer: { cancel(): void } | null = null;
  let running: Promise<void> = Promise.resolve();

  const run = (args: A): Promise<void> => {
    lastRunAt = clock.now();
    running = running.then(async () => {
      try {
        await fn(...args);
      } catch (err) {
        options.onError?.(err);
      }
    });
    return running;
  };

  const fire = (): Promise<void> => {
    timer = null;
    if (pending === null) return running;
    const { args } = pending;
    pending = null;
    return run(args);
  };

  return {
    call(...args: A) {
      pending = { args };
      if (timer !== null) return;
      const wait = lastRunAt + intervalMs - clock.now();
      if (wait <= 0) {
        void fire();
      } else {
        timer = scheduler.schedule(() => void fire(), wait);
      }
    },
    flush() {
      timer?.cancel();
      return fire();
    },
    cancel() {
      timer?.cancel();
      timer = null;
      pending = null;
    },
  };
}
