/**
 * The API speaks two time forms: older endpoints return epoch milliseconds,
 * newer ones ISO-8601 UTC strings. Everything in the console goes through
 * here so both read the same.
 */
export type Instant = number | string;

/** Milliseconds since the epoch, or null when absent or unreadable. */
export function toMillis(value: Instant | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

const absoluteFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A readable date and time in the viewer's own zone. */
export function formatAbsolute(ms: number, precise = false): string {
  return (precise ? preciseFormat : absoluteFormat).format(new Date(ms));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A span as people say it: "2 d 3 h", "3 h 12 min", "12 min 5 s", "40 s".
 * Two units at most, so a countdown stays short on a phone.
 */
export function formatSpan(ms: number): string {
  const span = Math.max(0, Math.floor(ms / 1000) * 1000);
  if (span >= DAY) {
    const days = Math.floor(span / DAY);
    const hours = Math.floor((span % DAY) / HOUR);
    return hours === 0 ? `${days} d` : `${days} d ${hours} h`;
  }
  if (span >= HOUR) {
    const hours = Math.floor(span / HOUR);
    const minutes = Math.floor((span % HOUR) / MINUTE);
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  if (span >= MINUTE) {
    const minutes = Math.floor(span / MINUTE);
    const seconds = Math.floor((span % MINUTE) / 1000);
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  return `${Math.floor(span / 1000)} s`;
}

/**
 * "in 3 h 12 min" / "5 min ago" relative to `now`. Whole minutes past the first
 * minute: these labels refresh every 30 s, so seconds would be stale.
 */
export function formatRelative(ms: number, now: number): string {
  const delta = ms - now;
  const size = Math.abs(delta);
  if (size < 1000) return 'just now';
  const shown = size < MINUTE ? size : Math.floor(size / MINUTE) * MINUTE;
  return delta > 0 ? `in ${formatSpan(shown)}` : `${formatSpan(shown)} ago`;
}
