/**
 * The unsafe criterion: statements no ordinary grant allows (server files and
 * shell, other servers and sessions, server-wide configuration, code Stint
 * cannot see into). Only a role or grant naming `unsafe` allows them; admin
 * does not imply it. Opaque code alone — a DO block in a trusted language, a
 * SECURITY DEFINER function — may also run for a role holding the action
 * that would have covered it before it was classed unsafe.
 */
import type { Action } from './access-model.ts';
import type { AccessIndex } from './access-index.ts';
import { decide, type AccessIdentity } from './decide.ts';
import { NO_OBLIGATIONS, type Decision } from './decision.ts';

/** What the criterion reads of a statement (StatementInfo fits). */
export interface UnsafeShape {
  readonly unsafeReasons?: readonly string[];
  readonly opaqueCode?: 'do' | 'security_definer';
}

/**
 * Actions that cover opaque code instead of unsafe, in the order tried: a DO
 * block can do nothing a ddl or admin holder could not write out; a SECURITY
 * DEFINER function hands its owner's rights to every caller, which is an
 * administrator's call.
 */
export const OPAQUE_CODE_ACTIONS: Readonly<Record<'do' | 'security_definer', readonly Action[]>> = {
  do: ['ddl', 'admin'],
  security_definer: ['admin'],
};

export function unsafeDenyMessage(resource: string, statement: UnsafeShape): string {
  const reasons = statement.unsafeReasons !== undefined && statement.unsafeReasons.length > 0 ? statement.unsafeReasons.join('; ') : 'the statement is not one Stint can judge';
  const opaque = statement.opaqueCode === undefined ? '' : ` (a role holding ${OPAQUE_CODE_ACTIONS[statement.opaqueCode].join(' or ')} on ${resource} may run it)`;
  return `this statement is unsafe on ${resource}: ${reasons}${opaque}; unsafe operations are not available through the gateway unless a role names unsafe, so ask an administrator to run it or to grant it`;
}

/**
 * Decides an unsafe statement when no role or grant allows `unsafe` itself.
 * Returns undefined when unsafe is allowed, so the caller goes on with the
 * ordinary checks (guardrails, table scope) for the unsafe action.
 * `decideAs` decides the statement as another action, with every check.
 */
export function decideUnsafe(
  index: AccessIndex,
  identity: AccessIdentity,
  resource: string,
  statement: UnsafeShape,
  now: number,
  decideAs: (action: Action) => Decision,
): Decision | undefined {
  const base = decide(index, identity, resource, 'unsafe', now);
  if (base.allow) return undefined;
  if (statement.opaqueCode !== undefined) {
    // A guardrail that denies unsafe statements denies opaque code too, whichever role would allow it.
    const denyingGuardrail = index.guardrails(resource).some(({ rule }) => rule.deny.includes('unsafe'));
    if (!denyingGuardrail) {
      let firstDenial: Decision | undefined;
      for (const action of OPAQUE_CODE_ACTIONS[statement.opaqueCode]) {
        const decision = decideAs(action);
        if (decision.allow) return decision;
        firstDenial ??= decision;
      }
      // A guardrail refusing the covering action explains more than "unsafe".
      if (firstDenial !== undefined && firstDenial.reason.startsWith('DENY_GUARDRAIL')) return firstDenial;
    }
  }
  // Who the contractor is, or an explicit deny, explains a refusal better than the statement does.
  if (base.reason !== 'DENY_NO_GRANT') return base;
  return { allow: false, reason: 'DENY_UNSAFE', message: unsafeDenyMessage(resource, statement), obligations: NO_OBLIGATIONS, expiresAt: null };
}
