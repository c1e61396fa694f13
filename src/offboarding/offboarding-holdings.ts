import { buildAccessIndex } from '../access/access-index.ts';
import { ACTIONS, type Action, type GrantInfo } from '../access/access-model.ts';
import type { Db } from '../identity/contractor-repository.ts';
import { decodeRoles } from '../identity/contractor-repository.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import type { HeldGrant, OffboardingHoldings } from './offboarding-types.ts';

export interface HoldingsInput {
  readonly email: string;
  readonly roles: readonly string[];
  readonly untilAt: number;
  /** The policy the contractor's roles are read against (for a policy removal: the one before the apply). */
  readonly policy: CompiledPolicy | null;
  readonly now: number;
}

/**
 * What a contractor holds right now: live tokens, active grants, pending
 * requests and invites from the store, and the resources and actions their
 * roles and grants reach, from an access index built for them alone (so the
 * answer does not depend on when this node last refreshed its own index).
 */
export async function readHoldings(db: Db, input: HoldingsInput): Promise<OffboardingHoldings> {
  const { email, now } = input;
  const tokens = await db
    .selectFrom('tokens')
    .select(['id', 'label', 'created_at', 'expires_at', 'last_used_at'])
    .where('subject', '=', email)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const grantRows = await db
    .selectFrom('grants')
    .select(['id', 'resource', 'actions', 'starts_at', 'expires_at', 'request_id'])
    .where('email', '=', email)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  const requests = await db
    .selectFrom('access_requests')
    .select(['id', 'resource', 'actions', 'created_at'])
    .where('requester', '=', email)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const invites = await db
    .selectFrom('invites')
    .select(['id', 'roles', 'created_at', 'created_by', 'expires_at'])
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

  const grants: HeldGrant[] = grantRows.map((row) => ({
    id: row.id,
    resource: row.resource,
    actions: decodeStringList(row.actions),
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
    requestId: row.request_id,
  }));
  return {
    roles: [...input.roles],
    access: heldAccess(input, grants),
    tokens: tokens.map((row) => ({ id: row.id, label: row.label, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at })),
    grants,
    pendingRequests: requests.map((row) => ({ id: row.id, resource: row.resource, actions: decodeStringList(row.actions), createdAt: row.created_at })),
    invites: invites.map((row) => ({
      id: row.id,
      roles: decodeRoles(row.roles, `invite ${row.id}`),
      createdAt: row.created_at,
      createdBy: row.created_by,
      expiresAt: row.expires_at,
    })),
  };
}

function heldAccess(input: HoldingsInput, grants: readonly HeldGrant[]): OffboardingHoldings['access'] {
  if (input.policy === null) return [];
  const grantInfos: GrantInfo[] = grants.map((grant) => ({
    id: grant.id,
    email: input.email,
    resource: grant.resource,
    actions: grant.actions.filter(isAction),
    startsAt: grant.startsAt,
    expiresAt: grant.expiresAt,
  }));
  const index = buildAccessIndex({
    resources: input.policy.resources,
    roles: input.policy.roles,
    contractors: [{ email: input.email, roles: input.roles, untilAt: input.untilAt, status: 'active' }],
    grants: grantInfos,
  });
  // At the engagement end itself access is already over; report what they had up to that instant.
  const at = Math.min(input.now, input.untilAt - 1);
  return index.effectiveAccess(input.email, at).map((entry) => ({ resource: entry.resource, actions: [...entry.actions], via: [...entry.via] }));
}

function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

/** A stored JSON list of names (actions, tables); anything unreadable reads as none rather than failing the offboarding. */
export function decodeStringList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}
