import type { Transaction } from 'kysely';
import type { TransactionalAudit } from '../control/policy-control.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { SessionEndReason } from '../sessions/session-types.ts';
import type { Database } from '../store/database-schema.ts';
import type { OffboardCause } from './offboarding-types.ts';

export interface SessionEnding {
  readonly email: string;
  readonly by: string;
  readonly reason: string;
  readonly cause: OffboardCause;
}

/** What the contractor's client is told when offboarding closes a session. */
export function offboardedMessage(ending: SessionEnding, resource: string): string {
  switch (ending.cause) {
    case 'engagement_ended':
      return `Your engagement is over: ${ending.reason}. Your session on ${resource} was closed.`;
    case 'policy_removed':
      return `You were removed from the access policy by ${ending.by} (${ending.reason}); your session on ${resource} was closed.`;
    case 'manual':
      return `You were offboarded by ${ending.by}: ${ending.reason}. Your session on ${resource} was closed.`;
  }
}

/** The kill reason other nodes put after "Your session on X was ended by BY: ". */
function killReason(ending: SessionEnding): string {
  switch (ending.cause) {
    case 'engagement_ended':
      return `your engagement is over (${ending.reason})`;
    case 'policy_removed':
      return `you were removed from the access policy (${ending.reason})`;
    case 'manual':
      return `you were offboarded (${ending.reason})`;
  }
}

function endReason(cause: OffboardCause): SessionEndReason {
  return cause === 'engagement_ended' ? 'expired' : 'killed';
}

/**
 * Ends the contractor's sessions on this node, at once and synchronously (so
 * a caller can do it before anything else gets a turn); each records its own
 * SESSION_ENDED when it has closed. Returns their ids.
 */
export function endLocalSessions(sessions: SessionRegistry, ending: SessionEnding): string[] {
  const email = ending.email.toLowerCase();
  const sessionsEnded: string[] = [];
  sessions.endWhere(
    (session) => {
      const hit = session.start.contractor.toLowerCase() === email;
      if (hit) sessionsEnded.push(session.id);
      return hit;
    },
    endReason(ending.cause),
    (session) => offboardedMessage(ending, session.start.resource),
  );
  return sessionsEnded.sort();
}

/** A session on another node, asked to end through the store. */
export interface KillRequested {
  readonly session: string;
  readonly node: string;
  readonly resource: string;
  /** The kill reason as stored; the holder shows "Your session on R was ended by BY: <reason>." */
  readonly reason: string;
}

/**
 * Asks the nodes holding the contractor's other live sessions to end them:
 * the kill request is written in the offboarding's own transaction, so it
 * commits together with the token revocations and the holder (which looks
 * for kill requests before revoked tokens) tells the client why. Each request
 * is recorded (SESSION_KILL_REQUESTED), as `stint kill` records it.
 */
export async function requestKillsWithin(
  trx: Transaction<Database>,
  audit: TransactionalAudit,
  ending: SessionEnding & { readonly now: number; readonly thisNode: string },
): Promise<KillRequested[]> {
  const reason = killReason(ending);
  const rows = await trx
    .updateTable('sessions')
    .set({ kill_requested_at: ending.now, kill_requested_by: ending.by, kill_reason: reason })
    .where('contractor', '=', ending.email)
    .where('ended_at', 'is', null)
    .where('node', '!=', ending.thisNode)
    .returning(['id', 'node', 'resource', 'contractor'])
    .execute();
  const kills = rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const row of kills) {
    await audit.appendWithin(trx, {
      code: 'SESSION_KILL_REQUESTED',
      actor: ending.by,
      resource: row.resource,
      subject: row.id,
      summary: `${ending.by} ended ${row.contractor}'s session ${row.id} on ${row.resource}: ${reason}.`,
      data: { session: row.id, contractor: row.contractor, reason, node: row.node },
    });
  }
  return kills.map((row) => ({ session: row.id, node: row.node, resource: row.resource, reason }));
}
