import { parseData } from '../audit/audit-row.ts';
import type { Db } from '../identity/contractor-repository.ts';
import type { OffboardingActivity, RecentStatement } from './offboarding-types.ts';

/** Statements shown in a report; the audit log keeps them all. */
export const DEFAULT_RECENT_STATEMENTS = 10;
const STATEMENT_TEXT_LIMIT = 500;
const STATEMENT_CODES = ['STATEMENT_ALLOWED', 'STATEMENT_DENIED'] as const;

export interface ActivityInput {
  readonly email: string;
  readonly recentStatements: number;
  /** Fresher statement counters of sessions live on this node (the row is written only at the end). */
  readonly liveStatements: (sessionId: string) => number | undefined;
}

/** What a contractor did over the engagement: their sessions, their audit events by code, their latest statements. */
export async function readActivity(db: Db, input: ActivityInput): Promise<OffboardingActivity> {
  const { email } = input;
  const sessions = await db.selectFrom('sessions').select(['id', 'resource', 'started_at', 'ended_at', 'statements']).where('contractor', '=', email).execute();
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let statements = 0;
  const resources = new Set<string>();
  for (const row of sessions) {
    const last = row.ended_at ?? row.started_at;
    firstAt = firstAt === null ? row.started_at : Math.min(firstAt, row.started_at);
    lastAt = lastAt === null ? last : Math.max(lastAt, last);
    statements += input.liveStatements(row.id) ?? Number(row.statements);
    resources.add(row.resource);
  }

  // count() is a string on PostgreSQL and a number on SQLite: normalise here.
  const counts = await db
    .selectFrom('audit_events')
    .select((eb) => ['code', eb.fn.countAll().as('n')])
    .where('actor', '=', email)
    .groupBy('code')
    .orderBy('code')
    .execute();
  const auditCounts: Record<string, number> = {};
  for (const row of counts) auditCounts[row.code] = Number(row.n);

  const recent = input.recentStatements <= 0
    ? []
    : await db
        .selectFrom('audit_events')
        .select(['ts', 'code', 'resource', 'summary', 'data'])
        .where('actor', '=', email)
        .where('code', 'in', STATEMENT_CODES)
        .orderBy('seq', 'desc')
        .limit(input.recentStatements)
        .execute();
  const lastStatements = recent.map((row): RecentStatement => {
    const data = parseData(row.data);
    const text = typeof data.text === 'string' ? data.text : row.summary;
    return {
      ts: row.ts,
      resource: row.resource,
      session: typeof data.session === 'string' ? data.session : null,
      code: row.code,
      text: text.length > STATEMENT_TEXT_LIMIT ? `${text.slice(0, STATEMENT_TEXT_LIMIT)}…` : text,
    };
  });

  return {
    sessions: { count: sessions.length, firstAt, lastAt, statements, resources: [...resources].sort() },
    auditCounts,
    lastStatements,
  };
}
