import type { Clock } from '../time/clock.ts';
import { scheduleAt, type ScheduledTimer } from '../time/timer-at.ts';

/** One exact timer per id (a pending request, a grant): scheduling again replaces it. */
export class KeyedTimers {
  readonly #clock: Clock;
  readonly #timers = new Map<string, { at: number; timer: ScheduledTimer }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  schedule(id: string, at: number, fire: () => void): void {
    const existing = this.#timers.get(id);
    if (existing?.at === at) return;
    existing?.timer.cancel();
    // Registered before arming: an instant already past fires at once, and firing removes the entry.
    const entry = { at, timer: { cancel: () => undefined } as ScheduledTimer };
    this.#timers.set(id, entry);
    entry.timer = scheduleAt(this.#clock, at, () => {
      if (this.#timers.get(id) === entry) this.#timers.delete(id);
      fire();
    });
  }

  cancel(id: string): void {
    this.#timers.get(id)?.timer.cancel();
    this.#timers.delete(id);
  }

  has(id: string): boolean {
    return this.#timers.has(id);
  }

  clear(): void {
    for (const { timer } of this.#timers.values()) timer.cancel();
    this.#timers.clear();
  }
}
