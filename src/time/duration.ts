import { StintError } from '../errors/stint-error.ts';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const PART = /(\d+)(ms|s|m|h|d|w)/gy;

/** Parses `30m`, `8h`, `1h30m`, `90d`, `2w` into milliseconds; returns undefined when unreadable. */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(trimmed); match !== null; match = PART.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
    consumed = PART.lastIndex;
  }
  if (consumed !== trimmed.length || total <= 0 || !Number.isSafeInteger(total)) return undefined;
  return total;
}

export function parseDuration(text: string, what = 'duration'): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw new StintError('STINT_ERR_BAD_DURATION', `The ${what} "${text}" is not a duration; write e.g. 30m, 8h, 72h or 90d.`);
  }
  return ms;
}

/** Renders milliseconds the way people write durations: 90d, 8h, 1h30m, 45s. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = ms;
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join('') : `${ms}ms`;
}
