import type { AuditCode } from '../audit/audit-codes.ts';
import type { AuditSink } from '../audit/audit-event.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { isoString } from '../time/instant.ts';
import type { ContractorRepository } from './contractor-repository.ts';
import { appendAudit } from './identity-audit.ts';
import type { ApiRoleName, AuthContext, AuthFailureCode, AuthResult, Principal } from './principal.ts';
import { hashSecret, looksLikeToken } from './token-format.ts';
import { findTokenByHash, type TokenRow } from './token-rows.ts';

/** last_used_at is a hint for people, not a log: write it at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthenticateDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly policy: () => CompiledPolicy | null;
  readonly contractors: ContractorRepository;
}

interface Refusal {
  readonly audit: AuditCode;
  readonly code: AuthFailureCode;
  readonly message: string;
}

/**
 * Checks a presented token. The lookup is by hash only: the plaintext is never
 * stored, so it is never compared either. Every attempt is
 * recorded before the answer is given; if the record cannot be written the
 * call rejects, and the caller must refuse the request.
 */
export async function authenticateToken(deps: AuthenticateDeps, token: string, context: AuthContext): Promise<AuthResult> {
  const now = deps.clock.now();
  const ip = context.ip ?? null;
  const anonymous = `anonymous@${context.ip ?? 'unknown'}`;
  const row = looksLikeToken(token) ? await findTokenByHash(deps.store.db, hashSecret(token)) : undefined;
  if (row === undefined) {
    await appendAudit(deps.audit, {
      code: 'AUTH_TOKEN_UNKNOWN',
      actor: anonymous,
      summary: `An unknown token was presented via ${context.via} from ${context.ip ?? 'an unknown address'}.`,
      data: { via: context.via, ip },
    });
    return { ok: false, code: 'STINT_ERR_TOKEN_INVALID', message: 'The access token is not recognised.' };
  }

  const outcome = await judge(deps, row, now);
  const data = { tokenId: row.id, kind: row.subject_kind, via: context.via, ip };
  if ('audit' in outcome) {
    await appendAudit(deps.audit, {
      code: outcome.audit,
      actor: row.subject,
      subject: row.subject,
      summary: `Token ${row.id} of ${row.subject} refused via ${context.via}: ${outcome.message}`,
      data: { ...data, reason: outcome.code },
    });
    return { ok: false, code: outcome.code, message: outcome.message };
  }

  await appendAudit(deps.audit, {
    code: 'AUTH_SUCCEEDED',
    actor: row.subject,
    subject: row.subject,
    summary: `${row.subject} authenticated with token ${row.id} via ${context.via}.`,
    data,
  });
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) await touch(deps.store, row.id, now);
  return { ok: true, principal: outcome };
}

async function judge(deps: AuthenticateDeps, row: TokenRow, now: number): Promise<Principal | Refusal> {
  if (row.revoked_at !== null) {
    const reason = row.revoked_reason === null ? '' : ` (${row.revoked_reason})`;
    return { audit: 'AUTH_TOKEN_REVOKED', code: 'STINT_ERR_TOKEN_REVOKED', message: `The access token ${row.id} was revoked at ${isoString(row.revoked_at)}${reason}.` };
  }
  if (row.expires_at !== null && now >= row.expires_at) {
    return { audit: 'AUTH_TOKEN_EXPIRED', code: 'STINT_ERR_TOKEN_EXPIRED', message: `The access token ${row.id} expired at ${isoString(row.expires_at)}.` };
  }
  const roles = await rolesOf(deps, row, now);
  if ('audit' in roles) return roles;
  return { kind: row.subject_kind, email: row.subject, tokenId: row.id, tokenExpiresAt: row.expires_at, apiRoles: roles };
}

async function rolesOf(deps: AuthenticateDeps, row: TokenRow, now: number): Promise<readonly ApiRoleName[] | Refusal> {
  switch (row.subject_kind) {
    case 'admin':
      return ['admin'];
    case 'staff': {
      // Staff exist only in the policy: removing someone from it ends their tokens at once.
      const member = deps.policy()?.staff.find((s) => s.email === row.subject);
      if (member === undefined) {
        return { audit: 'AUTH_SUBJECT_INACTIVE', code: 'STINT_ERR_TOKEN_INVALID', message: `The access token belongs to ${row.subject}, who is not staff in the policy in force.` };
      }
      return member.roles;
    }
    case 'contractor': {
      const contractor = await deps.contractors.get(row.subject);
      if (contractor === null) {
        return { audit: 'AUTH_SUBJECT_INACTIVE', code: 'STINT_ERR_TOKEN_INVALID', message: `The access token belongs to ${row.subject}, who is not a contractor on record.` };
      }
      if (contractor.status !== 'active') {
        return { audit: 'AUTH_SUBJECT_INACTIVE', code: 'STINT_ERR_CONTRACTOR_OFFBOARDED', message: `${contractor.email} has been offboarded.` };
      }
      if (now >= contractor.untilAt) {
        return { audit: 'AUTH_SUBJECT_INACTIVE', code: 'STINT_ERR_ENGAGEMENT_ENDED', message: `The engagement of ${contractor.email} ended at ${isoString(contractor.untilAt)}.` };
      }
      return ['contractor'];
    }
  }
}

/** Conditional, so several nodes seeing the same token in the same minute still write once. */
async function touch(store: Store, id: string, now: number): Promise<void> {
  await store.db
    .updateTable('tokens')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - LAST_USED_RESOLUTION_MS)]))
    .execute();
}
