import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { ACTIONS, type Action, type GrantInfo } from '../access/access-model.ts';
import type { GrantEventView, RequestEventView } from '../events/event-bus.ts';
import type { AccessRequestsTable, Database, GrantsTable, RequestApprovalsTable } from '../store/database-schema.ts';
import type { ApprovalView, GrantStatus, GrantView } from './request-types.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type RequestRow = Selectable<AccessRequestsTable>;
export type GrantRow = Selectable<GrantsTable>;
export type ApprovalRow = Selectable<RequestApprovalsTable>;

export function newRequestId(): string {
  return `req_${randomBytes(8).toString('hex')}`;
}

export function newGrantId(): string {
  return `grt_${randomBytes(8).toString('hex')}`;
}

/** Rows are written only by this module, but a list that is not what we wrote must not turn into access. */
export function decodeActions(text: string): Action[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return ACTIONS.filter((action) => parsed.includes(action));
}

export function decodeTables(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((value): value is string => typeof value === 'string') : [];
}

export function requestEventView(row: RequestRow): RequestEventView {
  return {
    id: row.id,
    requester: row.requester,
    resource: row.resource,
    actions: decodeActions(row.actions),
    tables: decodeTables(row.tables),
    durationMs: row.duration_ms,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function approvalView(row: ApprovalRow): ApprovalView {
  return { approver: row.approver, at: row.at, durationMs: row.duration_ms };
}

export function grantStatus(row: GrantRow, now: number): GrantStatus {
  if (row.revoked_at !== null) return 'revoked';
  return now >= row.expires_at ? 'expired' : 'active';
}

export function grantView(row: GrantRow, now: number): GrantView {
  return {
    ...grantEventView(row),
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokedReason: row.revoked_reason,
    status: grantStatus(row, now),
  };
}

export function grantEventView(row: GrantRow): GrantEventView {
  return {
    id: row.id,
    email: row.email,
    resource: row.resource,
    actions: decodeActions(row.actions),
    tables: decodeTables(row.tables),
    requestId: row.request_id,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
  };
}

/** Grants in force at `now`, for the access index. */
export async function loadActiveGrants(db: Db, now: number): Promise<GrantInfo[]> {
  const rows = await db.selectFrom('grants').selectAll().where('revoked_at', 'is', null).where('expires_at', '>', now).execute();
  return rows.map((row) => ({ id: row.id, email: row.email, resource: row.resource, actions: decodeActions(row.actions), startsAt: row.starts_at, expiresAt: row.expires_at }));
}
