import { type Kysely, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { AuditEvent, AuditEventInput } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import type { ContractorRepository } from '../identity/contractor-repository.ts';
import type { TokenService } from '../identity/token-service.ts';
import { loadPolicyFromFiles } from '../policy/policy-load.ts';
import { planPolicy, type PolicyPlan } from '../policy/policy-plan.ts';
import type { CompiledPolicy, ContractorRecord, LoadedPolicy, PolicyFile, RunningState } from '../policy/policy-types.ts';
import type { Database } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';

/** Writes an audit event inside the caller's transaction, so the change and its record commit together. */
export interface TransactionalAudit {
  appendWithin(trx: Transaction<Database>, input: AuditEventInput): Promise<AuditEvent>;
}

export interface AppliedPolicy {
  readonly version: number;
  readonly digest: string;
  readonly compiled: CompiledPolicy;
  readonly appliedAt: number;
  readonly appliedBy: string;
}

export interface ApplyResult extends PolicyPlan {
  readonly version: number;
}

/** A contractor an apply removed: as the store held them just before, and how many tokens the apply revoked. */
export interface RemovedContractor {
  readonly record: ContractorRecord;
  readonly tokensRevoked: number;
}

/** What listeners of `afterApply` are told once an apply has committed. */
export interface CommittedApply {
  readonly version: number;
  readonly digest: string;
  readonly actor: string;
  readonly appliedAt: number;
  readonly plan: PolicyPlan;
  /** The policy in force before this apply (null for the first). */
  readonly previous: CompiledPolicy | null;
  readonly removed: readonly RemovedContractor[];
}

export type AfterApplyListener = (applied: CommittedApply) => Promise<void> | void;

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Owns the policy in force: plans and applies policy files against the
 * running state, atomically with their audit record, and keeps an in-memory
 * copy every other service reads through `current()`.
 */
export class PolicyControl {
  readonly #store: Store;
  readonly #audit: TransactionalAudit;
  readonly #clock: Clock;
  readonly #contractors: ContractorRepository;
  readonly #tokens: TokenService;
  readonly #listeners = new Set<(applied: AppliedPolicy) => void>();
  readonly #afterApply = new Set<AfterApplyListener>();
  readonly #logger: Pick<Logger, 'error'> | undefined;
  #current: AppliedPolicy | null = null;

  constructor(deps: { store: Store; audit: TransactionalAudit; clock: Clock; contractors: ContractorRepository; tokens: TokenService; logger?: Pick<Logger, 'error'> }) {
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#contractors = deps.contractors;
    this.#tokens = deps.tokens;
  }

  /** The policy in force on this node, or null before the first apply. */
  current(): AppliedPolicy | null {
    return this.#current;
  }

  /** Called after every apply or refresh that changed the policy. */
  onChange(listener: (applied: AppliedPolicy) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Called once an apply has committed, in subscription order, before `apply`
   * returns: post-commit work (ending removed contractors' sessions,
   * notifications). A listener's failure is logged; the apply stands.
   */
  afterApply(listener: AfterApplyListener): () => void {
    this.#afterApply.add(listener);
    return () => this.#afterApply.delete(listener);
  }

  /** Re-reads the latest applied version from the store (another node may have applied one). */
  async refresh(): Promise<AppliedPolicy | null> {
    const latest = await this.#latestVersion(this.#store.db);
    if (latest !== null && latest.version !== this.#current?.version) this.#setCurrent(latest);
    return this.#current;
  }

  async runningState(db: Db = this.#store.db): Promise<RunningState> {
    const applied = await this.#latestVersion(db);
    const contractors = await this.#contractors.list(db);
    return { applied: applied === null ? null : { digest: applied.digest, compiled: applied.compiled }, contractors };
  }

  /** Validates the files (errors name file, line and field) and diffs them against the running state. */
  async plan(files: readonly PolicyFile[]): Promise<PolicyPlan> {
    const desired = loadPolicyFromFiles(files, { now: this.#clock.now() });
    return planPolicy(desired, await this.runningState(), this.#clock.now());
  }

  /**
   * Applies the files in one transaction: the new version, the contractor
   * changes, the revocation of removed contractors' tokens and the audit event
   * carrying the digest and the diff all commit together or not at all.
   */
  async apply(files: readonly PolicyFile[], actor: string): Promise<ApplyResult> {
    const now = this.#clock.now();
    const desired = loadPolicyFromFiles(files, { now });
    const committed = await this.#store.db.transaction().execute(async (trx) => {
      await this.#serialiseApplies(trx);
      const running = await this.runningState(trx);
      const plan = planPolicy(desired, running, now);
      const version = await this.#writeVersion(trx, desired, actor, now);
      const removed: RemovedContractor[] = [];
      for (const contractor of plan.contractorWrites.upsert) await this.#contractors.upsertFromFiles(contractor, now, trx);
      for (const email of plan.contractorWrites.remove) {
        await this.#contractors.remove(email, now, trx);
        const revoked = await this.#tokens.revokeAllFor(email, { by: actor, reason: 'removed by a policy apply' }, trx);
        const record = running.contractors.find((c) => c.email === email);
        if (record !== undefined) removed.push({ record, tokensRevoked: revoked });
        await this.#audit.appendWithin(trx, {
          code: 'CONTRACTOR_REMOVED',
          actor,
          subject: email,
          summary: `${email} was removed by policy ${desired.digest.slice(0, 12)}; ${revoked} token(s) revoked.`,
          data: { digest: desired.digest, tokensRevoked: revoked },
        });
      }
      await this.#audit.appendWithin(trx, {
        code: 'POLICY_APPLIED',
        actor,
        subject: desired.digest,
        summary: `Policy ${desired.digest.slice(0, 12)} applied by ${actor}: ${plan.changes.length} change(s).`,
        data: {
          digest: desired.digest,
          previousDigest: plan.previousDigest,
          version,
          files: desired.files.map((f) => f.path),
          changes: plan.changes.map((c) => ({ kind: c.kind, subject: c.subject, text: c.text })),
        },
      });
      return { result: { ...plan, version }, removed, previous: running.applied?.compiled ?? null };
    });
    const { result } = committed;
    this.#setCurrent({ version: result.version, digest: desired.digest, compiled: desired.compiled, appliedAt: now, appliedBy: actor });
    const applied: CommittedApply = { version: result.version, digest: desired.digest, actor, appliedAt: now, plan: result, previous: committed.previous, removed: committed.removed };
    for (const listener of this.#afterApply) {
      try {
        await listener(applied);
      } catch (error) {
        this.#logger?.error({ err: error, digest: desired.digest }, 'work after a committed policy apply failed');
      }
    }
    return result;
  }

  /**
   * Two nodes applying at once must not both plan against the same running
   * state. On PostgreSQL the audit chain head row doubles as the apply lock
   * (the apply appends to the chain anyway); SQLite transactions already serialise.
   */
  async #serialiseApplies(trx: Transaction<Database>): Promise<void> {
    if (this.#store.engine === 'postgres') await sql`SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE`.execute(trx);
  }

  async #writeVersion(trx: Transaction<Database>, desired: LoadedPolicy, actor: string, now: number): Promise<number> {
    const row = await trx
      .insertInto('policy_versions')
      .values({
        digest: desired.digest,
        applied_at: now,
        applied_by: actor,
        document: JSON.stringify(desired.compiled),
        files: JSON.stringify(desired.files),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async #latestVersion(db: Db): Promise<AppliedPolicy | null> {
    const row = await db.selectFrom('policy_versions').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (row === undefined) return null;
    try {
      return {
        version: row.id,
        digest: row.digest,
        compiled: JSON.parse(row.document) as CompiledPolicy,
        appliedAt: row.applied_at,
        appliedBy: row.applied_by,
      };
    } catch (error) {
      // Fail closed: a policy we cannot read must not silently become "no policy".
      throw new StintError('STINT_ERR_STORE_UNAVAILABLE', `The applied policy version ${row.id} in the store is unreadable.`, [], { cause: error });
    }
  }

  #setCurrent(applied: AppliedPolicy): void {
    this.#current = applied;
    for (const listener of this.#listeners) listener(applied);
  }
}

/** The stored files of the policy in force, for `drift` against a checkout and for the console. */
export async function appliedPolicyFiles(store: Store): Promise<readonly PolicyFile[] | null> {
  const row = await store.db.selectFrom('policy_versions').select('files').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? null : (JSON.parse(row.files) as PolicyFile[]);
}
