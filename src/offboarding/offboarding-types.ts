import type { AccessVia } from '../access/access-index.ts';
import type { Action } from '../access/access-model.ts';
import type { ContractorSource } from '../store/database-schema.ts';

/** Why a contractor is being offboarded. */
export const OFFBOARD_CAUSES = ['manual', 'engagement_ended', 'policy_removed'] as const;
export type OffboardCause = (typeof OFFBOARD_CAUSES)[number];

export interface OffboardOptions {
  /** Who offboards: an email, `admin:<token id>`, or `system:…` for the engagement timer. */
  readonly by: string;
  /** Why, in words; shown to the contractor's clients and recorded. */
  readonly reason?: string;
  readonly cause: OffboardCause;
}

/** A resource the contractor could reach just before offboarding, and through what. */
export interface HeldAccess {
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly via: readonly AccessVia[];
}

export interface HeldToken {
  readonly id: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface HeldGrant {
  readonly id: string;
  readonly resource: string;
  readonly actions: readonly string[];
  readonly startsAt: number;
  readonly expiresAt: number;
  readonly requestId: string | null;
}

export interface HeldInvite {
  readonly id: string;
  readonly roles: readonly string[];
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAt: number;
}

export interface HeldRequest {
  readonly id: string;
  readonly resource: string;
  readonly actions: readonly string[];
  readonly createdAt: number;
}

/** What the contractor had when offboarding began. */
export interface OffboardingHoldings {
  readonly roles: readonly string[];
  readonly access: readonly HeldAccess[];
  readonly tokens: readonly HeldToken[];
  readonly grants: readonly HeldGrant[];
  readonly pendingRequests: readonly HeldRequest[];
  readonly invites: readonly HeldInvite[];
}

export interface RecentStatement {
  readonly ts: number;
  readonly resource: string | null;
  readonly session: string | null;
  /** STATEMENT_ALLOWED or STATEMENT_DENIED. */
  readonly code: string;
  /** The statement text as recorded (capped), or the event summary when no text was recorded. */
  readonly text: string;
}

/** What the contractor did during the engagement, from the sessions table and the audit log. */
export interface OffboardingActivity {
  readonly sessions: {
    readonly count: number;
    readonly firstAt: number | null;
    readonly lastAt: number | null;
    readonly statements: number;
    readonly resources: readonly string[];
  };
  /** Audit events with the contractor as actor, by code. */
  readonly auditCounts: Readonly<Record<string, number>>;
  /** The most recent statements, newest first. */
  readonly lastStatements: readonly RecentStatement[];
}

/** What offboarding took away. Ids only; the holdings say what each was. */
export interface OffboardingRevocations {
  readonly tokens: readonly string[];
  readonly grants: readonly string[];
  readonly requests: readonly string[];
  readonly invites: readonly string[];
  /** Sessions on this node, ended at once. */
  readonly sessionsEnded: readonly string[];
  /** Sessions on other nodes, asked to end through the store (they end within a poll interval). */
  readonly sessionsKillRequested: readonly string[];
}

export interface OffboardingReport {
  readonly email: string;
  readonly cause: OffboardCause;
  readonly by: string;
  readonly reason: string;
  /** True when the contractor was offboarded before this call: nothing more was revoked. */
  readonly alreadyOffboarded: boolean;
  readonly offboardedAt: number;
  readonly contractor: {
    readonly name: string;
    readonly company: string;
    readonly sponsor: string;
    readonly source: ContractorSource;
    readonly createdAt: number;
    readonly untilAt: number;
  };
  readonly had: OffboardingHoldings;
  readonly did: OffboardingActivity;
  readonly revoked: OffboardingRevocations;
}

export const NO_REVOCATIONS: OffboardingRevocations = Object.freeze({
  tokens: [],
  grants: [],
  requests: [],
  invites: [],
  sessionsEnded: [],
  sessionsKillRequested: [],
});
