import type { Insertable, Selectable } from 'kysely';
import type { TokenSubjectKind, TokensTable } from '../store/database-schema.ts';
import type { Db } from './contractor-repository.ts';

/** A token as listed: everything but its hash, which never leaves the store layer. */
export interface TokenRecord {
  readonly id: string;
  readonly subject: string;
  readonly kind: TokenSubjectKind;
  readonly label: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
  readonly revokedReason: string | null;
  readonly lastUsedAt: number | null;
}

export type TokenRow = Selectable<TokensTable>;

export function toTokenRecord(row: Omit<TokenRow, 'hash'>): TokenRecord {
  return {
    id: row.id,
    subject: row.subject,
    kind: row.subject_kind,
    label: row.label,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokedReason: row.revoked_reason,
    lastUsedAt: row.last_used_at,
  };
}

/** Neither revoked nor past its expiry at `now`. */
export function isTokenLive(row: Pick<TokenRow, 'revoked_at' | 'expires_at'>, now: number): boolean {
  return row.revoked_at === null && (row.expires_at === null || now < row.expires_at);
}

export async function insertTokenRow(db: Db, row: Insertable<TokensTable>): Promise<void> {
  await db.insertInto('tokens').values(row).execute();
}

/** Removes a token whose issue could not be recorded; it was never handed out. */
export async function deleteTokenRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('tokens').where('id', '=', id).execute();
}

export async function findTokenByHash(db: Db, hash: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
}

export async function findTokenById(db: Db, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Puts revoked tokens back when the revocation's audit record could not be written. */
export async function unrevokeTokens(db: Db, ids: readonly string[], revokedAt: number, revokedBy: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('tokens')
    .set({ revoked_at: null, revoked_by: null, revoked_reason: null })
    .where('id', 'in', ids)
    .where('revoked_at', '=', revokedAt)
    .where('revoked_by', '=', revokedBy)
    .execute();
}
