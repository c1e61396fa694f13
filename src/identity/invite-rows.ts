import type { Selectable } from 'kysely';
import type { InvitesTable } from '../store/database-schema.ts';
import { decodeRoles, type Db } from './contractor-repository.ts';

export type InviteStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

/** An invite as listed: everything but the hash of its code. */
export interface InviteRecord {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly untilAt: number;
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly acceptedAt: number | null;
  readonly revokedAt: number | null;
  readonly status: InviteStatus;
}

export type InviteRow = Selectable<InvitesTable>;

export const INVITE_COLUMNS = ['id', 'email', 'roles', 'until_at', 'expires_at', 'created_at', 'created_by', 'accepted_at', 'revoked_at'] as const;

export function inviteStatus(row: Pick<InviteRow, 'accepted_at' | 'revoked_at' | 'expires_at'>, now: number): InviteStatus {
  if (row.accepted_at !== null) return 'accepted';
  if (row.revoked_at !== null) return 'revoked';
  return now >= row.expires_at ? 'expired' : 'pending';
}

export function toInviteRecord(row: Omit<InviteRow, 'code_hash'>, now: number): InviteRecord {
  return {
    id: row.id,
    email: row.email,
    roles: decodeRoles(row.roles, `invite ${row.id}`),
    untilAt: row.until_at,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
    status: inviteStatus(row, now),
  };
}

export async function findInvite(db: Db, by: { id: string } | { codeHash: string }): Promise<InviteRow | undefined> {
  const query = db.selectFrom('invites').selectAll();
  return ('id' in by ? query.where('id', '=', by.id) : query.where('code_hash', '=', by.codeHash)).executeTakeFirst();
}

/**
 * Marks a pending invite accepted. One statement with the conditions in its
 * WHERE: of any number of concurrent accepts, exactly one changes the row.
 */
export async function claimInvite(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('invites')
    .set({ accepted_at: now })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Gives a claim back when the acceptance could not be completed or recorded. */
export async function unclaimInvite(db: Db, id: string, claimedAt: number): Promise<void> {
  await db.updateTable('invites').set({ accepted_at: null }).where('id', '=', id).where('accepted_at', '=', claimedAt).execute();
}
