/**
 * What the request workflow hands out: requests with their approvals, and
 * grants, as plain read-only values (the API returns them as they are).
 */
import type { Action } from '../access/access-model.ts';
import type { ApiRoleName } from '../identity/principal.ts';
import type { GrantEventView, RequestEventView } from '../events/event-bus.ts';
import type { AccessRequestStatus } from '../store/database-schema.ts';

export type { AccessRequestStatus };

/** Who is asking: an authenticated principal (a Principal fits). */
export interface Actor {
  readonly email: string;
  readonly apiRoles: readonly ApiRoleName[];
}

export interface ApprovalView {
  readonly approver: string;
  readonly at: number;
  /** What this approver agreed to: the requested duration, or shorter. */
  readonly durationMs: number;
}

/** A request as the workflow hands it out: what events carry, plus its state and approvals. */
export interface AccessRequestView extends RequestEventView {
  readonly status: AccessRequestStatus;
  readonly decidedAt: number | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly grantId: string | null;
  readonly approvals: readonly ApprovalView[];
  /** Approvals needed under the rule in force now; null when no rule covers the request any more. */
  readonly minApprovals: number | null;
  /** Who may approve it under the rule in force now (never the requester). */
  readonly approvers: readonly string[];
}

export type GrantStatus = 'active' | 'expired' | 'revoked';

export interface GrantView extends GrantEventView {
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  readonly revokedReason: string | null;
  readonly status: GrantStatus;
}

export interface CreateRequestInput {
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly tables?: readonly string[];
  readonly durationMs: number;
  readonly reason?: string;
}

/** What approving did: the request as it now stands, and the grant when this approval completed it. */
export interface ApproveResult {
  readonly request: AccessRequestView;
  readonly grant: GrantView | null;
}
