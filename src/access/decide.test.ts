import { describe, expect, it } from 'vitest';
import type { AccessModel, Action, ContractorInfo, GrantInfo, ResourceInfo, RoleInfo } from './access-model.ts';
import { buildAccessIndex } from './access-index.ts';
import { decide } from './decide.ts';
import { REASON_CODES, type ReasonCode } from './decision.ts';
import { STATEMENT_REASONS } from './statement-access.test-cases.ts';
import { SETTING_REASONS } from './statement-session-settings.test-cases.ts';
import { MASKING_REASONS } from './statement-masking.test-cases.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T00:00:00Z');
/** A 90-day engagement: longer than Node's largest timer, so nothing here may rely on one. */
const UNTIL = T0 + 90 * DAY;
const ALICE = 'alice@vendor.example';

const resource = (name: string, labels: Record<string, string> = {}): ResourceInfo => ({ name, kind: 'postgres', labels });

const RESOURCES: readonly ResourceInfo[] = [
  resource('demo', { env: 'dev', team: 'data' }),
  resource('reporting', { env: 'dev', team: 'bi' }),
  resource('prod', { env: 'prod', team: 'data', tier: 'gold' }),
  resource('prodbi', { env: 'prod', team: 'bi' }),
  resource('prodbare', { env: 'prod' }),
  resource('bare'),
];

const role = (name: string, parts: Partial<Omit<RoleInfo, 'name'>> = {}): RoleInfo => ({
  name,
  grants: parts.grants ?? [],
  denies: parts.denies ?? [],
  maxSessionMs: parts.maxSessionMs ?? null,
});

const ROLES: readonly RoleInfo[] = [
  role('readonly', { grants: [{ resources: { labels: { env: 'dev' } }, actions: ['read'] }] }),
  role('readwrite', { grants: [{ resources: { names: ['demo'] }, actions: ['read', 'write'] }], maxSessionMs: 8 * HOUR }),
  role('noddl', {
    grants: [{ resources: { names: ['demo'] }, actions: ['read', 'write', 'ddl'] }],
    denies: [{ resources: { names: ['demo'] }, actions: ['ddl'] }],
  }),
  role('denywrite', { denies: [{ resources: { labels: { env: 'dev' } }, actions: ['write'] }] }),
  role('proddata', { grants: [{ resources: { labels: { env: 'prod', team: 'data' } }, actions: ['read'] }] }),
  role('mixed', { grants: [{ resources: { names: ['bare'], labels: { team: 'bi' } }, actions: ['read'] }] }),
  role('short', { grants: [{ resources: { names: ['demo'] }, actions: ['read'] }], maxSessionMs: 1 * HOUR }),
  role('long', { grants: [{ resources: { names: ['demo'] }, actions: ['read'] }], maxSessionMs: 4 * HOUR }),
  role('empty', { grants: [{ resources: {}, actions: ['read'] }, { resources: { labels: {} }, actions: ['write'] }] }),
];

interface Case {
  readonly name: string;
  readonly roles?: readonly string[];
  readonly contractor?: Partial<ContractorInfo>;
  readonly grants?: readonly Omit<GrantInfo, 'email'>[];
  readonly email?: string;
  readonly resource?: string;
  readonly action?: Action;
  readonly now?: number;
  readonly tokenExpiresAt?: number | null;
  readonly sessionStartedAt?: number;
  readonly reason: ReasonCode;
  /** Checked on allows; denies always carry null. */
  readonly expiresAt?: number;
}

const grant = (id: string, actions: readonly Action[], startsAt: number, expiresAt: number, res = 'demo'): Omit<GrantInfo, 'email'> => ({
  id,
  resource: res,
  actions,
  startsAt,
  expiresAt,
});

const CASES: readonly Case[] = [
  // Default deny.
  { name: 'no roles: denied by default', roles: [], reason: 'DENY_NO_GRANT' },
  { name: 'role without the action: denied', roles: ['readonly'], action: 'write', reason: 'DENY_NO_GRANT' },
  { name: 'role grants the action', roles: ['readonly'], reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'unknown role names are ignored', roles: ['ghost', 'readonly'], reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'only unknown roles: denied', roles: ['ghost'], reason: 'DENY_NO_GRANT' },

  // Deny beats allow.
  { name: 'deny beats allow in the same role', roles: ['noddl'], action: 'ddl', reason: 'DENY_RULE' },
  { name: 'the same role still allows what it does not deny', roles: ['noddl'], action: 'write', reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'deny from one role beats allow from another', roles: ['readwrite', 'denywrite'], action: 'write', reason: 'DENY_RULE' },
  { name: 'deny beats allow whatever the role order', roles: ['denywrite', 'readwrite'], action: 'write', reason: 'DENY_RULE' },
  { name: 'a deny on another action leaves the allow', roles: ['readwrite', 'denywrite'], action: 'read', reason: 'ALLOW_ROLE', expiresAt: T0 + 8 * HOUR },
  {
    name: 'deny beats an active JIT grant',
    roles: ['denywrite'],
    grants: [grant('g1', ['write'], T0, T0 + HOUR)],
    action: 'write',
    reason: 'DENY_RULE',
  },

  // Selectors.
  { name: 'labels: all listed labels equal, extra resource labels ok', roles: ['proddata'], resource: 'prod', reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'labels: one listed label differs', roles: ['proddata'], resource: 'prodbi', reason: 'DENY_NO_GRANT' },
  { name: 'labels: one listed label missing on the resource', roles: ['proddata'], resource: 'prodbare', reason: 'DENY_NO_GRANT' },
  { name: 'labels: dev selector covers another dev resource', roles: ['readonly'], resource: 'reporting', reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'labels: dev selector does not cover prod', roles: ['readonly'], resource: 'prod', reason: 'DENY_NO_GRANT' },
  { name: 'names: the named resource', roles: ['readwrite'], action: 'write', reason: 'ALLOW_ROLE', expiresAt: T0 + 8 * HOUR },
  { name: 'names: another resource is not covered', roles: ['readwrite'], resource: 'reporting', reason: 'DENY_NO_GRANT' },
  { name: 'names OR labels: by name', roles: ['mixed'], resource: 'bare', reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'names OR labels: by label', roles: ['mixed'], resource: 'prodbi', reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'names OR labels: neither', roles: ['mixed'], resource: 'demo', reason: 'DENY_NO_GRANT' },
  { name: 'an empty selector selects nothing', roles: ['empty'], resource: 'bare', reason: 'DENY_NO_GRANT' },
  { name: 'an empty label map selects nothing', roles: ['empty'], resource: 'bare', action: 'write', reason: 'DENY_NO_GRANT' },

  // Unknowns and lifecycle, in the documented order of checks.
  { name: 'unknown resource', roles: ['readonly'], resource: 'nope', reason: 'DENY_UNKNOWN_RESOURCE' },
  { name: 'unknown resource is checked before the subject', email: 'mallory@x.example', resource: 'nope', reason: 'DENY_UNKNOWN_RESOURCE' },
  { name: 'unknown subject', email: 'mallory@x.example', reason: 'DENY_UNKNOWN_SUBJECT' },
  { name: 'emails match case-insensitively', email: 'Alice@Vendor.Example', roles: ['readonly'], reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'offboarded', roles: ['readonly'], contractor: { status: 'offboarded' }, reason: 'DENY_OFFBOARDED' },
  { name: 'offboarded is checked before the engagement end', roles: ['readonly'], contractor: { status: 'offboarded' }, now: UNTIL, reason: 'DENY_OFFBOARDED' },
  { name: 'engagement: one ms before the end allowed', roles: ['readonly'], now: UNTIL - 1, reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'engagement: at the end instant denied', roles: ['readonly'], now: UNTIL, reason: 'DENY_ENGAGEMENT_ENDED' },
  { name: 'engagement end is checked before the token', roles: ['readonly'], now: UNTIL, tokenExpiresAt: T0 + HOUR, reason: 'DENY_ENGAGEMENT_ENDED' },
  { name: 'token: one ms before expiry allowed', roles: ['readonly'], tokenExpiresAt: T0 + HOUR, now: T0 + HOUR - 1, reason: 'ALLOW_ROLE', expiresAt: T0 + HOUR },
  { name: 'token: at the expiry instant denied', roles: ['readonly'], tokenExpiresAt: T0 + HOUR, now: T0 + HOUR, reason: 'DENY_TOKEN_EXPIRED' },
  { name: 'token expiry is checked before the grant', roles: [], tokenExpiresAt: T0, reason: 'DENY_TOKEN_EXPIRED' },

  // expiresAt is the earliest bound; each bound in turn is the earliest.
  { name: 'earliest: token', roles: ['readwrite'], tokenExpiresAt: T0 + 2 * HOUR, reason: 'ALLOW_ROLE', expiresAt: T0 + 2 * HOUR },
  { name: 'earliest: engagement end', roles: ['readonly'], tokenExpiresAt: UNTIL + DAY, reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'earliest: max_session', roles: ['readwrite'], tokenExpiresAt: T0 + 10 * HOUR, reason: 'ALLOW_ROLE', expiresAt: T0 + 8 * HOUR },
  {
    name: 'earliest: JIT grant',
    roles: [],
    grants: [grant('g1', ['write'], T0, T0 + 2 * HOUR)],
    action: 'write',
    tokenExpiresAt: T0 + 3 * HOUR,
    reason: 'ALLOW_GRANT',
    expiresAt: T0 + 2 * HOUR,
  },
  {
    name: 'a JIT grant does not bound an action a role already allows',
    roles: ['readonly'],
    grants: [grant('g1', ['read'], T0, T0 + 2 * HOUR)],
    reason: 'ALLOW_ROLE',
    expiresAt: UNTIL,
  },
  {
    name: 'earliest: token before the JIT grant',
    roles: [],
    grants: [grant('g1', ['write'], T0, T0 + 2 * HOUR)],
    action: 'write',
    tokenExpiresAt: T0 + HOUR,
    reason: 'ALLOW_GRANT',
    expiresAt: T0 + HOUR,
  },

  // max_session.
  { name: 'max_session: new session counts from now', roles: ['readwrite'], action: 'write', now: T0 + 20 * HOUR, reason: 'ALLOW_ROLE', expiresAt: T0 + 28 * HOUR },
  { name: 'max_session: counts from the session start', roles: ['readwrite'], action: 'write', sessionStartedAt: T0, now: T0 + 3 * HOUR, reason: 'ALLOW_ROLE', expiresAt: T0 + 8 * HOUR },
  { name: 'max_session: one ms before the limit', roles: ['readwrite'], action: 'write', sessionStartedAt: T0, now: T0 + 8 * HOUR - 1, reason: 'ALLOW_ROLE', expiresAt: T0 + 8 * HOUR },
  { name: 'max_session: at the limit', roles: ['readwrite'], action: 'write', sessionStartedAt: T0, now: T0 + 8 * HOUR, reason: 'DENY_SESSION_EXPIRED' },
  { name: 'max_session: the most generous of the granting roles', roles: ['short', 'long'], sessionStartedAt: T0, now: T0 + 2 * HOUR, reason: 'ALLOW_ROLE', expiresAt: T0 + 4 * HOUR },
  { name: 'max_session: most generous reached', roles: ['long', 'short'], sessionStartedAt: T0, now: T0 + 4 * HOUR, reason: 'DENY_SESSION_EXPIRED' },
  { name: 'max_session: an unlimited granting role wins', roles: ['short', 'readonly'], sessionStartedAt: T0, now: T0 + 30 * DAY, reason: 'ALLOW_ROLE', expiresAt: UNTIL },
  { name: 'max_session: only roles granting the action count', roles: ['readwrite', 'readonly'], action: 'write', sessionStartedAt: T0, now: T0 + 9 * HOUR, reason: 'DENY_SESSION_EXPIRED' },
  { name: 'max_session is checked before deny rules', roles: ['readwrite', 'denywrite'], action: 'write', sessionStartedAt: T0, now: T0 + 8 * HOUR, reason: 'DENY_SESSION_EXPIRED' },

  // JIT grant windows [startsAt, expiresAt).
  { name: 'grant: before its start', grants: [grant('g1', ['write'], T0 + HOUR, T0 + 2 * HOUR)], action: 'write', now: T0 + HOUR - 1, reason: 'DENY_NO_GRANT' },
  { name: 'grant: at its start', grants: [grant('g1', ['write'], T0 + HOUR, T0 + 2 * HOUR)], action: 'write', now: T0 + HOUR, reason: 'ALLOW_GRANT', expiresAt: T0 + 2 * HOUR },
  { name: 'grant: one ms before its end', grants: [grant('g1', ['write'], T0 + HOUR, T0 + 2 * HOUR)], action: 'write', now: T0 + 2 * HOUR - 1, reason: 'ALLOW_GRANT', expiresAt: T0 + 2 * HOUR },
  { name: 'grant: at its end', grants: [grant('g1', ['write'], T0 + HOUR, T0 + 2 * HOUR)], action: 'write', now: T0 + 2 * HOUR, reason: 'DENY_NO_GRANT' },
  { name: 'grant: another action is not covered', grants: [grant('g1', ['read'], T0, T0 + HOUR)], action: 'write', reason: 'DENY_NO_GRANT' },
  { name: 'grant: another resource is not covered', grants: [grant('g1', ['read'], T0, T0 + HOUR, 'reporting')], reason: 'DENY_NO_GRANT' },
  { name: 'grant: for an unknown resource is ignored', grants: [grant('g1', ['read'], T0, T0 + HOUR, 'nope')], reason: 'DENY_NO_GRANT' },
  {
    name: 'grant: the latest expiry among active grants',
    grants: [grant('g1', ['write'], T0, T0 + 2 * HOUR), grant('g2', ['write'], T0, T0 + 5 * HOUR), grant('g3', ['write'], T0 - 2 * HOUR, T0)],
    action: 'write',
    reason: 'ALLOW_GRANT',
    expiresAt: T0 + 5 * HOUR,
  },
  {
    name: 'grant: a later grant not yet started does not extend',
    grants: [grant('g1', ['write'], T0, T0 + 2 * HOUR), grant('g2', ['write'], T0 + HOUR, T0 + 5 * HOUR)],
    action: 'write',
    reason: 'ALLOW_GRANT',
    expiresAt: T0 + 2 * HOUR,
  },
  {
    name: 'grant: ignores max_session of roles that do not grant the action',
    roles: ['readwrite'],
    grants: [grant('g1', ['ddl'], T0, T0 + 20 * HOUR)],
    action: 'ddl',
    sessionStartedAt: T0,
    now: T0 + 10 * HOUR,
    reason: 'ALLOW_GRANT',
    expiresAt: T0 + 20 * HOUR,
  },

  // A 90-day engagement expires exactly on time.
  { name: '90 days: allowed at the start, expiring exactly at day 90', roles: ['readonly'], now: T0, reason: 'ALLOW_ROLE', expiresAt: T0 + 90 * DAY },
  { name: '90 days: denied at day 90', roles: ['readonly'], now: T0 + 90 * DAY, reason: 'DENY_ENGAGEMENT_ENDED' },
];

function modelFor(c: Case): AccessModel {
  const alice: ContractorInfo = { email: ALICE, roles: c.roles ?? [], untilAt: UNTIL, status: 'active', ...c.contractor };
  const other: ContractorInfo = { email: 'bob@vendor.example', roles: ['readwrite', 'noddl'], untilAt: UNTIL, status: 'active' };
  return {
    resources: RESOURCES,
    roles: ROLES,
    contractors: [alice, other],
    grants: (c.grants ?? []).map((g) => ({ ...g, email: ALICE })),
  };
}

describe('decide', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const index = buildAccessIndex(modelFor(c));
    const decision = decide(
      index,
      { email: c.email ?? ALICE, tokenExpiresAt: c.tokenExpiresAt ?? null, ...(c.sessionStartedAt === undefined ? {} : { sessionStartedAt: c.sessionStartedAt }) },
      c.resource ?? 'demo',
      c.action ?? 'read',
      c.now ?? T0,
    );
    expect(decision.reason).toBe(c.reason);
    expect(decision.allow).toBe(c.reason.startsWith('ALLOW_'));
    expect(decision.obligations).toEqual([]);
    expect(decision.message.length).toBeGreaterThan(10);
    if (decision.allow) expect(decision.expiresAt).toBe(c.expiresAt);
    else expect(decision.expiresAt).toBeNull();
  });

  it('every reason code is covered by a case and agrees with its allow flag', () => {
    const covered = new Set<string>(CASES.map((c) => c.reason));
    for (const [code, info] of Object.entries(REASON_CODES)) {
      // Reasons that depend on the statement are covered by statement-access.test.ts.
      expect(covered.has(code) || STATEMENT_REASONS.has(code) || SETTING_REASONS.has(code) || MASKING_REASONS.has(code), code).toBe(true);
      expect(info.allow, code).toBe(code.startsWith('ALLOW_'));
    }
  });

  it('tells the contractor what is missing and what to do', () => {
    const index = buildAccessIndex(modelFor({ name: 'msg', roles: ['readonly'], reason: 'DENY_NO_GRANT' }));
    const identity = { email: ALICE, tokenExpiresAt: null };
    expect(decide(index, identity, 'demo', 'write', T0).message).toBe(
      'alice@vendor.example has no grant for write on demo; ask your sponsor or request access',
    );
    expect(decide(index, identity, 'demo', 'read', T0).message).toBe('read on demo is allowed through role readonly');
    expect(decide(index, identity, 'nope', 'read', T0).message).toContain('"nope"');
    expect(decide(index, identity, 'demo', 'read', UNTIL).message).toContain('2027-03-01T00:00:00.000Z');
  });

  it('names the roles that allow or deny and the session limit', () => {
    const index = buildAccessIndex(modelFor({ name: 'msg', roles: ['readwrite', 'denywrite', 'noddl', 'readonly'], reason: 'DENY_RULE' }));
    const identity = { email: ALICE, tokenExpiresAt: null, sessionStartedAt: T0 };
    expect(decide(index, identity, 'demo', 'write', T0).message).toBe('write on demo is denied by role denywrite; ask your sponsor if you need it');
    expect(decide(index, identity, 'demo', 'read', T0).message).toBe('read on demo is allowed through roles noddl, readonly, readwrite');
    const limited = buildAccessIndex(modelFor({ name: 'msg', roles: ['readwrite'], reason: 'DENY_SESSION_EXPIRED' }));
    expect(decide(limited, identity, 'demo', 'read', T0 + 8 * HOUR).message).toBe(
      'this session reached the 8h limit for read on demo; connect again to start a new session',
    );
  });

  it('reuses frozen rule and session denials', () => {
    const index = buildAccessIndex(modelFor({ name: 'frozen', roles: ['readwrite', 'denywrite'], reason: 'DENY_RULE' }));
    const identity = { email: ALICE, tokenExpiresAt: null, sessionStartedAt: T0 };
    expect(decide(index, identity, 'demo', 'write', T0)).toBe(decide(index, identity, 'demo', 'write', T0 + 1));
    expect(decide(index, identity, 'demo', 'read', T0 + 9 * HOUR)).toBe(decide(index, identity, 'demo', 'read', T0 + 10 * HOUR));
  });

  it('reuses frozen subject denials instead of building new ones', () => {
    const index = buildAccessIndex(modelFor({ name: 'frozen', roles: ['readonly'], contractor: { status: 'offboarded' }, reason: 'DENY_OFFBOARDED' }));
    const first = decide(index, { email: ALICE, tokenExpiresAt: null }, 'demo', 'read', T0);
    const second = decide(index, { email: ALICE, tokenExpiresAt: null }, 'reporting', 'write', T0);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
