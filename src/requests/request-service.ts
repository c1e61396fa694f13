import { ACTIONS } from '../access/access-model.ts';
import { StintError } from '../errors/stint-error.ts';
import { DEFAULT_REQUEST_TTL_MS } from '../policy/policy-compile.ts';
import { formatDuration } from '../time/duration.ts';
import { isoString } from '../time/instant.ts';
import { eligibleApprovers, governingRule, requestableHint } from './approval-rules.ts';
import { isStaff, type GrantService } from './grant-service.ts';
import { KeyedTimers } from './keyed-timers.ts';
import { checkApproval, closed, recordApproval } from './request-approve.ts';
import { checkRequestUseful, mayApproverSee, uselessBecause } from './request-checks.ts';
import { EXPIRY_ACTOR, refusing, requirePolicy, type RefusalContext, type RequestDeps } from './request-deps.ts';
import { grantView, newRequestId, requestEventView, type RequestRow } from './request-rows.ts';
import { approvalsOf, requestView } from './request-view.ts';
import type { AccessRequestView, Actor, ApproveResult, CreateRequestInput } from './request-types.ts';

const MAX_REASON = 1000;

/**
 * The request workflow: a contractor asks for actions on a resource for a
 * while; eligible approvers approve (or one denies); enough approvals make a
 * grant. Every step, and every refusal, is audited; pending requests lapse at
 * their exact instant.
 */
export class RequestService {
  readonly #deps: RequestDeps;
  readonly #grants: GrantService;
  readonly #timers: KeyedTimers;
  #sync: NodeJS.Timeout | null = null;

  constructor(deps: RequestDeps & { readonly grants: GrantService }) {
    this.#deps = deps;
    this.#grants = deps.grants;
    this.#timers = new KeyedTimers(deps.clock);
  }

  create(requester: Actor, input: CreateRequestInput): Promise<AccessRequestView> {
    const context: RefusalContext = { operation: 'request', actor: requester.email, resource: input.resource };
    return refusing(this.#deps.audit, context, async () => {
      const { store, clock, audit, contractors } = this.#deps;
      const policy = requirePolicy(this.#deps.policy());
      const now = clock.now();
      if (!requester.apiRoles.includes('contractor')) throw new StintError('STINT_ERR_FORBIDDEN', 'Only contractors request access; staff are not given access through the gateway.');
      const contractor = await contractors.get(requester.email);
      if (contractor === null) throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `No contractor ${requester.email} is on record.`);
      if (contractor.status !== 'active') throw new StintError('STINT_ERR_CONTRACTOR_OFFBOARDED', `${contractor.email} has been offboarded.`);
      if (now >= contractor.untilAt) throw new StintError('STINT_ERR_ENGAGEMENT_ENDED', `The engagement of ${contractor.email} ended at ${isoString(contractor.untilAt)}.`);
      const actions = ACTIONS.filter((action) => input.actions.includes(action));
      if (actions.length === 0) throw new StintError('STINT_ERR_BAD_REQUEST', `Name at least one action to request: ${ACTIONS.join(', ')}.`);
      const index = this.#deps.access.index();
      // The list of what can be requested leaves out what would change nothing for this requester.
      const hint = (): string => requestableHint(policy, (entry) => uselessBecause(index, requester.email, entry.resource, entry.actions, now) === null);
      const resource = policy.resources.find((candidate) => candidate.name === input.resource);
      if (resource === undefined) throw new StintError('STINT_ERR_NOT_REQUESTABLE', `There is no resource named "${input.resource}". ${hint()}`);
      const rule = governingRule(policy, resource, actions);
      if (rule === undefined) throw new StintError('STINT_ERR_NOT_REQUESTABLE', `No approval rule lets ${actions.join(', ')} on ${resource.name} be requested. ${hint()}`);
      checkRequestUseful(index, requester.email, resource.name, actions, now);
      const reason = input.reason?.trim() ?? '';
      if (rule.requireReason && reason === '') {
        throw new StintError('STINT_ERR_REASON_REQUIRED', `Requests for ${actions.join(', ')} on ${resource.name} must give a reason (e.g. a ticket): add --reason "...".`);
      }
      if (reason.length > MAX_REASON) throw new StintError('STINT_ERR_BAD_REQUEST', `The reason is longer than ${MAX_REASON} characters.`);
      if (input.durationMs > rule.maxDurationMs) {
        throw new StintError(
          'STINT_ERR_DURATION_TOO_LONG',
          `${formatDuration(input.durationMs)} is longer than the ${formatDuration(rule.maxDurationMs)} allowed for ${actions.join(', ')} on ${resource.name}; ask for ${formatDuration(rule.maxDurationMs)} or less.`,
        );
      }
      const approvers = eligibleApprovers(policy, rule, requester.email);
      const row: RequestRow = {
        id: newRequestId(),
        requester: requester.email,
        resource: resource.name,
        actions: JSON.stringify(actions),
        tables: JSON.stringify([...new Set(input.tables ?? [])]),
        duration_ms: input.durationMs,
        reason: reason === '' ? null : reason,
        status: 'pending',
        created_at: now,
        expires_at: now + (policy.settings.requestTtlMs ?? DEFAULT_REQUEST_TTL_MS),
        decided_at: null,
        decided_by: null,
        decision_reason: null,
        grant_id: null,
      };
      await store.db.transaction().execute(async (trx) => {
        await trx.insertInto('access_requests').values(row).execute();
        await audit.appendWithin(trx, {
          code: 'REQUEST_CREATED',
          actor: requester.email,
          resource: resource.name,
          subject: row.id,
          summary: `${requester.email} requested ${actions.join(', ')} on ${resource.name} for ${formatDuration(input.durationMs)}${row.reason === null ? '' : `: ${row.reason}`}.`,
          data: { request: row.id, actions, tables: JSON.parse(row.tables) as unknown, durationMs: input.durationMs, reason: row.reason, expiresAt: row.expires_at, approvers, minApprovals: rule.minApprovals },
        });
      });
      this.#watch(row);
      this.#deps.events.emit({ type: 'request.created', at: now, request: requestEventView(row), approvers });
      return requestView(row, [], policy);
    });
  }

  approve(id: string, approver: Actor, options: { readonly durationMs?: number } = {}): Promise<ApproveResult> {
    const context: RefusalContext = { operation: 'approve', actor: approver.email, subject: id };
    return refusing(this.#deps.audit, context, async () => {
      const policy = requirePolicy(this.#deps.policy());
      const row = await this.#find(id, approver);
      context.resource = row.resource;
      const now = this.#deps.clock.now();
      const rule = checkApproval(policy, row, approver, options.durationMs, now);
      const contractor = await this.#deps.contractors.get(row.requester);
      if (contractor === null || contractor.status !== 'active') throw new StintError('STINT_ERR_CONTRACTOR_OFFBOARDED', `${row.requester} is no longer an active contractor.`);
      if (now >= contractor.untilAt) throw new StintError('STINT_ERR_ENGAGEMENT_ENDED', `The engagement of ${row.requester} ended at ${isoString(contractor.untilAt)}.`);
      const outcome = await recordApproval(this.#deps, { row, actor: approver, durationMs: options.durationMs, rule, untilAt: contractor.untilAt });
      const view = requestView(outcome.request, outcome.approvals, policy);
      if (outcome.grant === null) return { request: view, grant: null };
      this.#timers.cancel(id);
      this.#grants.watch({ id: outcome.grant.id, expiresAt: outcome.grant.expires_at });
      // The grant is in force for new statements of live sessions as soon as approve returns.
      await this.#deps.access.refresh();
      const grant = grantView(outcome.grant, now);
      this.#deps.events.emit({
        type: 'request.approved',
        at: now,
        request: requestEventView(outcome.request),
        approvedBy: outcome.approvals.map((a) => a.approver),
        grant: { id: grant.id, email: grant.email, resource: grant.resource, actions: grant.actions, tables: grant.tables, requestId: grant.requestId, startsAt: grant.startsAt, expiresAt: grant.expiresAt },
      });
      return { request: view, grant };
    });
  }

  /** Denies a pending request: an eligible approver or an admin, never the requester, always with a reason. */
  deny(id: string, by: Actor, reason: string): Promise<AccessRequestView> {
    const context: RefusalContext = { operation: 'deny', actor: by.email, subject: id };
    return refusing(this.#deps.audit, context, async () => {
      const policy = requirePolicy(this.#deps.policy());
      const row = await this.#find(id, by);
      context.resource = row.resource;
      const why = reason.trim();
      if (why === '') throw new StintError('STINT_ERR_REASON_REQUIRED', `Say why request ${id} is denied: add --reason "...". The requester reads it.`);
      if (row.status !== 'pending') throw closed(row);
      if (by.email === row.requester) throw new StintError('STINT_ERR_SELF_APPROVAL', `${by.email} made request ${id}; withdraw it with \`stint cancel ${id}\` instead.`);
      const view = requestView(row, [], policy);
      if (!by.apiRoles.includes('admin') && !view.approvers.includes(by.email)) {
        throw new StintError('STINT_ERR_NOT_APPROVER', `${by.email} may not deny request ${id}; eligible approvers: ${view.approvers.join(', ') || 'none'} (or an admin).`);
      }
      const denied = await this.#close(row, { status: 'denied', by: by.email, reason: why });
      this.#deps.events.emit({ type: 'request.denied', at: this.#deps.clock.now(), request: requestEventView(denied), by: by.email, reason: why });
      return requestView(denied, (await approvalsOf(this.#deps.store.db, [id])).get(id) ?? [], policy);
    });
  }

  /** Withdraws a pending request; only its requester may. */
  cancel(id: string, by: Actor): Promise<AccessRequestView> {
    const context: RefusalContext = { operation: 'cancel', actor: by.email, subject: id };
    return refusing(this.#deps.audit, context, async () => {
      const policy = this.#deps.policy();
      const row = await this.#find(id, by);
      context.resource = row.resource;
      if (row.requester !== by.email) throw new StintError('STINT_ERR_FORBIDDEN', `Only ${row.requester}, who made request ${id}, may cancel it; approvers deny instead.`);
      if (row.status !== 'pending') throw closed(row);
      const cancelled = await this.#close(row, { status: 'cancelled', by: by.email, reason: null });
      return requestView(cancelled, (await approvalsOf(this.#deps.store.db, [id])).get(id) ?? [], policy);
    });
  }

  /**
   * Requests `viewer` may see, newest first: contractors their own; approvers
   * those they may approve or took part in; admins and auditors all.
   */
  async list(viewer: Actor, filter: { readonly pending?: boolean; readonly limit?: number } = {}): Promise<AccessRequestView[]> {
    const policy = this.#deps.policy();
    let query = this.#deps.store.db.selectFrom('access_requests').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (filter.pending === true) query = query.where('status', '=', 'pending');
    const seesAll = viewer.apiRoles.includes('admin') || viewer.apiRoles.includes('auditor');
    if (!isStaff(viewer)) query = query.where('requester', '=', viewer.email);
    // Approvers' visibility depends on the rules, so their filter runs after the query, over a bounded window of the newest.
    const limit = filter.limit ?? 200;
    const rows = await query.limit(seesAll || !isStaff(viewer) ? limit : Math.max(limit * 20, 2000)).execute();
    const approvals = await approvalsOf(this.#deps.store.db, rows.map((row) => row.id));
    const views = rows.map((row) => requestView(row, approvals.get(row.id) ?? [], policy));
    return (seesAll || !isStaff(viewer) ? views : views.filter((view) => mayApproverSee(view, viewer.email))).slice(0, limit);
  }

  async get(id: string, viewer: Actor): Promise<AccessRequestView> {
    const policy = this.#deps.policy();
    const row = await this.#find(id, viewer);
    return requestView(row, (await approvalsOf(this.#deps.store.db, [id])).get(id) ?? [], policy);
  }

  /** Lapses a pending request whose time is up: once across nodes (the conditional update decides), audited, announced. */
  async expire(id: string): Promise<boolean> {
    const now = this.#deps.clock.now();
    const expired = await this.#deps.store.db.transaction().execute(async (trx) => {
      const update = await trx
        .updateTable('access_requests')
        .set({ status: 'expired', decided_at: now, decided_by: EXPIRY_ACTOR })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      if (Number(update.numUpdatedRows) === 0) return null;
      const row = await trx.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const approvals = await trx.selectFrom('request_approvals').select('approver').where('request_id', '=', id).execute();
      await this.#deps.audit.appendWithin(trx, {
        code: 'REQUEST_EXPIRED',
        actor: EXPIRY_ACTOR,
        resource: row.resource,
        subject: id,
        summary: `Request ${id} of ${row.requester} (${requestEventView(row).actions.join(', ')} on ${row.resource}) expired at ${isoString(row.expires_at)} with ${approvals.length} approval(s).`,
        data: { request: id, requester: row.requester, expiresAt: row.expires_at, approvals: approvals.map((a) => a.approver) },
      });
      return row;
    });
    this.#timers.cancel(id);
    if (expired === null) return false;
    this.#deps.events.emit({ type: 'request.expired', at: now, request: requestEventView(expired) });
    return true;
  }

  /** Expires what lapsed while nothing watched, arms timers for every pending request and grant, and re-syncs every `syncMs`. */
  async start(options: { readonly syncMs?: number } = {}): Promise<void> {
    await this.sync();
    if (this.#sync !== null) return;
    // Requests and grants made on other nodes sharing the store get their timers here too.
    this.#sync = setInterval(() => void this.sync().catch((error: unknown) => this.#deps.logger.error({ err: error }, 'request sync failed')), options.syncMs ?? 30_000);
    this.#sync.unref();
  }

  async sync(): Promise<void> {
    const now = this.#deps.clock.now();
    const pending = await this.#deps.store.db.selectFrom('access_requests').selectAll().where('status', '=', 'pending').execute();
    for (const row of pending) {
      if (row.expires_at <= now) await this.expire(row.id);
      else this.#watch(row);
    }
    await this.#grants.sync();
  }

  stop(): void {
    if (this.#sync !== null) clearInterval(this.#sync);
    this.#sync = null;
    this.#timers.clear();
    this.#grants.stop();
  }

  #watch(row: RequestRow): void {
    this.#timers.schedule(row.id, row.expires_at, () => {
      this.expire(row.id).catch((error: unknown) => this.#deps.logger.error({ err: error, request: row.id }, 'could not expire a request'));
    });
  }

  /** A request the viewer may see; anything else reads as not found, so ids of others' requests reveal nothing. */
  async #find(id: string, viewer: Actor): Promise<RequestRow> {
    let row = await this.#deps.store.db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
    // A request past its time is expired before anyone acts on it, even if its timer has not run yet.
    if (row?.status === 'pending' && row.expires_at <= this.#deps.clock.now() && (await this.expire(id))) {
      row = await this.#deps.store.db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
    }
    // Staff may look up any request (lists show approvers only theirs, for relevance); contractors only their own.
    if (row === undefined || (!isStaff(viewer) && row.requester !== viewer.email)) {
      throw new StintError('STINT_ERR_REQUEST_NOT_FOUND', `No request ${id} that you may see; list them with \`stint requests\`.`);
    }
    return row;
  }

  /** Denies or cancels, with its audit record in the same transaction. */
  async #close(row: RequestRow, outcome: { status: 'denied' | 'cancelled'; by: string; reason: string | null }): Promise<RequestRow> {
    const now = this.#deps.clock.now();
    const closedRow = await this.#deps.store.db.transaction().execute(async (trx) => {
      const update = await trx
        .updateTable('access_requests')
        .set({ status: outcome.status, decided_at: now, decided_by: outcome.by, decision_reason: outcome.reason })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const current = await trx.selectFrom('access_requests').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      if (Number(update.numUpdatedRows) === 0) throw closed(current);
      const what = `${requestEventView(row).actions.join(', ')} on ${row.resource} for ${row.requester}`;
      await this.#deps.audit.appendWithin(trx, {
        code: outcome.status === 'denied' ? 'REQUEST_DENIED' : 'REQUEST_CANCELLED',
        actor: outcome.by,
        resource: row.resource,
        subject: row.id,
        summary:
          outcome.status === 'denied' ? `${outcome.by} denied request ${row.id} (${what}): ${outcome.reason ?? ''}.` : `${outcome.by} cancelled request ${row.id} (${what}).`,
        data: { request: row.id, requester: row.requester, reason: outcome.reason },
      });
      return current;
    });
    this.#timers.cancel(row.id);
    return closedRow;
  }
}
