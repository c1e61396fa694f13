import type { AuditOutcome } from '../store/database-schema.ts';
import type { AuditCode } from './audit-codes.ts';

export type { AuditOutcome };

/** What a caller hands to the audit log. The log adds seq, time and the chain. */
export interface AuditEventInput {
  readonly code: AuditCode;
  /** Who acted: an email, `admin:<token id>`, `system:serve`, or `anonymous@<ip>`. */
  readonly actor: string;
  /** The resource concerned, if any (e.g. `demo`). */
  readonly resource?: string | null;
  /** Who or what was acted upon (a contractor email, a token id, an invite id). */
  readonly subject?: string | null;
  /** One readable sentence; it is full-text indexed. */
  readonly summary: string;
  /** Structured details; must be JSON-serialisable; never secrets. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An event as stored: immutable, chained. */
export interface AuditEvent {
  readonly seq: number;
  readonly ts: number;
  readonly code: string;
  readonly outcome: AuditOutcome;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Everything that records goes through this. `append` resolves only once the
 * event is durably committed; if it rejects, the caller must not perform (or
 * must report as failed) the action it describes: Stint fails closed.
 */
export interface AuditSink {
  append(event: AuditEventInput, options?: AppendOptions): Promise<AuditEvent>;
}

export interface AppendOptions {
  /**
   * For a record nothing waits on (a statement's outcome, written after the
   * fact): it joins the next commit someone else starts, or one started a few
   * milliseconds later, instead of starting a commit of its own. Still chained
   * and durable once the promise resolves.
   */
  readonly deferCommit?: boolean;
}
