import type { AuditEventInput } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import type { CompiledPolicy, ContractorRecord } from '../policy/policy-types.ts';
import { isoString } from '../time/instant.ts';
import { ContractorRepository, decodeRoles, encodeRoles } from './contractor-repository.ts';
import { isEmailAddress, normaliseEmail } from './email-address.ts';
import { appendAudit, recordOrUndo, refuse, UndoStack } from './identity-audit.ts';
import { claimInvite, findInvite, INVITE_COLUMNS, inviteStatus, toInviteRecord, unclaimInvite, type InviteRecord, type InviteRow } from './invite-rows.ts';
import { hashSecret, looksLikeInviteCode, newInviteCode, newInviteId } from './token-format.ts';
import { deleteTokenRow } from './token-rows.ts';
import { TokenService, type IdentityDeps } from './token-service.ts';

export type { InviteRecord, InviteStatus } from './invite-rows.ts';

export interface CreateInviteInput {
  readonly email: string;
  readonly roles: readonly string[];
  /** Engagement end (exclusive); defaults to now + the policy's default engagement. */
  readonly untilAt?: number;
  readonly createdBy: string;
}

export interface CreatedInvite {
  readonly id: string;
  /** The plaintext code: returned once, stored only as a hash. */
  readonly code: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly untilAt: number;
  readonly expiresAt: number;
}

export interface AcceptedInvite {
  readonly email: string;
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAt: number | null;
  /** The contractor's engagement end and roles as now on record. */
  readonly untilAt: number;
  readonly roles: readonly string[];
}

type RejectReason = 'unknown' | 'revoked' | 'used' | 'expired' | 'engagement-ended' | 'policy-not-applied';

/**
 * Invites: a sponsor names an email and roles, the contractor exchanges the
 * single-use code for a token. No admin step sits between the two.
 */
export class InviteService {
  readonly #deps: IdentityDeps;
  readonly #contractors: ContractorRepository;
  readonly #tokens: TokenService;

  constructor(deps: IdentityDeps & { readonly tokens?: TokenService; readonly contractors?: ContractorRepository }) {
    this.#deps = deps;
    this.#contractors = deps.contractors ?? new ContractorRepository({ store: deps.store });
    this.#tokens = deps.tokens ?? new TokenService({ ...deps, contractors: this.#contractors });
  }

  async create(input: CreateInviteInput): Promise<CreatedInvite> {
    const now = this.#deps.clock.now();
    const policy = this.#deps.policy();
    if (policy === null) throw new StintError('STINT_ERR_POLICY_NOT_APPLIED');
    const email = normaliseEmail(input.email);
    if (!isEmailAddress(email)) throw new StintError('STINT_ERR_BAD_REQUEST', `"${input.email}" is not an email address.`);
    const roles = [...new Set(input.roles)];
    checkRoles(roles, policy);
    const untilAt = input.untilAt ?? now + policy.settings.defaultEngagementMs;
    if (!Number.isSafeInteger(untilAt) || untilAt <= now) {
      const when = Number.isSafeInteger(untilAt) ? isoString(untilAt) : String(untilAt);
      throw new StintError('STINT_ERR_BAD_DATE', `The engagement end ${when} is not in the future.`);
    }
    // An invite is of no use once the engagement it opens has ended.
    const expiresAt = Math.min(now + policy.settings.inviteTtlMs, untilAt);

    const id = newInviteId();
    const code = newInviteCode();
    const db = this.#deps.store.db;
    await db
      .insertInto('invites')
      .values({ id, code_hash: hashSecret(code), email, roles: encodeRoles(roles), until_at: untilAt, expires_at: expiresAt, created_at: now, created_by: input.createdBy })
      .execute();
    await recordOrUndo(
      this.#deps.audit,
      {
        code: 'INVITE_CREATED',
        actor: input.createdBy,
        subject: email,
        summary: `${input.createdBy} invited ${email} as ${roles.join(', ')} until ${isoString(untilAt)}.`,
        data: { inviteId: id, roles, untilAt, expiresAt },
      },
      () => db.deleteFrom('invites').where('id', '=', id).execute(),
    );
    return { id, code, email, roles, untilAt, expiresAt };
  }

  /**
   * Exchanges a code for a token. Every rejection is recorded (never with the
   * code) before it is reported; a success records CONTRACTOR_ADDED (when the
   * record changed), TOKEN_CREATED and INVITE_ACCEPTED, and if any of those
   * cannot be written the whole acceptance is undone and the code stays usable.
   */
  async accept(code: string, context: { ip?: string } = {}): Promise<AcceptedInvite> {
    const now = this.#deps.clock.now();
    const db = this.#deps.store.db;
    const reject = (reason: RejectReason, error: StintError, invite?: InviteRow): Promise<never> =>
      refuse(this.#deps.audit, rejection(reason, error, context.ip, invite), error);

    const invite = looksLikeInviteCode(code) ? await findInvite(db, { codeHash: hashSecret(code) }) : undefined;
    if (invite === undefined) return reject('unknown', new StintError('STINT_ERR_INVITE_INVALID'));
    const refusal = checkAcceptable(invite, now);
    if (refusal !== null) return reject(refusal[0], refusal[1], invite);
    if (this.#deps.policy() === null) return reject('policy-not-applied', new StintError('STINT_ERR_POLICY_NOT_APPLIED'), invite);
    const existing = await this.#contractors.get(invite.email);
    if (existing?.status === 'active' && now >= existing.untilAt) {
      return reject('engagement-ended', new StintError('STINT_ERR_ENGAGEMENT_ENDED', `The engagement of ${existing.email} on record ended at ${isoString(existing.untilAt)}.`), invite);
    }

    if (!(await claimInvite(db, invite.id, now))) {
      // Another acceptance (or a revocation) won the race since we read the invite.
      const current = (await findInvite(db, { id: invite.id })) ?? invite;
      const lost = checkAcceptable(current, now) ?? ['used', new StintError('STINT_ERR_INVITE_USED')];
      return reject(lost[0], lost[1], invite);
    }

    const undo = new UndoStack();
    undo.push(() => unclaimInvite(db, invite.id, now));
    try {
      const contractor = await this.#onboard(invite, existing, now, undo);
      const issued = await this.#tokens.create({ subject: invite.email, kind: 'contractor', createdBy: invite.email, label: `invite ${invite.id}` });
      undo.push(() => deleteTokenRow(db, issued.id));
      await appendAudit(this.#deps.audit, {
        code: 'INVITE_ACCEPTED',
        actor: invite.email,
        subject: invite.email,
        summary: `${invite.email} accepted invite ${invite.id} from ${invite.created_by} and received token ${issued.id}.`,
        data: { inviteId: invite.id, tokenId: issued.id, sponsor: invite.created_by, ip: context.ip ?? null },
      });
      return { email: invite.email, token: issued.token, tokenId: issued.id, expiresAt: issued.expiresAt, untilAt: contractor.untilAt, roles: contractor.roles };
    } catch (error) {
      return undo.unwind(error);
    }
  }

  /**
   * Adds the contractor, or re-onboards an offboarded one with the invite's
   * roles and end; an active record (e.g. from the policy files) is left alone.
   */
  async #onboard(invite: InviteRow, existing: ContractorRecord | null, now: number, undo: UndoStack): Promise<ContractorRecord> {
    const roles = decodeRoles(invite.roles, `invite ${invite.id}`);
    const added = await this.#contractors.addFromInvite({ email: invite.email, roles, untilAt: invite.until_at, sponsor: invite.created_by }, now);
    if (added === null) {
      const current = existing ?? (await this.#contractors.get(invite.email));
      if (current === null) throw new StintError('STINT_ERR_INTERNAL', `The contractor ${invite.email} vanished while accepting invite ${invite.id}.`);
      return current;
    }
    undo.push(() => this.#contractors.restore(invite.email, existing, now));
    const reactivated = existing !== null;
    await appendAudit(this.#deps.audit, {
      code: 'CONTRACTOR_ADDED',
      actor: invite.email,
      subject: invite.email,
      summary: `${invite.email} ${reactivated ? 're-onboarded' : 'added'} as ${roles.join(', ')} until ${isoString(invite.until_at)} (invite ${invite.id}, sponsor ${invite.created_by}).`,
      data: { inviteId: invite.id, roles, untilAt: invite.until_at, sponsor: invite.created_by, source: 'api', reactivated },
    });
    return added;
  }

  /** Invites without their code hashes, oldest first; `pending` keeps only those that can still be accepted. */
  async list(options: { pending?: boolean } = {}): Promise<InviteRecord[]> {
    const now = this.#deps.clock.now();
    let query = this.#deps.store.db.selectFrom('invites').select(INVITE_COLUMNS).orderBy('created_at').orderBy('id');
    if (options.pending === true) query = query.where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now);
    const rows = await query.execute();
    return rows.map((row) => toInviteRecord(row, now));
  }

  /** Revokes a pending (or expired) invite. An accepted one cannot be: revoke its token instead. */
  async revoke(id: string, by: string): Promise<InviteRecord & { alreadyRevoked: boolean }> {
    const db = this.#deps.store.db;
    const now = this.#deps.clock.now();
    const row = await findInvite(db, { id });
    if (row === undefined) throw new StintError('STINT_ERR_NOT_FOUND', `No invite has the id ${id}.`);
    const changed = await db
      .updateTable('invites')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (changed.numUpdatedRows === 0n) {
      const current = (await findInvite(db, { id })) ?? row;
      if (current.accepted_at !== null) {
        throw new StintError('STINT_ERR_INVITE_USED', `Invite ${id} was already accepted; revoke the token it issued instead (\`stint token revoke\`).`);
      }
      return { ...toInviteRecord(current, now), alreadyRevoked: true };
    }
    await recordOrUndo(
      this.#deps.audit,
      {
        code: 'INVITE_REVOKED',
        actor: by,
        subject: row.email,
        summary: `Invite ${id} for ${row.email} revoked by ${by}.`,
        data: { inviteId: id, wasStatus: inviteStatus(row, now) },
      },
      () => db.updateTable('invites').set({ revoked_at: null }).where('id', '=', id).where('revoked_at', '=', now).execute(),
    );
    return { ...toInviteRecord({ ...row, revoked_at: now }, now), alreadyRevoked: false };
  }
}

function checkRoles(roles: readonly string[], policy: CompiledPolicy): void {
  if (roles.length === 0) throw new StintError('STINT_ERR_BAD_REQUEST', 'An invite needs at least one role.');
  const declared = policy.roles.map((role) => role.name);
  const unknown = roles.filter((role) => !declared.includes(role));
  if (unknown.length > 0) {
    const list = declared.length > 0 ? declared.join(', ') : '(none declared)';
    throw new StintError('STINT_ERR_UNKNOWN_ROLE', `The role${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not declared in the policy; declared roles: ${list}.`);
  }
}

/** Why an invite as read cannot be accepted now, or null when it can. */
function checkAcceptable(invite: InviteRow, now: number): [RejectReason, StintError] | null {
  if (invite.revoked_at !== null) return ['revoked', new StintError('STINT_ERR_INVITE_INVALID', 'The invite was revoked; ask your sponsor for a new one.')];
  if (invite.accepted_at !== null) return ['used', new StintError('STINT_ERR_INVITE_USED')];
  if (now >= invite.expires_at) return ['expired', new StintError('STINT_ERR_INVITE_EXPIRED', `The invite expired at ${isoString(invite.expires_at)}.`)];
  if (now >= invite.until_at) {
    return ['engagement-ended', new StintError('STINT_ERR_ENGAGEMENT_ENDED', `The engagement this invite opens ended at ${isoString(invite.until_at)}.`)];
  }
  return null;
}

function rejection(reason: RejectReason, error: StintError, ip: string | undefined, invite?: InviteRow): AuditEventInput {
  return {
    code: 'INVITE_REJECTED',
    actor: `anonymous@${ip ?? 'unknown'}`,
    subject: invite?.email ?? null,
    summary: `Invite ${invite?.id ?? 'with an unknown code'} rejected: ${reason}.`,
    data: { reason, error: error.code, inviteId: invite?.id ?? null, ip: ip ?? null },
  };
}
