import type { RowLimitObligation } from '../../access/decision.ts';
import type { AuditEventInput } from '../../audit/audit-event.ts';
import type { SessionAuditContext } from './postgres-session-audit.ts';
import { commandComplete, noticeResponse, parseCommandTag } from './postgres-wire.ts';

/**
 * The max_rows guardrail on the way back: rows past the limit are dropped
 * (the server still produces them; the client never sees them), the
 * contractor is told in a NoticeResponse just before CommandComplete, and the
 * tag counts the rows actually sent ("SELECT 10000", not what the server
 * produced), so a client's row count matches the rows it received.
 *
 * A portal run in pieces (Execute with a row count) shares one count across
 * its pieces, so fetching in batches does not get round the limit; so does a
 * cursor across FETCHes, until it is closed or the transaction ends.
 */

export class RowLimiter {
  readonly limit: RowLimitObligation;
  sent = 0;
  dropped = 0;

  constructor(limit: RowLimitObligation, alreadySent = 0) {
    this.limit = limit;
    this.sent = alreadySent;
  }

  /** Whether one more row may go to the client; counts it either way. */
  admit(): boolean {
    if (this.sent < this.limit.limit) {
      this.sent++;
      return true;
    }
    this.dropped++;
    return false;
  }

  /** The notice and the truthful CommandComplete that replace the server's, when rows were cut. */
  completion(tag: string, sentHere: number): Buffer {
    return Buffer.concat([rowLimitNotice(this.limit), commandComplete(truthfulTag(tag, sentHere))]);
  }
}

export function rowLimitNotice(limit: RowLimitObligation): Buffer {
  return noticeResponse({
    severity: 'WARNING',
    code: '01000',
    message: `the result was cut at ${limit.limit} rows by guardrail #${limit.guardrail} (max_rows)`,
    detail: 'Rows past the limit were not sent; the command tag counts the rows that were.',
    hint: 'Add a LIMIT (and ORDER BY) or narrower WHERE clause to get the rows you need, or ask your sponsor for an export.',
  });
}

/** The tag with its row count replaced by the rows sent: "SELECT 12000" → "SELECT 10000", "COPY 5" → "COPY 3". */
export function truthfulTag(tag: string, sent: number): string {
  const { rows } = parseCommandTag(tag);
  if (rows === null) return tag;
  return tag.replace(/\d+$/, String(sent));
}

export function rowsCutEvent(ctx: SessionAuditContext, command: string, limiter: RowLimiter, sentHere: number): AuditEventInput {
  const { limit, guardrail } = limiter.limit;
  return {
    code: 'STATEMENT_ROWS_CUT',
    actor: ctx.email,
    resource: ctx.resource,
    subject: ctx.sessionId,
    summary: `${command} on ${ctx.resource} by ${ctx.email} was cut at ${limit} rows by guardrail #${guardrail}; ${limiter.dropped} rows were not sent.`,
    data: { session: ctx.sessionId, command, limit, guardrail, rowsSent: sentHere, rowsSentTotal: limiter.sent, rowsDropped: limiter.dropped },
  };
}
