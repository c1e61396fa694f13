/**
 * The access report: who can reach what right now, with which actions, why
 * (a role, or an approved request), until when, and when it was last used.
 * It is the document an auditor or a sponsor asks for, built from the same
 * access index the gateway decides with, so it cannot disagree with it.
 */
import type { AccessIndex, ActionAccess } from '../access/access-index.ts';
import { ACTIONS, type Action } from '../access/access-model.ts';
import type { ContractorRecord } from '../policy/policy-types.ts';
import type { Store } from '../store/store.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_UNUSED_DAYS = 30;
export const DEFAULT_ENDING_DAYS = 14;

export type AccessReportFlag = 'unused' | 'engagement-ending';

export interface AccessReportRow {
  readonly contractor: string;
  readonly name: string;
  readonly company: string;
  readonly sponsor: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  /** `role:<name>` or `request:<id>` (a grant from an approved request). */
  readonly via: string;
  readonly grantId: string | null;
  readonly requestId: string | null;
  /** When this access ends: the grant's expiry or the engagement end, whichever is first. */
  readonly until: number;
  readonly engagementEnd: number;
  /** The last moment a session of this contractor on this resource was open (within the grant, for grants); null = never. */
  readonly lastUsedAt: number | null;
  /** Column masking and statement guardrails applied to this access; `none` until the policy can declare them. */
  readonly masks: string;
  readonly guardrails: string;
  readonly flags: readonly AccessReportFlag[];
}

export interface AccessReportOptions {
  readonly resource?: string;
  readonly contractor?: string;
  /** Flag access not used for this many days (counted from when it began). */
  readonly unusedDays?: number;
  /** Flag engagements ending within this many days. */
  readonly endingDays?: number;
}

export interface AccessReport {
  readonly generatedAt: number;
  readonly unusedDays: number;
  readonly endingDays: number;
  readonly filters: { readonly resource: string | null; readonly contractor: string | null };
  readonly rows: readonly AccessReportRow[];
}

interface Usage {
  readonly lastActive: number;
}

export async function buildAccessReport(
  deps: { readonly store: Store; readonly index: AccessIndex; readonly contractors: readonly ContractorRecord[] },
  options: AccessReportOptions,
  now: number,
): Promise<AccessReport> {
  const unusedDays = options.unusedDays ?? DEFAULT_UNUSED_DAYS;
  const endingDays = options.endingDays ?? DEFAULT_ENDING_DAYS;
  const wanted = options.contractor?.toLowerCase();
  const people = deps.contractors.filter((c) => c.status === 'active' && now < c.untilAt && (wanted === undefined || c.email === wanted));
  const usage = await readUsage(deps.store, now);
  const requestOf = await readGrantRequests(deps.store, now);
  const rows: AccessReportRow[] = [];

  for (const person of people) {
    const subject = deps.index.subject(person.email);
    if (subject === undefined) continue;
    for (const resource of deps.index.resourceNames()) {
      if (options.resource !== undefined && resource !== options.resource) continue;
      const table = subject.access.get(resource);
      if (table === undefined) continue;
      const lastActive = usage.get(`${person.email}\n${resource}`)?.lastActive ?? null;
      const base = { contractor: person.email, name: person.name, company: person.company, sponsor: person.sponsor, resource, engagementEnd: person.untilAt, masks: 'none', guardrails: 'none' };
      const ending = person.untilAt - now <= endingDays * DAY_MS;
      for (const [via, entry] of sources(table, now)) {
        const since = entry.grant?.startsAt ?? person.createdAt;
        const lastUsedAt = lastActive !== null && lastActive >= since ? lastActive : null;
        const unused = now - (lastUsedAt ?? since) >= unusedDays * DAY_MS;
        const flags: AccessReportFlag[] = [...(unused ? (['unused'] as const) : []), ...(ending ? (['engagement-ending'] as const) : [])];
        const grantId = entry.grant?.id ?? null;
        const requestId = grantId === null ? null : (requestOf.get(grantId) ?? null);
        rows.push({
          ...base,
          actions: entry.actions,
          via: grantId === null ? via : requestId === null ? `grant:${grantId}` : `request:${requestId}`,
          grantId,
          requestId,
          until: Math.min(entry.grant?.expiresAt ?? person.untilAt, person.untilAt),
          lastUsedAt,
          flags,
        });
      }
    }
  }
  return { generatedAt: now, unusedDays, endingDays, filters: { resource: options.resource ?? null, contractor: wanted ?? null }, rows };
}

interface Source {
  readonly actions: Action[];
  readonly grant?: { readonly id: string; readonly startsAt: number; readonly expiresAt: number };
}

/** The roles and active grants behind each allowed action, grouped per role and per grant. Denied actions appear nowhere. */
function sources(table: ReadonlyMap<Action, ActionAccess>, now: number): [string, Source][] {
  const byVia = new Map<string, Source>();
  for (const action of ACTIONS) {
    const entry = table.get(action);
    if (entry === undefined || entry.denyingRoles.length > 0) continue;
    for (const role of entry.grantingRoles) {
      const key = `role:${role}`;
      const source = byVia.get(key) ?? { actions: [] };
      source.actions.push(action);
      byVia.set(key, source);
    }
    for (const grant of entry.grants) {
      if (grant.startsAt > now || now >= grant.expiresAt) continue;
      const key = `grant:${grant.id}`;
      const source = byVia.get(key) ?? { actions: [], grant };
      source.actions.push(action);
      byVia.set(key, source);
    }
  }
  return [...byVia.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Per contractor and resource, the last moment one of their sessions was open (now, for a live one). */
async function readUsage(store: Store, now: number): Promise<Map<string, Usage>> {
  const rows = await store.db
    .selectFrom('sessions')
    .select((eb) => ['contractor', 'resource', eb.fn.max(eb.fn.coalesce('ended_at', eb.val(now))).as('last_active')])
    .groupBy(['contractor', 'resource'])
    .execute();
  // PostgreSQL returns bigint aggregates as strings; SQLite as numbers.
  return new Map(rows.map((row) => [`${row.contractor}\n${row.resource}`, { lastActive: Number(row.last_active) }]));
}

async function readGrantRequests(store: Store, now: number): Promise<Map<string, string>> {
  const rows = await store.db.selectFrom('grants').select(['id', 'request_id']).where('revoked_at', 'is', null).where('expires_at', '>', now).execute();
  return new Map(rows.flatMap((row) => (row.request_id === null ? [] : [[row.id, row.request_id] as const])));
}
