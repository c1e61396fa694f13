/**
 * The console's overview: the few numbers and lists a sponsor or an admin
 * looks at first. Each figure is one bounded query; nothing is cached, so the
 * page agrees with the detailed pages at the moment it is read.
 */
import type { AuditEvent } from '../audit/audit-event.ts';
import { AUDIT_EVENT_COLUMNS, rowToEvent } from '../audit/audit-row.ts';
import type { ContractorRecord } from '../policy/policy-types.ts';
import type { Store } from '../store/store.ts';

const DAY_MS = 86_400_000;
/** Engagements and grants ending within this window are "ending soon". */
export const ENDING_SOON_MS = 14 * DAY_MS;
/** Tokens are short-lived by design; only those ending within a day are worth a line. */
export const TOKEN_ENDING_SOON_MS = DAY_MS;
export const RECENT_DENIALS = 20;
const ENDING_SOON_LIMIT = 100;

/** Audit codes that record a refusal of something a person tried to do. */
export const DENIAL_CODES = ['ACCESS_DENIED', 'STATEMENT_DENIED', 'SESSION_REFUSED', 'API_FORBIDDEN'] as const;

export interface EndingSoon {
  readonly kind: 'engagement' | 'grant' | 'token';
  readonly email: string;
  readonly resource?: string;
  readonly id?: string;
  readonly endsAt: string;
}

export interface ConsoleOverview {
  readonly contractors: { readonly active: number; readonly invited: number; readonly endingSoon: number };
  readonly sessions: { readonly live: number };
  readonly requests: { readonly pending: number };
  readonly endingSoon: readonly EndingSoon[];
  readonly recentDenials: readonly AuditEvent[];
}

export async function buildConsoleOverview(store: Store, contractors: readonly ContractorRecord[], now: number): Promise<ConsoleOverview> {
  const active = contractors.filter((c) => c.status === 'active' && now < c.untilAt);
  const horizon = now + ENDING_SOON_MS;
  const engagements: EndingSoon[] = active
    .filter((c) => c.untilAt <= horizon)
    .map((c): EndingSoon => ({ kind: 'engagement', email: c.email, endsAt: new Date(c.untilAt).toISOString() }));

  const grantRows = await store.db
    .selectFrom('grants')
    .select(['id', 'email', 'resource', 'expires_at'])
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', horizon)
    .orderBy('expires_at')
    .limit(ENDING_SOON_LIMIT)
    .execute();
  const tokenRows = await store.db
    .selectFrom('tokens')
    .select(['id', 'subject', 'expires_at'])
    .where('subject_kind', '=', 'contractor')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', now + TOKEN_ENDING_SOON_MS)
    .orderBy('expires_at')
    .limit(ENDING_SOON_LIMIT)
    .execute();
  const activeEmails = new Set(active.map((c) => c.email));
  const endingSoon: EndingSoon[] = [
    ...engagements,
    ...grantRows.map((g): EndingSoon => ({ kind: 'grant', email: g.email, resource: g.resource, id: g.id, endsAt: new Date(Number(g.expires_at)).toISOString() })),
    // A token ending with the engagement says nothing new; list those that end before it.
    ...tokenRows
      .filter((t) => activeEmails.has(t.subject) && t.expires_at !== null)
      .map((t): EndingSoon => ({ kind: 'token', email: t.subject, id: t.id, endsAt: new Date(Number(t.expires_at)).toISOString() })),
  ].sort((a, b) => (a.endsAt < b.endsAt ? -1 : a.endsAt > b.endsAt ? 1 : 0));

  const invited = await store.db
    .selectFrom('invites')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const live = await store.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  const pending = await store.db
    .selectFrom('access_requests')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const denials = await store.db
    .selectFrom('audit_events as e')
    .select(AUDIT_EVENT_COLUMNS.map((c) => `e.${c}` as const))
    .where('e.code', 'in', [...DENIAL_CODES])
    .orderBy('e.seq', 'desc')
    .limit(RECENT_DENIALS)
    .execute();

  return {
    // PostgreSQL returns counts as strings, SQLite as numbers.
    contractors: { active: active.length, invited: Number(invited?.n ?? 0), endingSoon: engagements.length },
    sessions: { live: Number(live?.n ?? 0) },
    requests: { pending: Number(pending?.n ?? 0) },
    endingSoon,
    recentDenials: denials.map(rowToEvent),
  };
}
