/**
 * One function per API endpoint the console uses. Each takes the Http of
 * the signed-in viewer; shapes are in api-types.ts.
 */
import type {
  AcceptedInvite,
  AccessMatrix,
  AccessReportRow,
  AccessRequest,
  Action,
  AuditPage,
  Contractor,
  CreatedInvite,
  Grant,
  Invite,
  Me,
  OffboardReport,
  Overview,
  Paged,
  Principal,
  Session,
  SessionDetail,
  TokenRecord,
  VerifyReport,
} from './api-types.ts';
import { segment, withQuery, type Http } from './http-client.ts';

export const getWhoami = (http: Http) => http.get<Principal>('/v1/whoami');

export const getOverview = (http: Http) => http.get<Overview>('/v1/console/overview');

export const listContractors = async (http: Http, status: 'active' | 'offboarded' | 'all' = 'active') =>
  (await http.get<{ contractors: Contractor[] }>('/v1/contractors', { status })).contractors;

export const getContractor = (http: Http, email: string) => http.get<Contractor>(`/v1/contractors/${segment(email)}`);

export const offboardContractor = (http: Http, email: string, reason?: string) =>
  http.post<OffboardReport>(`/v1/contractors/${segment(email)}/offboard`, reason === undefined || reason === '' ? {} : { reason });

export const createInvite = (http: Http, input: { email: string; roles: string[]; until?: string }) =>
  http.post<CreatedInvite>('/v1/invites', { email: input.email, roles: input.roles, ...(input.until === undefined || input.until === '' ? {} : { until: input.until }) });

export const listInvites = async (http: Http, pending = true) => (await http.get<{ invites: Invite[] }>('/v1/invites', { pending })).invites;

export const acceptInvite = (http: Http, code: string) => http.post<AcceptedInvite>('/v1/invites/accept', { code });

export const listTokens = async (http: Http, email: string) => (await http.get<{ tokens: TokenRecord[] }>('/v1/tokens', { for: email })).tokens;

export const getAccessMatrix = (http: Http) => http.get<AccessMatrix>('/v1/access/matrix');

export const getAccessReport = async (http: Http, filters: { contractor?: string; resource?: string } = {}) =>
  (await http.get<{ rows: AccessReportRow[] }>('/v1/reports/access', filters)).rows;

export const listRequests = async (http: Http, options: { pending?: boolean; limit?: number } = {}) =>
  (await http.get<{ requests: AccessRequest[] }>('/v1/requests', { pending: options.pending ?? false, limit: options.limit })).requests;

export const createRequest = (http: Http, input: { resource: string; actions: Action[]; duration: string; reason?: string; tables?: string[] }) =>
  http.post<AccessRequest>('/v1/requests', input);

/** `duration` may only shorten what was asked (the server checks). */
export const approveRequest = (http: Http, id: string, duration?: string) =>
  http.post<{ request: AccessRequest; grant: Grant | null }>(`/v1/requests/${segment(id)}/approve`, duration === undefined || duration === '' ? {} : { for: duration });

export const denyRequest = (http: Http, id: string, reason: string) => http.post<AccessRequest>(`/v1/requests/${segment(id)}/deny`, { reason });

export const cancelRequest = (http: Http, id: string) => http.post<AccessRequest>(`/v1/requests/${segment(id)}/cancel`);

export const listGrants = async (http: Http, options: { email?: string; all?: boolean } = {}) =>
  (await http.get<{ grants: Grant[] }>('/v1/grants', { for: options.email, all: options.all ?? false })).grants;

export const revokeGrant = (http: Http, id: string, reason?: string) => http.post<Grant>(`/v1/grants/${segment(id)}/revoke`, reason === undefined ? {} : { reason });

export interface SessionQuery {
  readonly state?: 'live' | 'ended' | 'all';
  readonly email?: string;
  readonly resource?: string;
  readonly q?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Accepts both the console form (`{ items, nextCursor }`) and the older `{ sessions }` form. */
export async function listSessions(http: Http, query: SessionQuery = {}): Promise<Paged<Session>> {
  const page = await http.get<{ items?: Session[]; nextCursor?: string | null; sessions?: Session[] }>('/v1/sessions', { ...query });
  const items = page.items ?? page.sessions ?? [];
  // The server sends null on the last page.
  return typeof page.nextCursor === 'string' ? { items, nextCursor: page.nextCursor } : { items };
}

export const getSession = (http: Http, id: string) => http.get<SessionDetail>(`/v1/sessions/${segment(id)}`);

export const killSession = (http: Http, id: string, reason?: string) => http.post<unknown>(`/v1/sessions/${segment(id)}/kill`, reason === undefined || reason === '' ? {} : { reason });

export interface AuditQuery {
  readonly q?: string;
  readonly actor?: string;
  readonly resource?: string;
  readonly code?: string;
  readonly since?: string;
  readonly until?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export const searchAudit = (http: Http, query: AuditQuery) => http.get<AuditPage>('/v1/audit/events', { ...query });

export const verifyAudit = (http: Http) => http.get<VerifyReport>('/v1/audit/verify');

/** The export as JSON Lines text, for a download. */
export async function exportAudit(http: Http, range: { since?: string; until?: string } = {}): Promise<string> {
  const response = await http.raw(withQuery('/v1/audit/export', range), { accept: 'application/x-ndjson' });
  return response.text();
}

export const getMe = (http: Http) => http.get<Me>('/v1/me');
