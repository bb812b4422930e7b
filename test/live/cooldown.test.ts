import { describe, expect, it } from 'vitest';
import { Cooldown } from '../../src/live/cooldown.js';

function clockAt(start: number) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

describe('the live-question cooldown', () => {
  it('refuses a second question within the cooldown and says when the next one is allowed', () => {
    const clock = clockAt(1_000_000);
    const cooldown = new Cooldown(30, clock);
    expect(cooldown.take('ana').ok).toBe(true);
    clock.ms += 10_000;
    expect(cooldown.take('ana')).toEqual({ ok: false, retryAt: 1_030_000 });
  });

  it('lets the person ask again once the cooldown is over', () => {
    const clock = clockAt(0);
    const cooldown = new Cooldown(30, clock);
    cooldown.take('ana');
    clock.ms = 30_000;
    expect(cooldown.take('ana').ok).toBe(true);
  });

  it('keeps each person on their own clock', () => {
    const cooldown = new Cooldown(30, clockAt(0));
    expect(cooldown.take('ana').ok).toBe(true);
    expect(cooldown.take('ben').ok).toBe(true);
  });

  it('gives the turn back when a taken question is released', () => {
    const cooldown = new Cooldown(30, clockAt(0));
    const first = cooldown.take('ana');
    if (!first.ok) throw new Error('first question refused');
    first.release();
    expect(cooldown.take('ana').ok).toBe(true);
  });

  it('never makes anyone wait with a cooldown of 0 seconds', () => {
    const cooldown = new Cooldown(0, clockAt(0));
    expect(cooldown.take('ana').ok).toBe(true);
    expect(cooldown.take('ana').ok).toBe(true);
  });
});
