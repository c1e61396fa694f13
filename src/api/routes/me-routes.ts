import { ACTIONS, type Action } from '../../access/access-model.ts';
import { latestActiveGrant } from '../../access/decide.ts';
import { StintError } from '../../errors/stint-error.ts';
import { listSessionHistory } from '../../sessions/session-history.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

const RECENT_SESSIONS = 20;
/** A statement touching no table: what the gateway allows for an action itself. */
const ANY_STATEMENT = { tablesRead: [], tablesWritten: [] } as const;
const RECENT_REQUESTS = 50;
/** The file name the portal tells people to save GET /v1/ca under. */
export const CA_FILE_NAME = 'stint-ca.pem';

export interface PortalConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: 'verify-full' | 'require';
  /** Without the password: the contractor's token is the password. */
  readonly uri: string;
  readonly psql: string;
}

/** The connection settings a contractor copies from the portal; the same listener `stint connect` reports. */
function connection(services: ApiServices, database: string, user: string): PortalConnection | null {
  const listener = services.gateway.postgres;
  if (listener === null) return null;
  // With Stint's own CA the client can verify the listener's name; with an operator certificate we cannot know its trust roots.
  const verify = services.gateway.caPem !== null;
  const sslmode = verify ? 'verify-full' : 'require';
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  const uri = `postgresql://${encodeURIComponent(user)}@${host}:${listener.port}/${encodeURIComponent(database)}?sslmode=${sslmode}${verify ? `&sslrootcert=${CA_FILE_NAME}` : ''}`;
  return { host: listener.host, port: listener.port, database, user, sslmode, uri, psql: `psql "${uri}"` };
}

export function meRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/me',
      summary: 'The contractor portal: my resources with connection settings, grants, requests and recent sessions',
      tag: 'identity',
      access: ['contractor'],
      handler: async ({ principal }) => {
        if (principal?.kind !== 'contractor') {
          throw new StintError('STINT_ERR_FORBIDDEN', 'GET /v1/me is the contractor portal; staff and admin tokens have no resources of their own (see GET /v1/whoami).');
        }
        const contractor = await services.contractors.get(principal.email);
        if (contractor === null) throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `No contractor ${principal.email} is on record.`);
        const identity = { email: principal.email, tokenExpiresAt: principal.tokenExpiresAt };
        // A contractor who accepted an invite moments ago may not be in this node's index yet: rebuild only then.
        if (services.access.index().subject(principal.email) === undefined) await services.access.refresh();
        const resources = [];
        for (const name of services.access.index().resourceNames()) {
          const spec = services.access.resource(name);
          if (spec === undefined) continue;
          // The same decisions the gateway takes for a statement of each action, guardrails included (a role's
          // write under require_approval is not access until a request is approved).
          const allowed = ACTIONS.map((action) => ({ action, decision: services.access.decideStatement(identity, name, action, ANY_STATEMENT) })).filter(
            (d) => d.decision.allow,
          );
          if (allowed.length === 0) continue;
          // A role's access lasts the engagement (or the token); its max_session bounds each session, not the access.
          const roleEnd = Math.min(contractor.untilAt, principal.tokenExpiresAt ?? Number.POSITIVE_INFINITY);
          const ends = allowed.map((d) => (d.decision.reason === 'ALLOW_ROLE' ? roleEnd : (d.decision.expiresAt ?? roleEnd)));
          const now = services.clock.now();
          const table = services.access.index().subject(principal.email)?.access.get(name);
          // Per action: what allows it and until when, so the portal can count down each grant on its own.
          const access = allowed.map((d, i) => {
            const entry = table?.get(d.action);
            const grant = d.decision.reason === 'ALLOW_GRANT' && entry !== undefined ? latestActiveGrant(entry, now) : undefined;
            return {
              action: d.action,
              via: d.decision.reason === 'ALLOW_ROLE' ? ('role' as const) : ('grant' as const),
              ...(grant === undefined ? {} : { grantId: grant.id }),
              expiresAt: new Date(ends[i] ?? roleEnd).toISOString(),
            };
          });
          resources.push({
            name,
            kind: spec.kind,
            actions: allowed.map((d): Action => d.action),
            // When the last of these actions ends; `access` has each one's end.
            expiresAt: ends.length === 0 ? null : new Date(Math.max(...ends)).toISOString(),
            access,
            connection: spec.kind === 'postgres' ? connection(services, name, principal.email) : null,
          });
        }
        const sessions = await listSessionHistory(services.store, { state: 'all', email: principal.email, limit: RECENT_SESSIONS });
        return {
          email: principal.email,
          ...(contractor.company === '' ? {} : { company: contractor.company }),
          name: contractor.name,
          engagementEndsAt: new Date(contractor.untilAt).toISOString(),
          tokenExpiresAt: principal.tokenExpiresAt === null ? null : new Date(principal.tokenExpiresAt).toISOString(),
          caUrl: services.gateway.caPem === null ? null : '/v1/ca',
          resources,
          grants: await services.grants.list(principal),
          requests: await services.requests.list(principal, { limit: RECENT_REQUESTS }),
          sessions: sessions.items,
        };
      },
    }),
  ];
}
