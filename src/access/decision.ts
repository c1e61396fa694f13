/**
 * Decisions are data: the gateway acts on `allow` and `expiresAt`, the audit
 * log records `reason`, and the contractor reads `message`.
 */
import type { MaskSet } from '../masking/mask-rules.ts';

/**
 * Every reason a decision can carry, with what it means. The audit log stores
 * the code, so codes are stable: append new ones, never rename or reuse one.
 */
export const REASON_CODES = {
  ALLOW_ROLE: { allow: true, description: 'A role the contractor holds grants the action on the resource.' },
  ALLOW_GRANT: { allow: true, description: 'An approved time-bound grant covers the action on the resource now.' },
  DENY_NO_GRANT: { allow: false, description: 'Nothing grants the action on the resource (the default).' },
  DENY_RULE: { allow: false, description: 'A deny rule of one of the contractor’s roles names the action on the resource.' },
  DENY_UNKNOWN_RESOURCE: { allow: false, description: 'No resource of that name is declared in the policy.' },
  DENY_UNKNOWN_SUBJECT: { allow: false, description: 'No contractor with that email is on record.' },
  DENY_OFFBOARDED: { allow: false, description: 'The contractor has been offboarded.' },
  DENY_ENGAGEMENT_ENDED: { allow: false, description: 'The contractor’s engagement has ended.' },
  DENY_TOKEN_EXPIRED: { allow: false, description: 'The token presented has expired.' },
  DENY_SESSION_EXPIRED: { allow: false, description: 'The session reached the longest duration its roles allow (max_session).' },
  DENY_TABLE_SCOPE: { allow: false, description: 'The statement touches a table outside the tables every rule granting its action is limited to.' },
  DENY_GUARDRAIL_READ: { allow: false, description: 'A guardrail on the resource denies read statements whatever the roles say.' },
  DENY_GUARDRAIL_WRITE: { allow: false, description: 'A guardrail on the resource denies write statements whatever the roles say.' },
  DENY_GUARDRAIL_DDL: { allow: false, description: 'A guardrail on the resource denies DDL statements whatever the roles say.' },
  DENY_GUARDRAIL_ADMIN: { allow: false, description: 'A guardrail on the resource denies admin statements whatever the roles say.' },
  DENY_GUARDRAIL_BLOCK: { allow: false, description: 'A guardrail blocks this kind of statement (DELETE or UPDATE without WHERE, TRUNCATE).' },
  DENY_GUARDRAIL_APPROVAL: { allow: false, description: 'A guardrail allows the action only through an approved access request, and no approved grant covers it now.' },
  DENY_UNSAFE: { allow: false, description: 'The statement is unsafe (server files or shell, other servers or sessions, server-wide configuration, code Stint cannot inspect) and no role or grant names unsafe.' },
  DENY_GUARDRAIL_UNSAFE: { allow: false, description: 'A guardrail on the resource denies unsafe statements whatever the roles say.' },
  DENY_GUARDRAIL_STATEMENT_TIMEOUT: { allow: false, description: 'The statement would raise or turn off the statement_timeout a guardrail sets on the resource.' },
  DENY_READ_ONLY_SESSION: { allow: false, description: 'The session holds no write access and runs read-only; the statement would turn read-only off.' },
  DENY_MASKED_COLUMN: { allow: false, description: 'The statement uses a column masked for the contractor other than as a plain output column (in a filter, sort, expression, whole-row reference, RETURNING, or a copy elsewhere).' },
} as const satisfies Record<string, { allow: boolean; description: string }>;

export type ReasonCode = keyof typeof REASON_CODES;

export const REASON_CODE_LIST = Object.keys(REASON_CODES) as ReasonCode[];

/**
 * Mask the listed columns of a table (`schema.table`, or `*` for a column
 * masked in every table) in results. `set` is every mask of the contractor on
 * the resource, shared by the obligations of one decision, for the gateway
 * to look columns up in by name.
 */
export interface MaskObligation {
  readonly kind: 'mask';
  readonly table: string;
  readonly columns: readonly string[];
  readonly set?: MaskSet;
}

/** Cut every result at `limit` rows (guardrail max_rows; `guardrail` is its number, which names it to the contractor). */
export interface RowLimitObligation {
  readonly kind: 'max_rows';
  readonly limit: number;
  readonly guardrail: number;
}

/** Something the gateway must do when it carries out an allowed action. New kinds join this union. */
export type Obligation = MaskObligation | RowLimitObligation;

export interface Decision {
  readonly allow: boolean;
  readonly reason: ReasonCode;
  /** One clear sentence for the contractor: what happened and what to do next. */
  readonly message: string;
  readonly obligations: readonly Obligation[];
  /** When an allow stops holding (ms since the epoch), so the session can be cut on time; null on a deny. */
  readonly expiresAt: number | null;
}

/** Shared by every decision without obligations, so deciding allocates nothing for it. */
export const NO_OBLIGATIONS: readonly Obligation[] = Object.freeze([]);
