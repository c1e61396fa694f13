/**
 * Recording one approval, and turning the request into a grant when it is
 * the last one needed: all in one transaction with its audit records, so a
 * grant never exists without the approvals and events that justify it.
 */
import { sql } from 'kysely';
import { StintError } from '../errors/stint-error.ts';
import type { ApprovalRule, CompiledPolicy } from '../policy/policy-types.ts';
import { formatDuration } from '../time/duration.ts';
import { isoString } from '../time/instant.ts';
import { eligibleApprovers, governingRule } from './approval-rules.ts';
import type { RequestDeps } from './request-deps.ts';
import { decodeActions, newGrantId, type ApprovalRow, type GrantRow, type RequestRow } from './request-rows.ts';
import type { Actor } from './request-types.ts';

export interface ApprovalOutcome {
  readonly request: RequestRow;
  readonly approvals: readonly ApprovalRow[];
  /** The grant, when this approval was the last one needed. */
  readonly grant: GrantRow | null;
  readonly rule: ApprovalRule;
}

/** The checks that need no transaction: who may approve, and for how long. Returns the rule that governs. */
export function checkApproval(policy: CompiledPolicy, row: RequestRow, actor: Actor, durationMs: number | undefined, now: number): ApprovalRule {
  if (row.status !== 'pending') throw closed(row);
  if (row.expires_at <= now) throw new StintError('STINT_ERR_REQUEST_CLOSED', `Request ${row.id} expired at ${isoString(row.expires_at)} without enough approvals.`);
  if (actor.email === row.requester) throw new StintError('STINT_ERR_SELF_APPROVAL', `${actor.email} asked for request ${row.id} and may not approve it; another approver must.`);
  const resource = policy.resources.find((candidate) => candidate.name === row.resource);
  const actions = decodeActions(row.actions);
  const rule = resource === undefined ? undefined : governingRule(policy, resource, actions);
  if (rule === undefined) {
    throw new StintError('STINT_ERR_NOT_REQUESTABLE', `No approval rule in the policy in force covers ${actions.join(', ')} on ${row.resource} any more, so request ${row.id} cannot be approved.`);
  }
  const approvers = eligibleApprovers(policy, rule, row.requester);
  if (!approvers.includes(actor.email)) {
    const who = approvers.length === 0 ? 'nobody in the policy in force' : approvers.join(', ');
    throw new StintError('STINT_ERR_NOT_APPROVER', `${actor.email} may not approve request ${row.id} (${actions.join(', ')} on ${row.resource}); eligible approvers: ${who}.`);
  }
  if (durationMs !== undefined && durationMs > row.duration_ms) {
    throw new StintError(
      'STINT_ERR_DURATION_TOO_LONG',
      `Approving with --for ${formatDuration(durationMs)} would lengthen request ${row.id}; --for can only shorten it, to at most the ${formatDuration(row.duration_ms)} requested.`,
    );
  }
  return rule;
}

export function closed(row: RequestRow): StintError {
  const by = row.decided_by === null ? '' : ` by ${row.decided_by}`;
  const at = row.decided_at === null ? '' : ` at ${isoString(row.decided_at)}`;
  return new StintError('STINT_ERR_REQUEST_CLOSED', `Request ${row.id} is ${row.status}${by}${at}; only pending requests can be decided or cancelled.`);
}

export async function recordApproval(
  deps: RequestDeps,
  input: { readonly row: RequestRow; readonly actor: Actor; readonly durationMs: number | undefined; readonly rule: ApprovalRule; readonly untilAt: number },
): Promise<ApprovalOutcome> {
  const { store, clock, audit } = deps;
  const { row, actor, rule } = input;
  const now = clock.now();
  const agreed = input.durationMs ?? row.duration_ms;
  return store.db.transaction().execute(async (trx) => {
    // Two approvers at once must not both count one approval and stop short of the grant.
    if (store.engine === 'postgres') await sql`SELECT id FROM access_requests WHERE id = ${row.id} FOR UPDATE`.execute(trx);
    const locked = await trx.selectFrom('access_requests').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    if (locked.status !== 'pending') throw closed(locked);
    const earlier = await trx.selectFrom('request_approvals').selectAll().where('request_id', '=', row.id).execute();
    if (earlier.some((approval) => approval.approver === actor.email)) {
      throw new StintError('STINT_ERR_ALREADY_APPROVED', `${actor.email} already approved request ${row.id}; it has ${earlier.length} of ${rule.minApprovals} approvals.`);
    }
    const approval: ApprovalRow = { request_id: row.id, approver: actor.email, at: now, duration_ms: agreed };
    await trx.insertInto('request_approvals').values(approval).execute();
    const approvals = [...earlier, approval];
    const actions = decodeActions(row.actions);
    const what = `${actions.join(', ')} on ${row.resource} for ${row.requester}`;
    await audit.appendWithin(trx, {
      code: 'REQUEST_APPROVAL_RECORDED',
      actor: actor.email,
      resource: row.resource,
      subject: row.id,
      summary: `${actor.email} approved request ${row.id} (${what}, ${formatDuration(agreed)}): ${approvals.length} of ${rule.minApprovals} approval(s).`,
      data: { request: row.id, requester: row.requester, approvals: approvals.length, needed: rule.minApprovals, durationMs: agreed },
    });
    if (approvals.length < rule.minApprovals) return { request: locked, approvals, grant: null, rule };

    // The shortest of: what was asked, what every approver agreed to, the rule's maximum; never past the engagement.
    const durationMs = Math.min(row.duration_ms, rule.maxDurationMs, ...approvals.map((a) => a.duration_ms));
    const expiresAt = Math.min(now + durationMs, input.untilAt);
    const grant: GrantRow = {
      id: newGrantId(),
      email: row.requester,
      resource: row.resource,
      actions: row.actions,
      tables: row.tables,
      request_id: row.id,
      starts_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      revoked_by: null,
      revoked_reason: null,
      expiry_recorded_at: null,
    };
    await trx.insertInto('grants').values(grant).execute();
    await trx.updateTable('access_requests').set({ status: 'approved', decided_at: now, decided_by: actor.email, grant_id: grant.id }).where('id', '=', row.id).execute();
    const approvers = approvals.map((a) => a.approver);
    await audit.appendWithin(trx, {
      code: 'REQUEST_APPROVED',
      actor: actor.email,
      resource: row.resource,
      subject: row.id,
      summary: `Request ${row.id} (${what}) approved by ${approvers.join(', ')}; grant ${grant.id} until ${isoString(expiresAt)}.`,
      data: { request: row.id, requester: row.requester, approvers, grant: grant.id, reason: row.reason },
    });
    const capped = expiresAt < now + durationMs ? ' (capped by the engagement end)' : '';
    await audit.appendWithin(trx, {
      code: 'GRANT_CREATED',
      actor: actor.email,
      resource: row.resource,
      subject: row.requester,
      summary: `Grant ${grant.id}: ${what} from ${isoString(now)} until ${isoString(expiresAt)}${capped}.`,
      data: { grant: grant.id, request: row.id, actions, tables: JSON.parse(row.tables) as unknown, startsAt: now, expiresAt, requestedMs: row.duration_ms, ruleMaxMs: rule.maxDurationMs, untilAt: input.untilAt },
    });
    const decided = await trx.selectFrom('access_requests').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return { request: decided, approvals, grant, rule };
  });
}
