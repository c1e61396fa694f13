import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.ts';
import { MAX_TIMER_DELAY_MS, scheduleAt } from './timer-at.ts';

describe('scheduleAt', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a 90-day expiry at the instant, not after 1 ms', () => {
    const fired: number[] = [];
    const at = Date.now() + 90 * 86_400_000;
    scheduleAt(systemClock, at, () => fired.push(Date.now()));
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(at - Date.now() - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([at]);
  });

  it('fires at once for an instant already past, and never after cancel', () => {
    const past = vi.fn();
    scheduleAt(systemClock, Date.now() - 5, past);
    expect(past).toHaveBeenCalledTimes(1);
    const later = vi.fn();
    scheduleAt(systemClock, Date.now() + 1000, later).cancel();
    vi.advanceTimersByTime(2000);
    expect(later).not.toHaveBeenCalled();
  });

  it('re-arms instead of firing when the clock is behind the instant', () => {
    let now = Date.now();
    const clock = { now: () => now };
    const fire = vi.fn();
    scheduleAt(clock, now + 1000, fire);
    vi.advanceTimersByTime(1000);
    expect(fire).not.toHaveBeenCalled();
    now += 1000;
    vi.advanceTimersByTime(999);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });
});
