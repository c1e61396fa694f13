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
  | 'server_shutdown';

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
}
