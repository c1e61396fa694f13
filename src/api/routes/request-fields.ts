import { z } from 'zod';
import { tryParseDuration } from '../../time/duration.ts';
import { tryParseEndInstant } from '../../time/instant.ts';

/** A duration like 30m or 72h, parsed into milliseconds with a clear message when unreadable. */
export const DurationField = z.string().transform((text, ctx) => {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write e.g. 30m, 8h, 72h or 90d` });
    return z.NEVER;
  }
  return ms;
});

/** An end date (YYYY-MM-DD = through that day, UTC) or ISO timestamp with a zone, into ms. */
export const EndDateField = z.string().transform((text, ctx) => {
  const ms = tryParseEndInstant(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date; write YYYY-MM-DD or an ISO 8601 timestamp with a zone` });
    return z.NEVER;
  }
  return ms;
});

/** An instant for filters: epoch milliseconds or an ISO 8601 timestamp. */
export const InstantField = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an instant; send epoch milliseconds or an ISO 8601 timestamp` });
    return z.NEVER;
  }
  return ms;
});

export const EmailField = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be an email address' }));
