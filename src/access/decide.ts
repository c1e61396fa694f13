/**
 * The one question every proxy asks: may this identity do this action on this
 * resource now? Pure: time comes only from `now`, everything else from the
 * pre-compiled index, and the only allocation is the Decision itself (subject
 * denials are pre-built and shared).
 */
import type { Action } from './access-model.ts';
import type { AccessIndex, ActionAccess } from './access-index.ts';
import { NO_OBLIGATIONS, type Decision, type ReasonCode } from './decision.ts';
import {
  allowGrantMessage,
  allowRoleMessage,
  denyRuleMessage,
  noGrantMessage,
  sessionExpiredMessage,
  unknownResourceMessage,
  unknownSubjectMessage,
} from './decision-messages.ts';

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

  const sessionStart = identity.sessionStartedAt ?? now;
  const maxSessionMs = access.grantingRoles.length > 0 ? access.maxSessionMs : null;
  if (maxSessionMs !== null && now >= sessionStart + maxSessionMs) {
    return deny('DENY_SESSION_EXPIRED', sessionExpiredMessage(contractor.email, action, resource, maxSessionMs));
  }
  if (access.denyingRoles.length > 0) {
    return deny('DENY_RULE', denyRuleMessage(contractor.email, action, resource, access.denyingRoles));
  }

  let expiresAt = contractor.untilAt;
  if (identity.tokenExpiresAt !== null && identity.tokenExpiresAt < expiresAt) expiresAt = identity.tokenExpiresAt;
  if (maxSessionMs !== null && sessionStart + maxSessionMs < expiresAt) expiresAt = sessionStart + maxSessionMs;

  if (access.grantingRoles.length > 0) {
    return allow('ALLOW_ROLE', allowRoleMessage(contractor.email, action, resource, access.grantingRoles), expiresAt);
  }
  const grant = latestActiveGrant(access, now);
  if (grant !== undefined) {
    if (grant.expiresAt < expiresAt) expiresAt = grant.expiresAt;
    return allow('ALLOW_GRANT', allowGrantMessage(contractor.email, action, resource, grant.id), expiresAt);
  }
  return deny('DENY_NO_GRANT', noGrantMessage(contractor.email, action, resource));
}

/** Grants are held latest expiry first, so the first one in its window is the one that lasts longest. */
function latestActiveGrant(access: ActionAccess, now: number): ActionAccess['grants'][number] | undefined {
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
