import type { Transaction } from 'kysely';
import type { TransactionalAudit } from '../control/policy-control.ts';
import type { GrantEventView } from '../events/event-bus.ts';
import type { Database } from '../store/database-schema.ts';
import { decodeStringList } from './offboarding-holdings.ts';

export interface RevokeContext {
  readonly email: string;
  readonly by: string;
  /** The reason recorded on each revoked row. */
  readonly reason: string;
  readonly now: number;
}

export interface RevokedInTransaction {
  readonly tokens: readonly string[];
  readonly invites: readonly string[];
  readonly requests: readonly string[];
  /** The grants as they were, for the grant.revoked events sent after commit. */
  readonly grants: readonly GrantEventView[];
}

/**
 * Revokes everything a contractor holds, inside the caller's transaction, and
 * records each step in it: the revocations and their audit events commit
 * together or not at all. Every statement is conditional on the row still
 * being live, so running it twice, or on two nodes at once, revokes each
 * thing once. `tokens: false` skips tokens (a policy apply revokes them itself).
 */
export async function revokeWithin(
  trx: Transaction<Database>,
  audit: TransactionalAudit,
  ctx: RevokeContext,
  options: { tokens: boolean },
): Promise<RevokedInTransaction> {
  const { email, by, reason, now } = ctx;

  let tokens: string[] = [];
  if (options.tokens) {
    const rows = await trx
      .updateTable('tokens')
      .set({ revoked_at: now, revoked_by: by, revoked_reason: reason })
      .where('subject', '=', email)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .returning('id')
      .execute();
    tokens = rows.map((row) => row.id).sort();
    if (tokens.length > 0) {
      await audit.appendWithin(trx, {
        code: 'TOKEN_REVOKED',
        actor: by,
        subject: email,
        summary: `${tokens.length} token(s) of ${email} revoked by ${by}: ${reason}.`,
        data: { tokenIds: tokens, count: tokens.length, reason },
      });
    }
  }

  const grantRows = await trx
    .updateTable('grants')
    .set({ revoked_at: now, revoked_by: by, revoked_reason: reason })
    .where('email', '=', email)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'email', 'resource', 'actions', 'tables', 'request_id', 'starts_at', 'expires_at'])
    .execute();
  const grants = grantRows
    .map((row): GrantEventView => ({
      id: row.id,
      email: row.email,
      resource: row.resource,
      actions: decodeStringList(row.actions) as GrantEventView['actions'],
      tables: decodeStringList(row.tables),
      requestId: row.request_id,
      startsAt: row.starts_at,
      expiresAt: row.expires_at,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const grant of grants) {
    await audit.appendWithin(trx, {
      code: 'GRANT_REVOKED',
      actor: by,
      resource: grant.resource,
      subject: email,
      summary: `Grant ${grant.id} of ${email} (${grant.actions.join(', ')} on ${grant.resource}) revoked by ${by}: ${reason}.`,
      data: { grant: grant.id, request: grant.requestId, actions: grant.actions, expiresAt: grant.expiresAt, reason },
    });
  }

  const requestRows = await trx
    .updateTable('access_requests')
    .set({ status: 'cancelled', decided_at: now, decided_by: by, decision_reason: reason })
    .where('requester', '=', email)
    .where('status', '=', 'pending')
    .returning(['id', 'resource', 'actions'])
    .execute();
  const requests = requestRows.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const request of requests) {
    await audit.appendWithin(trx, {
      code: 'REQUEST_CANCELLED',
      actor: by,
      resource: request.resource,
      subject: request.id,
      summary: `${by} cancelled request ${request.id} (${decodeStringList(request.actions).join(', ')} on ${request.resource} for ${email}): ${reason}.`,
      data: { request: request.id, requester: email, reason },
    });
  }

  const inviteRows = await trx
    .updateTable('invites')
    .set({ revoked_at: now })
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .execute();
  const invites = inviteRows.map((row) => row.id).sort();
  for (const id of invites) {
    await audit.appendWithin(trx, {
      code: 'INVITE_REVOKED',
      actor: by,
      subject: email,
      summary: `Invite ${id} for ${email} revoked by ${by}: ${reason}.`,
      data: { inviteId: id, wasStatus: 'pending', reason },
    });
  }

  return { tokens, invites, requests: requests.map((request) => request.id), grants };
}
