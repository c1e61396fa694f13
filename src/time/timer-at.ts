import type { Clock } from './clock.ts';

/** Node's setTimeout holds at most 2^31-1 ms (~24.8 days); longer delays fire after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface ScheduledTimer {
  cancel(): void;
}

/**
 * Runs `fire` once when `clock.now()` reaches `at`, however far away that is:
 * long delays re-arm in steps below the setTimeout limit, and a timer that wakes
 * early (clock skew, a test clock) re-arms instead of firing. Timers are unref'd
 * so a pending expiry never keeps a process alive.
 */
export function scheduleAt(clock: Clock, at: number, fire: () => void): ScheduledTimer {
  let handle: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = (): void => {
    if (cancelled) return;
    const delay = at - clock.now();
    if (delay <= 0) {
      fire();
      return;
    }
    handle = setTimeout(arm, Math.min(delay, MAX_TIMER_DELAY_MS));
    handle.unref();
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      if (handle !== undefined) clearTimeout(handle);
    },
  };
}
