import { StintError } from '../errors/stint-error.ts';
import { tryParseDuration } from '../time/duration.ts';

/** `--since 24h` means 24 hours ago; a date or ISO timestamp means that instant. Returns epoch ms. */
export function parsePastInstant(text: string, flag: string, now: number = Date.now()): number {
  const ago = tryParseDuration(text);
  if (ago !== undefined) return now - ago;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new StintError('STINT_ERR_BAD_DATE', `${flag} "${text}" is neither a duration (24h, 7d) nor a date or ISO timestamp.`);
  }
  return ms;
}
