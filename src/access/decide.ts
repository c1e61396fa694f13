/**
 * The one question every proxy asks: may this identity do this action on this
 * resource now? Pure: time comes only from `now`, everything else from the
 * pre-compiled index. An allow through a role allocates only the Decision;
 * denials that depend on nothing but the index are pre-built and shared.
 */
import type { Action, GrantInfo } from './access-model.ts';
import type { AccessIndex, ActionAccess } from './access-index.ts';
import { NO_OBLIGATIONS, type Decision, type ReasonCode } from './decision.ts';
import { allowGrantMessage, noGrantMessage, unknownResourceMessage, unknownSubjectMessage } from './decision-messages.ts';

export interface AccessIdentity {
  readonly email: string;
  /** When the presented token stops being valid; null for a token without expiry. */
  readonly tokenExpiresAt: number | null;
  /** When the live session began; absent when deciding whether a new session may start. */
  readonly sessionStartedAt?: number;
}

export function decide(index: AccessIndex, identity: AccessIdentity, resource: string, action: Action, now: number): Decision {
  if (!index.hasResource(resource)) return deny('DENY_UNKNOWN_RESOURCE', unknownResourceMessage(resource));
  const subject = index.subject(identity.email);
  if (subject === undefined) return deny('DENY_UNKNOWN_SUBJECT', unknownSubjectMessage(identity.email));
  const { contractor } = subject;
  if (contractor.status !== 'active') return subject.offboarded;
  // Engagement ends and expiries are exclusive: at the instant itself access is over.
  if (now >= contractor.untilAt) return subject.engagementEnded;
  if (identity.tokenExpiresAt !== null && now >= identity.tokenExpiresAt) return subject.tokenExpired;

  const access = subject.access.get(resource)?.get(action);
  if (access === undefined) return deny('DENY_NO_GRANT', noGrantMessage(contractor.email, action, resource));

  // Only roles granting this action bound the session (see ActionAccess.maxSessionMs).
  const sessionStart = identity.sessionStartedAt ?? now;
  const { sessionExpired } = access;
  const maxSessionMs = sessionExpired === null ? null : access.maxSessionMs;
  if (sessionExpired !== null && maxSessionMs !== null && now >= sessionStart + maxSessionMs) return sessionExpired;
  if (access.denied !== null) return access.denied;

  let expiresAt = contractor.untilAt;
  if (identity.tokenExpiresAt !== null && identity.tokenExpiresAt < expiresAt) expiresAt = identity.tokenExpiresAt;
  if (maxSessionMs !== null && sessionStart + maxSessionMs < expiresAt) expiresAt = sessionStart + maxSessionMs;

  if (access.grantingRoles.length > 0) return allow('ALLOW_ROLE', access.allowMessage, expiresAt);
  const grant = latestActiveGrant(access, now);
  if (grant !== undefined) {
    if (grant.expiresAt < expiresAt) expiresAt = grant.expiresAt;
    return allow('ALLOW_GRANT', allowGrantMessage(action, resource, grant.id), expiresAt);
  }
  return deny('DENY_NO_GRANT', noGrantMessage(contractor.email, action, resource));
}

/** Grants are held latest expiry first, so the first one in its window is the one that lasts longest. */
export function latestActiveGrant(access: ActionAccess, now: number): GrantInfo | undefined {
  for (const grant of access.grants) {
    if (grant.startsAt <= now && now < grant.expiresAt) return grant;
  }
  return undefined;
}

function deny(reason: ReasonCode, message: string): Decision {
  return { allow: false, reason, message, obligations: NO_OBLIGATIONS, expiresAt: null };
}

function allow(reason: ReasonCode, message: string, expiresAt: number): Decision {
  return { allow: true, reason, message, obligations: NO_OBLIGATIONS, expiresAt };
}
