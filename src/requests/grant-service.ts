import { StintError } from '../errors/stint-error.ts';
import { isoString } from '../time/instant.ts';
import { eligibleApprovers, governingRule } from './approval-rules.ts';
import { KeyedTimers } from './keyed-timers.ts';
import { EXPIRY_ACTOR, refusing, type RefusalContext, type RequestDeps } from './request-deps.ts';
import { decodeActions, grantEventView, grantView, type GrantRow } from './request-rows.ts';
import type { Actor, GrantView } from './request-types.ts';

export interface RevokeResult extends GrantView {
  /** True when the grant had already ended (revoked or expired) and nothing changed. */
  readonly alreadyEnded: boolean;
}

/**
 * Grants: listing, revoking early, and recording each grant's end at its
 * exact instant. Access itself ends without any of this (decisions compare
 * the grant's window with the clock); the timer is what audits the end,
 * announces it and re-judges live sessions right then.
 */
export class GrantService {
  readonly #deps: RequestDeps;
  readonly #timers: KeyedTimers;

  constructor(deps: RequestDeps) {
    this.#deps = deps;
    this.#timers = new KeyedTimers(deps.clock);
  }

  /** Grants visible to `viewer`, latest first: contractors see their own; staff see all. Active only unless `all`. */
  async list(viewer: Actor, filter: { readonly all?: boolean; readonly email?: string; readonly limit?: number } = {}): Promise<GrantView[]> {
    const now = this.#deps.clock.now();
    const email = isStaff(viewer) ? filter.email : viewer.email;
    let query = this.#deps.store.db.selectFrom('grants').selectAll().orderBy('starts_at', 'desc').orderBy('id').limit(filter.limit ?? 200);
    if (email !== undefined) query = query.where('email', '=', email.toLowerCase());
    if (filter.all !== true) query = query.where('revoked_at', 'is', null).where('expires_at', '>', now);
    return (await query.execute()).map((row) => grantView(row, now));
  }

  /**
   * Ends a grant now. The holder may give up their own grant; otherwise an
   * admin or a staff member who may approve such access under the rules.
   */
  revoke(id: string, actor: Actor, reason?: string): Promise<RevokeResult> {
    const context: RefusalContext = { operation: 'revoke grant', actor: actor.email, subject: id };
    return refusing(this.#deps.audit, context, async () => {
      const { store, clock, audit } = this.#deps;
      const found = await store.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
      if (found === undefined) throw new StintError('STINT_ERR_GRANT_NOT_FOUND', `No grant ${id}; list them with \`stint grants\`.`);
      context.resource = found.resource;
      this.#checkMayRevoke(found, actor);
      const why = reason === undefined || reason.trim() === '' ? 'no reason given' : reason.trim();
      const now = clock.now();
      const revoked = await store.db.transaction().execute(async (trx) => {
        const update = await trx
          .updateTable('grants')
          .set({ revoked_at: now, revoked_by: actor.email, revoked_reason: why })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (Number(update.numUpdatedRows) === 0) return null;
        const row = await trx.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        await audit.appendWithin(trx, {
          code: 'GRANT_REVOKED',
          actor: actor.email,
          resource: row.resource,
          subject: row.email,
          summary: `${actor.email} revoked grant ${id} (${decodeActions(row.actions).join(', ')} on ${row.resource} for ${row.email}, due to end ${isoString(row.expires_at)}): ${why}.`,
          data: { grant: id, request: row.request_id, actions: decodeActions(row.actions), expiresAt: row.expires_at, reason: why },
        });
        return row;
      });
      if (revoked === null) {
        const current = await store.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return { ...grantView(current, now), alreadyEnded: true };
      }
      this.#timers.cancel(id);
      await this.#deps.access.refresh();
      this.#deps.events.emit({ type: 'grant.revoked', at: now, grant: grantEventView(revoked), by: actor.email, reason: why });
      return { ...grantView(revoked, now), alreadyEnded: false };
    });
  }

  /** Arms the exact timer that records a grant's end. */
  watch(grant: { readonly id: string; readonly expiresAt: number }): void {
    this.#timers.schedule(grant.id, grant.expiresAt, () => {
      this.recordExpiry(grant.id).catch((error: unknown) => this.#deps.logger.error({ err: error, grant: grant.id }, 'could not record the end of a grant'));
    });
  }

  /**
   * Records that a grant reached its end: once across every node sharing the
   * store (the conditional update decides who), then rebuilds access here.
   */
  async recordExpiry(id: string): Promise<boolean> {
    const { store, clock, audit } = this.#deps;
    const now = clock.now();
    const recorded = await store.db.transaction().execute(async (trx) => {
      const update = await trx
        .updateTable('grants')
        .set({ expiry_recorded_at: now })
        .where('id', '=', id)
        .where('expiry_recorded_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      if (Number(update.numUpdatedRows) === 0) return null;
      const row = await trx.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await audit.appendWithin(trx, {
        code: 'GRANT_EXPIRED',
        actor: EXPIRY_ACTOR,
        resource: row.resource,
        subject: row.email,
        summary: `Grant ${id} (${decodeActions(row.actions).join(', ')} on ${row.resource} for ${row.email}) ended at ${isoString(row.expires_at)}.`,
        data: { grant: id, request: row.request_id, actions: decodeActions(row.actions), startsAt: row.starts_at, expiresAt: row.expires_at },
      });
      return row;
    });
    await this.#deps.access.refresh();
    if (recorded === null) return false;
    this.#deps.events.emit({ type: 'grant.expired', at: now, grant: grantEventView(recorded) });
    return true;
  }

  /** Records ends that passed while nothing was watching, and arms timers for every grant in force (wherever it was created). */
  async sync(): Promise<void> {
    const now = this.#deps.clock.now();
    const db = this.#deps.store.db;
    const ended = await db.selectFrom('grants').select('id').where('expiry_recorded_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '<=', now).execute();
    for (const { id } of ended) await this.recordExpiry(id);
    const active = await db.selectFrom('grants').select(['id', 'expires_at']).where('revoked_at', 'is', null).where('expires_at', '>', now).execute();
    for (const row of active) this.watch({ id: row.id, expiresAt: row.expires_at });
  }

  stop(): void {
    this.#timers.clear();
  }

  #checkMayRevoke(row: GrantRow, actor: Actor): void {
    if (actor.email === row.email || actor.apiRoles.includes('admin')) return;
    const policy = this.#deps.policy();
    const resource = policy?.resources.find((candidate) => candidate.name === row.resource);
    const rule = policy === null || resource === undefined ? undefined : governingRule(policy, resource, decodeActions(row.actions));
    const approvers = policy === null || rule === undefined ? [] : eligibleApprovers(policy, rule, row.email);
    if (!approvers.includes(actor.email)) {
      const who = approvers.length === 0 ? 'an admin' : `an admin or ${approvers.join(', ')}`;
      throw new StintError('STINT_ERR_NOT_APPROVER', `${actor.email} may not revoke grant ${row.id}; ${who} may, or its holder.`);
    }
  }
}

export function isStaff(actor: Actor): boolean {
  return actor.apiRoles.some((role) => role !== 'contractor');
}
