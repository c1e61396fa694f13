import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { AccessIndex } from '../access/access-index.ts';
import type { AuditEvent, AuditEventInput, AuditSink } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ContractorRepository } from '../identity/contractor-repository.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import type { Database } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';

/** The audit log, including writes inside a caller's transaction (a state change and its record commit together). */
export interface RequestAudit extends AuditSink {
  appendWithin(trx: Transaction<Database>, input: AuditEventInput): Promise<AuditEvent>;
}

/** The access index in force, and a way to rebuild it after a grant changes. */
export interface AccessView {
  index(): AccessIndex;
  refresh(): Promise<void>;
}

export interface RequestDeps {
  readonly store: Store;
  readonly audit: RequestAudit;
  readonly clock: Clock;
  readonly events: EventBus;
  /** The policy in force, null before the first apply. */
  readonly policy: () => CompiledPolicy | null;
  readonly contractors: ContractorRepository;
  readonly access: AccessView;
  readonly logger: Pick<Logger, 'error'>;
}

export const EXPIRY_ACTOR = 'system:expiry';

/** Failures of the store or the audit log are not refusals of the person: they are not recorded as such. */
const NOT_REFUSALS = new Set(['STINT_ERR_AUDIT_UNAVAILABLE', 'STINT_ERR_STORE_UNAVAILABLE', 'STINT_ERR_INTERNAL']);

export interface RefusalContext {
  readonly operation: 'request' | 'approve' | 'deny' | 'cancel' | 'revoke grant';
  readonly actor: string;
  subject?: string;
  resource?: string;
}

/** Runs `work`; a refusal (a StintError it throws) is audited as REQUEST_REFUSED before it reaches the caller. */
export async function refusing<T>(audit: AuditSink, context: RefusalContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StintError && !NOT_REFUSALS.has(error.code)) {
      await audit.append({
        code: 'REQUEST_REFUSED',
        actor: context.actor,
        resource: context.resource ?? null,
        subject: context.subject ?? null,
        summary: `${context.operation} by ${context.actor} refused: ${error.message}`,
        data: { operation: context.operation, error: error.code, message: error.message },
      });
    }
    throw error;
  }
}

export function requirePolicy(policy: CompiledPolicy | null): CompiledPolicy {
  if (policy === null) throw new StintError('STINT_ERR_POLICY_NOT_APPLIED');
  return policy;
}
