import type { RunningStatement } from './postgres-session-audit.ts';
import type { ResponseTracker } from './postgres-session-responses.ts';
import { describe } from './postgres-wire.ts';

/**
 * An Execute carries no RowDescription, and the client's own Describe (if it
 * sent one) may be far back or for another statement of the same name. So
 * before an Execute whose results are masked, the gateway asks the server to
 * describe that very portal; the answer is read by the gateway and never
 * reaches the client. Describe runs nothing and changes no state, so the
 * client's stream means what it meant.
 *
 * Returns the running statement with its portal, for row limits that span
 * the pieces of a portal run with a row count.
 */
export function describeForMasking(
  raw: Buffer,
  running: RunningStatement,
  tracker: ResponseTracker,
  channel: { forward(bytes: Buffer): void },
): RunningStatement {
  const obligations = running.obligations;
  if (obligations === undefined || obligations.length === 0) return running;
  const portal = executePortal(raw);
  const withPortal: RunningStatement = { ...running, portal };
  if (obligations.some((obligation) => obligation.kind === 'mask')) {
    tracker.expect({ kind: 'describe', hidden: withPortal });
    channel.forward(describe('P', portal));
  }
  return withPortal;
}

/** The portal name of an Execute message: type byte, length, then the name as a C string. */
export function executePortal(raw: Buffer): string {
  const end = raw.indexOf(0, 5);
  return end < 0 ? '' : raw.toString('utf8', 5, end);
}
