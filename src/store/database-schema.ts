/**
 * Row shapes of every table, shared by both engines. Instants are integer
 * milliseconds since the epoch (bigint on PostgreSQL, read back as numbers by
 * the store), JSON is stored as text, booleans are nullable instants.
 */
import type { Generated } from 'kysely';

export interface MetaTable {
  key: string;
  value: string;
}

export interface PolicyVersionsTable {
  id: Generated<number>;
  digest: string;
  applied_at: number;
  applied_by: string;
  /** The validated policy document as JSON (secret references only, never values). */
  document: string;
  /** The files it came from: JSON array of { path, content }. */
  files: string;
}

export type ContractorSource = 'files' | 'api';
export type ContractorStatus = 'active' | 'offboarded';

export interface ContractorsTable {
  email: string;
  name: string;
  company: string;
  sponsor: string;
  /** JSON array of role names. */
  roles: string;
  until_at: number;
  source: ContractorSource;
  status: ContractorStatus;
  created_at: number;
  updated_at: number;
  offboarded_at: number | null;
}

export type TokenSubjectKind = 'contractor' | 'staff' | 'admin';

export interface TokensTable {
  id: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  hash: string;
  subject: string;
  subject_kind: TokenSubjectKind;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  last_used_at: number | null;
  label: string | null;
}

export interface InvitesTable {
  id: string;
  /** SHA-256 (hex) of the invite code. */
  code_hash: string;
  email: string;
  /** JSON array of role names. */
  roles: string;
  until_at: number;
  expires_at: number;
  created_at: number;
  created_by: string;
  accepted_at: number | null;
  revoked_at: number | null;
}

export type AuditOutcome = 'success' | 'failure';

export interface AuditEventsTable {
  seq: number;
  ts: number;
  code: string;
  outcome: AuditOutcome;
  actor: string;
  resource: string | null;
  subject: string | null;
  summary: string;
  /** Canonical JSON of the event's structured data. */
  data: string;
  prev_hash: string;
  hash: string;
}

/** A single row (id = 1) holding the chain head; locking it serialises appends across nodes. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditCheckpointsTable {
  seq: number;
  hash: string;
  ts: number;
  key_id: string;
  public_key: string;
  signature: string;
}

export type SessionEndReason =
  | 'client_closed'
  | 'expired'
  | 'killed'
  | 'token_revoked'
  | 'access_lost'
  | 'upstream_closed'
  | 'protocol_error'
  | 'server_shutdown'
  /** The database reported read-only turned off in a session the gateway holds read-only. */
  | 'read_only_lost';

export interface SessionsTable {
  id: string;
  /** The gateway process holding the session. */
  node: string;
  protocol: string;
  contractor: string;
  resource: string;
  client_address: string;
  /** 1 when the client connection is TLS. */
  tls: number;
  token_id: string;
  started_at: number;
  expires_at: number | null;
  ended_at: number | null;
  end_reason: SessionEndReason | null;
  bytes_in: number;
  bytes_out: number;
  statements: number;
  kill_requested_at: number | null;
  kill_requested_by: string | null;
  kill_reason: string | null;
}

export type AccessRequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';

/** A contractor's request for more access for a while (`stint request`). */
export interface AccessRequestsTable {
  /** `req_…` */
  id: string;
  requester: string;
  resource: string;
  /** JSON array of actions. */
  actions: string;
  /** JSON array of the tables the requester named (context for approvers; may be empty). */
  tables: string;
  duration_ms: number;
  reason: string | null;
  status: AccessRequestStatus;
  created_at: number;
  /** When the request lapses if it is still pending. */
  expires_at: number;
  decided_at: number | null;
  /** Who approved (the approval that completed it), denied or cancelled; `system:…` for an expiry. */
  decided_by: string | null;
  decision_reason: string | null;
  grant_id: string | null;
}

/** One approver's approval of a request; the primary key makes a second approval by the same person impossible. */
export interface RequestApprovalsTable {
  request_id: string;
  approver: string;
  at: number;
  /** The duration this approver agreed to: the request's, or shorter (`stint approve --for`). */
  duration_ms: number;
}

/** A time-bound grant, from an approved request. */
export interface GrantsTable {
  /** `grt_…` */
  id: string;
  email: string;
  resource: string;
  /** JSON array of actions. */
  actions: string;
  /** JSON array of table names, copied from the request. */
  tables: string;
  request_id: string | null;
  starts_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  /** When the grant's natural end was recorded; set once, by whichever node records it first. */
  expiry_recorded_at: number | null;
}

/** One outgoing webhook call, queued durably and retried with backoff until delivered or given up. */
export interface WebhookDeliveriesTable {
  /** `whd_…`, also sent as the Stint-Delivery header. */
  id: string;
  /** The webhook's name in the policy. */
  webhook: string;
  /** The event type, e.g. `contractor.offboarded`, or `webhook.test`. */
  event: string;
  /** The exact body to POST (JSON, in the webhook's format); signed at each attempt. */
  body: string;
  attempts: number;
  /** When the next attempt is due; null once delivered or given up. Moved forward to claim a row. */
  next_attempt_at: number | null;
  delivered_at: number | null;
  /** Set when the last attempt failed and no more will be made. */
  failed_at: number | null;
  /** HTTP status of the last attempt, when one came back. */
  last_status: number | null;
  last_error: string | null;
  created_at: number;
}

/**
 * One row (id = 1) whose counter triggers bump on every write to contractors,
 * grants and policy versions (migration 005): a node skips rebuilding its
 * access index when the count has not moved since its last rebuild.
 */
export interface AccessChangesTable {
  id: number;
  n: number;
}

export interface Database {
  meta: MetaTable;
  policy_versions: PolicyVersionsTable;
  contractors: ContractorsTable;
  tokens: TokensTable;
  invites: InvitesTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  sessions: SessionsTable;
  access_requests: AccessRequestsTable;
  request_approvals: RequestApprovalsTable;
  grants: GrantsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  access_changes: AccessChangesTable;
}
