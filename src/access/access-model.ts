/**
 * The inputs of the decision core, independent of how the policy files are
 * written: `policy/` compiles YAML into these shapes, `identity/` supplies
 * contractors, and later the request workflow supplies grants.
 */

/** Actions a grant can name. Protocols map what they see onto these. */
import type { ColumnMask } from '../masking/mask-rules.ts';

/**
 * Each action is a separate right: admin does not imply unsafe (nor ddl, write
 * or read); a role allows unsafe statements only by naming `unsafe`.
 */
export const ACTIONS = ['read', 'write', 'ddl', 'admin', 'unsafe'] as const;
export type Action = (typeof ACTIONS)[number];

export interface ResourceInfo {
  readonly name: string;
  readonly kind: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Selects resources by name, by labels (all must match), or both (either matches). */
export interface ResourceSelector {
  readonly names?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AccessRule {
  readonly resources: ResourceSelector;
  readonly actions: readonly Action[];
  /**
   * Table patterns (`schema.table` or `schema.*`, lower-case) the rule's
   * actions are limited to; absent means every table. See table-scope.ts.
   */
  readonly tables?: readonly string[];
  /** Columns contractors under this rule see masked (grant rules only); see docs/masking.md. */
  readonly mask?: readonly ColumnMask[];
}

/** Statement shapes a guardrail can block outright, whatever grants the action. */
export const BLOCKABLE_STATEMENTS = ['delete_without_where', 'update_without_where', 'truncate'] as const;
export type BlockableStatement = (typeof BLOCKABLE_STATEMENTS)[number];

/**
 * A rule that holds for every contractor on the resources it selects,
 * whatever their roles say: guardrails beat roles.
 */
export interface GuardrailRule {
  readonly resources: ResourceSelector;
  /** Statement classes refused outright. */
  readonly deny: readonly Action[];
  /** Classes allowed only through an approved time-bound grant, never through a role. */
  readonly requireApproval: readonly Action[];
  readonly block: readonly BlockableStatement[];
  /** The longest a statement may run (ms), enforced as the session's statement_timeout; absent when not set. */
  readonly statementTimeoutMs?: number;
  /** The most rows one result may return; absent when not set. */
  readonly maxRows?: number;
}

export interface RoleInfo {
  readonly name: string;
  readonly grants: readonly AccessRule[];
  /** Deny rules beat every allow, from this role or any other. */
  readonly denies: readonly AccessRule[];
  /** Longest a single session under this role may last, in ms; null = no limit beyond the others. */
  readonly maxSessionMs: number | null;
}

export interface ContractorInfo {
  readonly email: string;
  readonly roles: readonly string[];
  /** Engagement end, exclusive, ms since the epoch. */
  readonly untilAt: number;
  readonly status: 'active' | 'offboarded';
}

/** A time-bound grant from an approved request (the request workflow fills this in later). */
export interface GrantInfo {
  readonly id: string;
  readonly email: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly startsAt: number;
  readonly expiresAt: number;
}

export interface AccessModel {
  readonly resources: readonly ResourceInfo[];
  readonly roles: readonly RoleInfo[];
  readonly contractors: readonly ContractorInfo[];
  readonly grants: readonly GrantInfo[];
  /** Guardrails in policy order; their position (from 1) names them in refusals. */
  readonly guardrails?: readonly GuardrailRule[];
  /** settings.masking.hash_key_env: where the gateway finds the key of hash masks. */
  readonly maskingHashKeyEnv?: string;
}
