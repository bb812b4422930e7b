import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/quiz/clock.js';
import { throttleLatest } from '../../src/quiz/throttle.js';
import { ManualClock } from './harness.js';

/** A scheduler driven by the test: `advance` moves the clock and runs what fell due. */
class ManualScheduler implements Scheduler {
  private readonly timers: Array<{ at: number; run: () => void; cancelled: boolean }> = [];
  constructor(private readonly clock: ManualClock) {}
  schedule(run: () => void, delayMs: number) {
    const timer = { at: this.clock.now() + delayMs, run, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }
  async advance(ms: number) {
    this.clock.advance(ms);
    for (const t of this.timers.splice(0)) {
      if (t.cancelled) continue;
      if (t.at <= this.clock.now()) t.run();
      else this.timers.push(t);
    }
    // Let the throttled function's promise chain run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  get waiting() {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

function setup(intervalMs = 1_000) {
  const clock = new ManualClock(0);
  const scheduler = new ManualScheduler(clock);
  const seen: number[] = [];
  const throttled = throttleLatest((n: number) => void seen.push(n), intervalMs, { clock, scheduler });
  return { clock, scheduler, seen, throttled };
}

describe('throttleLatest', () => {
  it('runs the first update at once and merges a burst into one trailing update with the latest value', async () => {
    const { scheduler, seen, throttled } = setup();
    for (let n = 1; n <= 50; n++) throttled.call(n);
    await scheduler.advance(0);
    expect(seen).toEqual([1]);
    await scheduler.advance(999);
    expect(seen).toEqual([1]);
    await scheduler.advance(1);
    expect(seen).toEqual([1, 50]);
  });

  it('runs at most once per interval under a steady stream', async () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const runs: Array<[at: number, value: number]> = [];
    const throttled = throttleLatest((n: number) => void runs.push([clock.now(), n]), 1_000, {
      clock,
      scheduler,
    });
    for (let t = 0; t < 5_000; t += 100) {
      throttled.call(t);
      await scheduler.advance(0);
      await scheduler.advance(100);
    }
    await scheduler.advance(1_000);
    // One run per second, each with the latest value asked for before it.
    expect(runs).toEqual([
      [0, 0],
      [1000, 900],
      [2000, 1900],
      [3000, 2900],
      [4000, 3900],
      [5000, 4900],
    ]);
  });

  it('runs again at once after a quiet interval', async () => {
    const { scheduler, seen, throttled } = setup();
    throttled.call(1);
    await scheduler.advance(5_000);
    throttled.call(2);
    await scheduler.advance(0);
    expect(seen).toEqual([1, 2]);
    expect(scheduler.waiting).toBe(0);
  });

  it('flushes a waiting update immediately and cancels one that is no longer wanted', async () => {
    const { scheduler, seen, throttled } = setup();
    throttled.call(1);
    throttled.call(2);
    await throttled.flush();
    expect(seen).toEqual([1, 2]);
    throttled.call(3);
    throttled.cancel();
    await scheduler.advance(5_000);
    expect(seen).toEqual([1, 2]);
  });

  it('never overlaps runs of a slow update and keeps going after one fails', async () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const log: string[] = [];
    const errors: unknown[] = [];
    let release: () => void = () => undefined;
    const throttled = throttleLatest(
      async (n: number) => {
        log.push(`start ${n}`);
        if (n === 1) await new Promise<void>((r) => (release = r));
        if (n === 2) throw new Error('edit failed');
        log.push(`end ${n}`);
      },
      100,
      { clock, scheduler, onError: (e) => errors.push(e) },
    );
    throttled.call(1);
    await scheduler.advance(0);
    throttled.call(2);
    await scheduler.advance(100);
    expect(log).toEqual(['start 1']);
    release();
    await scheduler.advance(0);
    throttled.call(3);
    await scheduler.advance(100);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'start 3', 'end 3']);
    expect(errors).toHaveLength(1);
  });
});
