/**
 * Decisions are data: the gateway acts on `allow` and `expiresAt`, the audit
 * log records `reason`, and the contractor reads `message`.
 */

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
} as const satisfies Record<string, { allow: boolean; description: string }>;

export type ReasonCode = keyof typeof REASON_CODES;

export const REASON_CODE_LIST = Object.keys(REASON_CODES) as ReasonCode[];

/**
 * Hide the listed columns of a table from results. Declared so the shape of an
 * obligation is settled; the decision core emits none yet.
 */
export interface MaskObligation {
  readonly kind: 'mask';
  readonly table: string;
  readonly columns: readonly string[];
}

/** Something the gateway must do when it carries out an allowed action. New kinds join this union. */
export type Obligation = MaskObligation;

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
