import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { TransactionalAudit } from '../control/policy-control.ts';
import { StintError } from '../errors/stint-error.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ContractorRepository } from '../identity/contractor-repository.ts';
import { normaliseEmail } from '../identity/email-address.ts';
import type { CompiledPolicy, ContractorRecord } from '../policy/policy-types.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { Database } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { isoString } from '../time/instant.ts';
import { DEFAULT_RECENT_STATEMENTS, readActivity } from './offboarding-activity.ts';
import { readHoldings } from './offboarding-holdings.ts';
import { revokeWithin, type RevokedInTransaction } from './offboarding-revoke.ts';
import { endLocalSessions, requestKillsWithin, type KillRequested } from './offboarding-sessions.ts';
import { NO_REVOCATIONS, type OffboardCause, type OffboardingReport, type OffboardOptions } from './offboarding-types.ts';

export interface OffboardingDeps {
  readonly store: Store;
  /** Every step is recorded inside the offboarding's own transaction. */
  readonly audit: TransactionalAudit;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'error' | 'warn'>;
  readonly contractors: ContractorRepository;
  readonly sessions: SessionRegistry;
  /** The policy in force, null before the first apply. */
  readonly policy: () => CompiledPolicy | null;
  /** Rebuilds the access index once the contractor is offboarded. */
  readonly access?: { refresh(): Promise<void> };
  readonly events?: EventBus;
  /** How many of the latest statements a report lists. */
  readonly recentStatements?: number;
}

/** A contractor a policy apply already marked offboarded (and whose tokens it revoked) in its own transaction. */
export interface PolicyRemoval {
  readonly record: ContractorRecord;
  readonly by: string;
  readonly digest: string;
  /** The policy in force before the apply: what the contractor's roles meant. */
  readonly previous: CompiledPolicy | null;
  readonly tokensRevoked: number;
}

const ENGAGEMENT_ACTOR = 'system:engagement';

/**
 * Offboarding in one step: every token, grant, pending request and invite of
 * the contractor is revoked and the contractor marked offboarded in ONE
 * transaction together with the audit record of each step, then every live
 * session is ended (on this node at once, on other nodes through kill
 * requests in the store) and a report says what they had and what they did.
 *
 * The status change is conditional (`status = 'active'`), so of any number of
 * concurrent offboardings, by hand, by timer on several nodes, only the one
 * that flips it revokes and records; the others report "already offboarded"
 * and still end whatever sessions of that contractor this node holds.
 */
export class OffboardingService {
  readonly #deps: OffboardingDeps;

  constructor(deps: OffboardingDeps) {
    this.#deps = deps;
  }

  async offboard(email: string, options: OffboardOptions): Promise<OffboardingReport> {
    const key = normaliseEmail(email);
    const record = await this.#deps.contractors.get(key);
    if (record === null) throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `No contractor ${key} is on record.`);
    const reason = options.reason?.trim() || defaultReason(options.cause, record);
    const report = await this.#run(record, { by: options.by, reason, cause: options.cause }, {});
    if (report === null) throw new StintError('STINT_ERR_INTERNAL', `The offboarding of ${key} could not be completed.`);
    return report;
  }

  /**
   * Offboards a contractor whose engagement end has passed (the engagement
   * timer). Null when the record says otherwise by now: the end moved later,
   * or the contractor is gone. The status change also requires the end to
   * have passed, so an extension committed meanwhile wins.
   */
  async endEngagement(email: string): Promise<OffboardingReport | null> {
    const record = await this.#deps.contractors.get(email);
    if (record === null) return null;
    if (record.status === 'active' && record.untilAt > this.#deps.clock.now()) return null;
    const who = { by: ENGAGEMENT_ACTOR, reason: defaultReason('engagement_ended', record), cause: 'engagement_ended' as const };
    return this.#run(record, who, { mustHaveEnded: true });
  }

  /**
   * Finishes what a policy apply started: its transaction already marked the
   * contractor offboarded and revoked their tokens; this revokes grants,
   * requests and invites, records CONTRACTOR_OFFBOARDED and ends sessions.
   *
   * The contractor's sessions on this node are ended before the first await:
   * called right after the apply is in force, this comes before the access
   * index is rebuilt, so clients hear why (removed from the policy) rather
   * than a bare loss of access.
   */
  async completeRemoval(removal: PolicyRemoval): Promise<OffboardingReport> {
    const reason = `removed from the policy files (policy ${removal.digest.slice(0, 12)})`;
    const who = { by: removal.by, reason, cause: 'policy_removed' as const };
    const endedFirst = endLocalSessions(this.#deps.sessions, { email: removal.record.email, ...who });
    const report = await this.#run(removal.record, who, { removal });
    if (report === null) throw new StintError('STINT_ERR_INTERNAL', `The offboarding of ${removal.record.email} could not be completed.`);
    return { ...report, revoked: { ...report.revoked, sessionsEnded: [...endedFirst, ...report.revoked.sessionsEnded].sort() } };
  }

  async #run(
    record: ContractorRecord,
    who: { by: string; reason: string; cause: OffboardCause },
    mode: { mustHaveEnded?: boolean; removal?: PolicyRemoval },
  ): Promise<OffboardingReport | null> {
    const { store, clock } = this.#deps;
    const now = clock.now();
    const email = record.email;
    const removal = mode.removal;
    const policy = removal === undefined ? this.#deps.policy() : removal.previous;
    const had = await readHoldings(store.db, { email, roles: record.roles, untilAt: record.untilAt, policy, now });
    const did = await this.#activity(email);

    if (removal === undefined && record.status !== 'active') return this.#already(record, who, had, did);

    const thisNode = this.#deps.sessions.nodeId;
    const committed = await store.db.transaction().execute(async (trx) => {
      await this.#lockAuditHead(trx);
      if (removal === undefined) {
        let flip = trx
          .updateTable('contractors')
          .set({ status: 'offboarded', offboarded_at: now, updated_at: now })
          .where('email', '=', email)
          .where('status', '=', 'active');
        if (mode.mustHaveEnded === true) flip = flip.where('until_at', '<=', now);
        const flipped = await flip.executeTakeFirst();
        if (flipped.numUpdatedRows === 0n) return null;
      }
      const liveRows = await trx.selectFrom('sessions').select('id').where('contractor', '=', email).where('ended_at', 'is', null).execute();
      const inTrx = await revokeWithin(trx, this.#deps.audit, { email, by: who.by, reason: who.reason, now }, { tokens: removal === undefined });
      const kills = await requestKillsWithin(trx, this.#deps.audit, { email, ...who, now, thisNode });
      await this.#deps.audit.appendWithin(trx, {
        code: 'CONTRACTOR_OFFBOARDED',
        actor: who.by,
        subject: email,
        summary: offboardedSummary(email, who, inTrx, removal?.tokensRevoked ?? 0, liveRows.length),
        data: {
          cause: who.cause,
          reason: who.reason,
          roles: had.roles,
          access: had.access.map((entry) => ({ resource: entry.resource, actions: entry.actions })),
          revoked: {
            tokens: removal === undefined ? inTrx.tokens : removal.tokensRevoked,
            grants: inTrx.grants.map((grant) => grant.id),
            requests: inTrx.requests,
            invites: inTrx.invites,
          },
          liveSessions: liveRows.map((row) => row.id),
          activity: { sessions: did.sessions.count, statements: did.sessions.statements },
          ...(removal === undefined ? {} : { digest: removal.digest }),
        },
      });
      return { revoked: inTrx, kills };
    });

    if (committed === null) {
      // Another offboarding (another node's timer, a second admin) won the race, or the end moved.
      const current = await this.#deps.contractors.get(email);
      if (current === null) throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `No contractor ${email} is on record.`);
      // Still active: only an engagement end that moved later stops the flip.
      if (current.status === 'active') return null;
      return this.#already(current, who, had, did);
    }

    const { revoked, kills } = committed;
    const sessionsEnded = endLocalSessions(this.#deps.sessions, { email, ...who });
    this.#afterCommit(email, who, committed, now);
    return {
      ...reportHead(record, who, false, now),
      had,
      did,
      revoked: {
        tokens: removal === undefined ? revoked.tokens : [],
        grants: revoked.grants.map((grant) => grant.id),
        requests: revoked.requests,
        invites: revoked.invites,
        sessionsEnded,
        sessionsKillRequested: kills.map((kill) => kill.session),
      },
    };
  }

  /** Offboarded before: nothing is revoked again, but sessions this node still holds are ended. */
  #already(record: ContractorRecord, who: { by: string; reason: string; cause: OffboardCause }, had: OffboardingReport['had'], did: OffboardingReport['did']): OffboardingReport {
    const sessionsEnded = endLocalSessions(this.#deps.sessions, { email: record.email, ...who });
    return {
      ...reportHead(record, who, true, record.offboardedAt ?? record.updatedAt),
      had,
      did,
      revoked: { ...NO_REVOCATIONS, sessionsEnded },
    };
  }

  async #activity(email: string): Promise<OffboardingReport['did']> {
    const live = new Map(this.#deps.sessions.live().map((session) => [session.id, session]));
    return readActivity(this.#deps.store.db, {
      email,
      recentStatements: this.#deps.recentStatements ?? DEFAULT_RECENT_STATEMENTS,
      liveStatements: (id) => live.get(id)?.statements,
    });
  }

  /** Index refresh and events: the offboarding is committed and recorded; failures here are logged, not reported. */
  #afterCommit(email: string, who: { by: string; reason: string; cause: OffboardCause }, committed: { revoked: RevokedInTransaction; kills: readonly KillRequested[] }, now: number): void {
    void this.#deps.access?.refresh().catch((error: unknown) => this.#deps.logger.error({ err: error }, 'access index refresh after offboarding failed'));
    const events = this.#deps.events;
    if (events === undefined) return;
    for (const grant of committed.revoked.grants) events.emit({ type: 'grant.revoked', at: now, grant, by: who.by, reason: who.reason });
    for (const kill of committed.kills) events.emit({ type: 'session.killed', at: now, session: kill.session, contractor: email, resource: kill.resource, by: who.by, reason: kill.reason });
    events.emit({ type: 'contractor.offboarded', at: now, email, by: who.by, reason: who.reason, cause: who.cause });
  }

  /**
   * Takes the audit head first, as a policy apply does, so an offboarding and
   * an apply touching the same contractor lock in the same order and cannot
   * deadlock on PostgreSQL. SQLite transactions already serialise.
   */
  async #lockAuditHead(trx: Transaction<Database>): Promise<void> {
    if (this.#deps.store.engine === 'postgres') await sql`SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE`.execute(trx);
  }
}

function defaultReason(cause: OffboardCause, record: ContractorRecord): string {
  switch (cause) {
    case 'manual':
      return 'no reason given';
    case 'engagement_ended':
      return `the engagement ended at ${isoString(record.untilAt)}`;
    case 'policy_removed':
      return 'removed from the policy files';
  }
}

function reportHead(record: ContractorRecord, who: { by: string; reason: string; cause: OffboardCause }, alreadyOffboarded: boolean, offboardedAt: number) {
  return {
    email: record.email,
    cause: who.cause,
    by: who.by,
    reason: who.reason,
    alreadyOffboarded,
    offboardedAt,
    contractor: {
      name: record.name,
      company: record.company,
      sponsor: record.sponsor,
      source: record.source,
      createdAt: record.createdAt,
      untilAt: record.untilAt,
    },
  };
}

function offboardedSummary(email: string, who: { by: string; reason: string; cause: OffboardCause }, revoked: RevokedInTransaction, tokensByApply: number, live: number): string {
  const how = who.cause === 'engagement_ended' ? 'at the end of the engagement' : who.cause === 'policy_removed' ? `by a policy apply of ${who.by}` : `by ${who.by}`;
  const tokens = revoked.tokens.length + tokensByApply;
  return (
    `${email} was offboarded ${how}: ${who.reason}. Revoked ${tokens} token(s), ${revoked.grants.length} grant(s), ` +
    `${revoked.requests.length} pending request(s), ${revoked.invites.length} invite(s); ${live} live session(s) ended.`
  );
}
