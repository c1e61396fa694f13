import { StintError } from '../errors/stint-error.ts';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an engagement end. A bare date means "through that day, UTC": access
 * ends at the next midnight UTC, so `until: 2027-03-31` still works on the 31st.
 * Timestamps must carry a zone so nobody's local time decides an expiry.
 */
export function tryParseEndInstant(text: string): number | undefined {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    const start = Date.UTC(Number(y), Number(m) - 1, Number(d));
    const check = new Date(start);
    if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(m) - 1 || check.getUTCDate() !== Number(d)) {
      return undefined;
    }
    return start + 86_400_000;
  }
  if (!DATE_TIME_WITH_ZONE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseEndInstant(text: string, what = 'date'): number {
  const ms = tryParseEndInstant(text);
  if (ms === undefined) {
    throw new StintError('STINT_ERR_BAD_DATE', `The ${what} "${text}" is not a date; write YYYY-MM-DD or an ISO 8601 timestamp with a zone.`);
  }
  return ms;
}

export function isoString(ms: number): string {
  return new Date(ms).toISOString();
}
