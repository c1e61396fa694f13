import type { AuditEventInput, AuditSink } from '../audit/audit-event.ts';
import { StintError, isStintError } from '../errors/stint-error.ts';

/**
 * How identity changes and their audit records stay together.
 *
 * The audit sink commits through its own transaction on the same store. On
 * SQLite there is one connection and one writer, so appending while one of our
 * transactions is open would wait on ourselves; an AuditSink also offers no way
 * to join a caller's transaction. So:
 *
 * - Refusals are recorded first and only then reported: if the record cannot
 *   be written, the caller hears the audit failure instead, and nothing was
 *   changed anyway.
 * - Changes are made first, each as a conditional statement that is atomic on
 *   its own, then recorded. If the record is refused, the change is undone with
 *   a compensating statement that matches only the row as we left it, and the
 *   operation fails. No secret (token, invite code) is returned before its
 *   record is committed, so nothing can use a change in the moment before it
 *   is undone. The log may thus over-report an undone change if a later record
 *   of the same operation fails, but it never misses a change that stayed.
 */

/** The error to report when the audit log refused a record: the sink's own StintError, or AUDIT_UNAVAILABLE. */
export function auditFailure(error: unknown): StintError {
  if (isStintError(error)) return error;
  return new StintError('STINT_ERR_AUDIT_UNAVAILABLE', undefined, [], { cause: error });
}

/** Appends the record, translating a rejection into a StintError. */
export async function appendAudit(audit: AuditSink, event: AuditEventInput): Promise<void> {
  try {
    await audit.append(event);
  } catch (error) {
    throw auditFailure(error);
  }
}

/** Records a refusal, then throws it. */
export async function refuse(audit: AuditSink, event: AuditEventInput, error: StintError): Promise<never> {
  await appendAudit(audit, event);
  throw error;
}

/**
 * Undo steps of one operation, run newest first when the operation fails
 * after some of its changes were made.
 */
export class UndoStack {
  readonly #steps: (() => Promise<unknown>)[] = [];

  push(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }

  /**
   * Runs every step even if one fails, so one stuck row does not keep the
   * others changed; the first undo failure is attached to the original error,
   * which is what the caller reports.
   */
  async unwind(original: unknown): Promise<never> {
    const failures: unknown[] = [];
    for (const step of this.#steps.reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    this.#steps.length = 0;
    if (failures.length > 0 && original instanceof Error && original.cause === undefined) {
      original.cause = new AggregateError(failures, 'undoing the partial change failed');
    }
    throw original;
  }
}

/** Records a change that was already made; if the record is refused, undoes the change and fails. */
export async function recordOrUndo(audit: AuditSink, event: AuditEventInput, undo: () => Promise<unknown>): Promise<void> {
  const stack = new UndoStack();
  stack.push(undo);
  try {
    await audit.append(event);
  } catch (error) {
    await stack.unwind(auditFailure(error));
  }
}
