import type { Kysely, Transaction } from 'kysely';
import type { AuditSink } from '../audit/audit-event.ts';
import { StintError, isStintError } from '../errors/stint-error.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import type { Database, TokenSubjectKind } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { isoString } from '../time/instant.ts';
import { ensureAdminToken, type AdminBootstrapResult } from './admin-bootstrap.ts';
import { ContractorRepository } from './contractor-repository.ts';
import { normaliseEmail } from './email-address.ts';
import { recordOrUndo, refuse } from './identity-audit.ts';
import type { AuthContext, AuthResult } from './principal.ts';
import { authenticateToken } from './token-authenticate.ts';
import { newAccessToken, newTokenId } from './token-format.ts';
import { deleteTokenRow, findTokenById, insertTokenRow, toTokenRecord, unrevokeTokens, type TokenRecord } from './token-rows.ts';

export type { ApiRoleName, AuthContext, AuthFailureCode, AuthResult, Principal } from './principal.ts';
export type { TokenRecord } from './token-rows.ts';

/** What every identity service is built from. `policy` is the policy in force, null before the first apply. */
export interface IdentityDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly policy: () => CompiledPolicy | null;
}

export interface CreateTokenInput {
  readonly subject: string;
  readonly kind: TokenSubjectKind;
  /** Lifetime; defaults to the policy's token TTL (admin tokens: no expiry). Contractor tokens never outlive the engagement. */
  readonly ttlMs?: number;
  readonly createdBy: string;
  readonly label?: string;
}

export interface CreatedToken {
  readonly id: string;
  /** The plaintext: returned once, never stored. */
  readonly token: string;
  readonly expiresAt: number | null;
  readonly subject: string;
  readonly kind: TokenSubjectKind;
}

export interface RevokeOptions {
  readonly by: string;
  readonly reason?: string;
}

export interface RevokeResult extends TokenRecord {
  /** True when the token was already revoked before this call (nothing changed). */
  readonly alreadyRevoked: boolean;
}

/** Issues, checks and revokes access tokens. Tokens are stored only as hashes. */
export class TokenService {
  readonly #deps: IdentityDeps;
  readonly #contractors: ContractorRepository;

  constructor(deps: IdentityDeps & { readonly contractors?: ContractorRepository }) {
    this.#deps = deps;
    this.#contractors = deps.contractors ?? new ContractorRepository({ store: deps.store });
  }

  /** Issues a token; every refusal is recorded as TOKEN_CREATE_REFUSED before it is thrown. */
  async create(input: CreateTokenInput): Promise<CreatedToken> {
    const now = this.#deps.clock.now();
    const subject = normaliseEmail(input.subject);
    let expiresAt: number | null;
    try {
      expiresAt = await this.#expiry(input, subject, now);
    } catch (error) {
      if (!isStintError(error)) throw error;
      return refuse(
        this.#deps.audit,
        {
          code: 'TOKEN_CREATE_REFUSED',
          actor: input.createdBy,
          subject,
          summary: `Token for ${subject} (${input.kind}) refused: ${error.message}`,
          data: { kind: input.kind, reason: error.code },
        },
        error,
      );
    }

    const { token, hash } = newAccessToken();
    const id = newTokenId();
    const db = this.#deps.store.db;
    await insertTokenRow(db, {
      id,
      hash,
      subject,
      subject_kind: input.kind,
      created_at: now,
      created_by: input.createdBy,
      expires_at: expiresAt,
      label: input.label ?? null,
    });
    await recordOrUndo(
      this.#deps.audit,
      {
        code: 'TOKEN_CREATED',
        actor: input.createdBy,
        subject,
        summary: `Token ${id} issued to ${subject} (${input.kind}), ${expiresAt === null ? 'without expiry' : `expiring ${isoString(expiresAt)}`}.`,
        data: { tokenId: id, kind: input.kind, expiresAt, label: input.label ?? null },
      },
      () => deleteTokenRow(db, id),
    );
    return { id, token, expiresAt, subject, kind: input.kind };
  }

  async #expiry(input: CreateTokenInput, subject: string, now: number): Promise<number | null> {
    if (input.ttlMs !== undefined && !(Number.isSafeInteger(input.ttlMs) && input.ttlMs > 0)) {
      throw new StintError('STINT_ERR_BAD_DURATION', `The token lifetime must be a positive duration, not ${input.ttlMs} ms.`);
    }
    if (subject === '') throw new StintError('STINT_ERR_BAD_REQUEST', 'A token needs a subject.');
    switch (input.kind) {
      case 'admin':
        return input.ttlMs === undefined ? null : now + input.ttlMs;
      case 'staff': {
        const policy = this.#policy();
        if (!policy.staff.some((member) => member.email === subject)) {
          throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `There is no contractor or staff member ${subject} in the policy in force; staff tokens need an entry under staff.`);
        }
        return now + (input.ttlMs ?? policy.settings.tokenTtlMs);
      }
      case 'contractor': {
        const contractor = await this.#contractors.get(subject);
        if (contractor === null) {
          throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `There is no contractor ${subject} on record; invite them first.`);
        }
        if (contractor.status !== 'active') {
          throw new StintError('STINT_ERR_CONTRACTOR_OFFBOARDED', `${subject} was offboarded; re-onboard them with a new invite.`);
        }
        if (now >= contractor.untilAt) {
          throw new StintError('STINT_ERR_ENGAGEMENT_ENDED', `The engagement of ${subject} ended at ${isoString(contractor.untilAt)}.`);
        }
        const ttl = input.ttlMs ?? this.#policy().settings.tokenTtlMs;
        // A token never outlives the engagement it serves.
        return Math.min(now + ttl, contractor.untilAt);
      }
    }
  }

  #policy(): CompiledPolicy {
    const policy = this.#deps.policy();
    if (policy === null) throw new StintError('STINT_ERR_POLICY_NOT_APPLIED');
    return policy;
  }

  /** Revokes one token. Unknown id: STINT_ERR_NOT_FOUND; an already revoked token is reported, not changed. */
  async revoke(id: string, options: RevokeOptions): Promise<RevokeResult> {
    const db = this.#deps.store.db;
    const row = await findTokenById(db, id);
    if (row === undefined) throw new StintError('STINT_ERR_NOT_FOUND', `No token has the id ${id}.`);
    if (row.revoked_at !== null) return { ...toTokenRecord(row), alreadyRevoked: true };

    const now = this.#deps.clock.now();
    const reason = options.reason ?? null;
    const updated = await db
      .updateTable('tokens')
      .set({ revoked_at: now, revoked_by: options.by, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (updated === undefined) {
      // Someone revoked it between our read and our write.
      const current = await findTokenById(db, id);
      if (current === undefined) throw new StintError('STINT_ERR_NOT_FOUND', `No token has the id ${id}.`);
      return { ...toTokenRecord(current), alreadyRevoked: true };
    }
    await recordOrUndo(
      this.#deps.audit,
      {
        code: 'TOKEN_REVOKED',
        actor: options.by,
        subject: row.subject,
        summary: `Token ${id} of ${row.subject} revoked by ${options.by}${reason === null ? '' : `: ${reason}`}.`,
        data: { tokenId: id, kind: row.subject_kind, reason },
      },
      () => unrevokeTokens(db, [id], now, options.by),
    );
    return { ...toTokenRecord(updated), alreadyRevoked: false };
  }

  /**
   * Revokes every live token of a subject; returns how many. Inside a caller's
   * transaction (a policy apply) the caller's own audit record covers the
   * revocation: appending here would wait on that very transaction on SQLite.
   */
  async revokeAllFor(email: string, options: RevokeOptions, trx?: Transaction<Database>): Promise<number> {
    const db: Kysely<Database> | Transaction<Database> = trx ?? this.#deps.store.db;
    const subject = normaliseEmail(email);
    const now = this.#deps.clock.now();
    const reason = options.reason ?? null;
    const revoked = await db
      .updateTable('tokens')
      .set({ revoked_at: now, revoked_by: options.by, revoked_reason: reason })
      .where('subject', '=', subject)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .returning('id')
      .execute();
    const ids = revoked.map((row) => row.id).sort();
    if (ids.length === 0 || trx !== undefined) return ids.length;
    await recordOrUndo(
      this.#deps.audit,
      {
        code: 'TOKEN_REVOKED',
        actor: options.by,
        subject,
        summary: `${ids.length} token(s) of ${subject} revoked by ${options.by}${reason === null ? '' : `: ${reason}`}.`,
        data: { tokenIds: ids, count: ids.length, reason },
      },
      () => unrevokeTokens(db, ids, now, options.by),
    );
    return ids.length;
  }

  /** Tokens without their hashes; by default only live ones (not revoked, not expired). */
  async list(options: { subject?: string; includeInactive?: boolean } = {}): Promise<TokenRecord[]> {
    const now = this.#deps.clock.now();
    let query = this.#deps.store.db
      .selectFrom('tokens')
      .select(['id', 'subject', 'subject_kind', 'label', 'created_at', 'created_by', 'expires_at', 'revoked_at', 'revoked_by', 'revoked_reason', 'last_used_at'])
      .orderBy('created_at')
      .orderBy('id');
    if (options.subject !== undefined) query = query.where('subject', '=', normaliseEmail(options.subject));
    if (options.includeInactive !== true) {
      query = query.where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    }
    const rows = await query.execute();
    return rows.map(toTokenRecord);
  }

  authenticate(token: string, context: AuthContext): Promise<AuthResult> {
    return authenticateToken({ ...this.#deps, contractors: this.#contractors }, token, context);
  }

  ensureAdminToken(options: { envToken?: string } = {}): Promise<AdminBootstrapResult> {
    return ensureAdminToken(this.#deps, options);
  }
}
