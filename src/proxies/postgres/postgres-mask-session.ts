import type { Logger } from 'pino';
import type { AuditSink } from '../../audit/audit-event.ts';
import { ResultRewriter } from './postgres-mask-results.ts';
import type { SessionAuditContext } from './postgres-session-audit.ts';
import type { Established, UpstreamConnector } from './postgres-session-startup.ts';

/** Marks the gateway's catalog connections in pg_stat_activity. */
const CATALOG_PARAMS: ReadonlyMap<string, string> = new Map([['application_name', 'stint-masking']]);

/**
 * The ResultRewriter of one session: catalog lookups go over a connection of
 * their own to the session's target, cut results are recorded in the audit log.
 */
export function sessionResults(
  deps: { readonly upstream: UpstreamConnector; readonly audit: AuditSink },
  established: Established,
  context: SessionAuditContext,
  logger: Logger,
): ResultRewriter {
  return new ResultRewriter({
    connect: () => deps.upstream.connect(established.target, CATALOG_PARAMS),
    context,
    record: (event) => {
      deps.audit.append(event).catch((error: unknown) => logger.error({ err: error, code: event.code }, 'could not record a result cut'));
    },
    warn: (error, message) => logger.warn({ err: error }, message),
  });
}
