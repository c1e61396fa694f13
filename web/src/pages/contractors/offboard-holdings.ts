import type { AccessReportRow, Grant, Invite, AccessRequest, Session, TokenRecord } from '../../api/api-types.ts';
import { getAccessReport, listGrants, listInvites, listRequests, listSessions, listTokens } from '../../api/endpoints.ts';
import type { Http } from '../../api/http-client.ts';

/** Everything offboarding will end, fetched before the admin confirms. */
export interface Holdings {
  readonly access: readonly AccessReportRow[];
  readonly tokens: readonly TokenRecord[];
  readonly grants: readonly Grant[];
  readonly liveSessions: readonly Session[];
  readonly pendingRequests: readonly AccessRequest[];
  readonly pendingInvites: readonly Invite[];
}

export async function fetchHoldings(http: Http, email: string): Promise<Holdings> {
  const [access, tokens, grants, sessions, requests, invites] = await Promise.all([
    getAccessReport(http, { contractor: email }),
    listTokens(http, email),
    listGrants(http, { email }),
    listSessions(http, { state: 'live', email }),
    listRequests(http, { pending: true, limit: 1000 }),
    listInvites(http, true),
  ]);
  return {
    access,
    tokens,
    grants,
    // Filter again here: an older server ignores the email filter on sessions.
    liveSessions: sessions.items.filter((s) => s.contractor === email && s.endedAt === null),
    pendingRequests: requests.filter((r) => r.requester === email),
    pendingInvites: invites.filter((i) => i.email === email),
  };
}
