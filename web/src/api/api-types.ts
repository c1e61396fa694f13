/**
 * Shapes the console reads, as the server's routes return them. Older
 * endpoints return epoch milliseconds; the console endpoints ISO strings
 * (`Instant` accepts both; read with toMillis).
 */
import type { Instant } from '../time/instant.ts';

export type ApiRole = 'admin' | 'approver' | 'auditor' | 'contractor';
export type Action = 'read' | 'write' | 'ddl' | 'admin';
export const ACTIONS: readonly Action[] = ['read', 'write', 'ddl', 'admin'];

export interface Principal {
  readonly kind: 'contractor' | 'staff' | 'admin';
  readonly email: string;
  readonly tokenId: string;
  readonly tokenExpiresAt: Instant | null;
  readonly apiRoles: readonly ApiRole[];
}

export interface Contractor {
  readonly email: string;
  readonly name: string;
  readonly company: string;
  readonly sponsor: string;
  readonly roles: readonly string[];
  readonly untilAt: Instant;
  readonly source: 'files' | 'api';
  readonly status: 'active' | 'offboarded';
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
  readonly offboardedAt: Instant | null;
}

export interface CreatedInvite {
  readonly id: string;
  readonly code: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly untilAt: Instant;
  readonly expiresAt: Instant;
  readonly url: string;
}

export interface Invite {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly untilAt: Instant;
  readonly expiresAt: Instant;
  readonly createdAt: Instant;
  readonly createdBy: string;
  readonly status: 'pending' | 'accepted' | 'expired' | 'revoked';
}

export interface AcceptedInvite {
  readonly email: string;
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAt: Instant | null;
  readonly untilAt: Instant;
  readonly roles: readonly string[];
}

export interface TokenRecord {
  readonly id: string;
  readonly subject?: string;
  readonly label: string | null;
  readonly createdAt: Instant;
  readonly expiresAt: Instant | null;
  readonly lastUsedAt?: Instant | null;
}

export interface Approval {
  readonly approver: string;
  readonly at: Instant;
  readonly durationMs: number;
}

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';

export interface AccessRequest {
  readonly id: string;
  readonly requester: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly tables: readonly string[];
  readonly durationMs: number;
  readonly reason: string | null;
  readonly status: RequestStatus;
  readonly createdAt: Instant;
  readonly expiresAt: Instant;
  readonly decidedAt: Instant | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly grantId: string | null;
  readonly approvals: readonly Approval[];
  readonly minApprovals: number | null;
  readonly approvers: readonly string[];
}

export interface Grant {
  readonly id: string;
  readonly email: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly tables: readonly string[];
  readonly requestId: string | null;
  readonly startsAt: Instant;
  readonly expiresAt: Instant;
  readonly status?: 'active' | 'expired' | 'revoked';
}

export interface Session {
  readonly id: string;
  readonly node?: string;
  readonly protocol: string;
  readonly contractor: string;
  readonly resource: string;
  readonly clientAddress?: string;
  readonly tls?: boolean;
  readonly startedAt: Instant;
  readonly expiresAt: Instant | null;
  readonly endedAt: Instant | null;
  readonly endReason: string | null;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly statements?: number;
}

export interface SessionStatement {
  readonly at: Instant;
  readonly text: string;
  readonly decision: 'allowed' | 'denied';
  /** The decision's reason code (ALLOW_ROLE, DENY_GUARDRAIL_DDL, ...). */
  readonly reason?: string;
  /** The refusal or database error as the client was told. */
  readonly message?: string;
  readonly rows?: number;
  readonly durationMs?: number;
  /** The database reported an error for an allowed statement. */
  readonly failed?: boolean;
}

/** `GET /v1/sessions/:id`: the session, with `statements` as the list read from the audit log. */
export interface SessionDetail extends Omit<Session, 'statements'> {
  readonly statements: readonly SessionStatement[];
  readonly statementCount?: number;
  /** More statements were run than listed; the audit search has them all. */
  readonly statementsTruncated?: boolean;
}

export interface AuditEvent {
  readonly seq: number;
  readonly ts: Instant;
  readonly code: string;
  readonly outcome: string;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prevHash?: string;
  readonly hash?: string;
}

export interface AuditPage {
  readonly events: readonly AuditEvent[];
  readonly nextCursor: string | null;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly lastSeq: number;
  readonly checkpoints: number;
  readonly lastCheckpointSeq: number | null;
  readonly firstBadSeq: number | null;
  readonly problems: readonly { readonly seq: number; readonly kind: string; readonly message: string }[];
  readonly omittedProblems: number;
  readonly keys: 'trusted' | 'stored';
}

export interface AccessReportRow {
  readonly contractor: string;
  readonly name: string;
  readonly company: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly via: string;
  readonly grantId: string | null;
  readonly until: Instant;
  readonly engagementEnd: Instant;
  readonly lastUsedAt: Instant | null;
  readonly masks: string;
  readonly guardrails: string;
  readonly flags: readonly string[];
}

export interface OffboardReport {
  readonly email: string;
  readonly alreadyOffboarded: boolean;
  readonly revoked: {
    readonly tokens: readonly string[];
    readonly grants: readonly string[];
    readonly requests: readonly string[];
    readonly invites: readonly string[];
    readonly sessionsEnded: readonly string[];
    readonly sessionsKillRequested: readonly string[];
  };
}

export interface Overview {
  readonly contractors: { readonly active: number; readonly invited: number; readonly endingSoon: number };
  readonly sessions: { readonly live: number };
  readonly requests: { readonly pending: number };
  readonly endingSoon: readonly { readonly kind: 'engagement' | 'grant' | 'token'; readonly email: string; readonly resource?: string; readonly endsAt: Instant }[];
  readonly recentDenials: readonly AuditEvent[];
}

export type MatrixVia = { readonly kind: 'role'; readonly name: string } | { readonly kind: 'grant'; readonly id: string; readonly expiresAt: Instant };

export interface ResourceSelector {
  readonly names?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface MatrixRule {
  readonly effect: 'allow' | 'deny';
  readonly resources: ResourceSelector;
  readonly actions: readonly string[];
  readonly tables?: readonly string[];
}

export interface Guardrail {
  readonly number: number;
  readonly resources: ResourceSelector;
  readonly deny: readonly string[];
  readonly requireApproval: readonly string[];
  readonly block: readonly string[];
  readonly statementTimeoutMs?: number;
  readonly maxRows?: number;
}

export interface AccessMatrix {
  readonly resources: readonly { readonly name: string; readonly kind: string; readonly labels: Readonly<Record<string, string>> }[];
  readonly roles: readonly { readonly name: string; readonly description?: string; readonly maxSessionMs?: number | null; readonly rules: readonly MatrixRule[] }[];
  readonly guardrails: readonly Guardrail[];
  readonly rows: readonly {
    readonly email: string;
    readonly resource: string;
    readonly actions: readonly string[];
    readonly tables?: readonly string[];
    readonly masks: readonly string[];
    readonly guardrails: readonly number[];
    readonly via: readonly MatrixVia[];
    readonly expiresAt: Instant | null;
  }[];
  readonly policy: { readonly digest: string; readonly version?: number; readonly appliedAt: Instant; readonly appliedBy: string; readonly drift: 'none' | 'drift' | 'unknown'; readonly driftSummary?: readonly string[] };
}

export interface Connection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: string;
  readonly uri: string;
  readonly psql: string;
}

/** One action a contractor holds on a resource: what allows it and until when. */
export interface MyAccess {
  readonly action: string;
  /** A role of the policy, or a grant from an approved request. */
  readonly via: 'role' | 'grant';
  readonly grantId?: string;
  /** Already capped by the engagement's and the token's end. */
  readonly expiresAt: Instant;
}

export interface MyResource {
  readonly name: string;
  readonly kind: string;
  readonly actions: readonly string[];
  /** When the last of `access` ends. */
  readonly expiresAt: Instant | null;
  readonly access: readonly MyAccess[];
  /** Null for resources this server does not listen for (only PostgreSQL today). */
  readonly connection: Connection | null;
}

export interface Me {
  readonly email: string;
  readonly name?: string;
  readonly company?: string;
  readonly engagementEndsAt: Instant;
  readonly tokenExpiresAt?: Instant | null;
  /** Where to download the gateway's CA certificate for sslmode=verify-full; null when it has none. */
  readonly caUrl?: string | null;
  readonly resources: readonly MyResource[];
  readonly grants: readonly Grant[];
  readonly requests: readonly AccessRequest[];
  readonly sessions: readonly Session[];
}

/** A page of a console list endpoint. */
export interface Paged<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface LiveEvent {
  readonly type: string;
  readonly at: Instant;
  readonly id?: string;
  readonly email?: string;
  readonly resource?: string;
}
