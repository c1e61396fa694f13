import { StintError } from '../../errors/stint-error.ts';
import { mayCall } from '../api-principal.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { DEFAULT_EVENT_STREAM_OPTIONS, EventStream, trackStream, type EventStreamOptions } from '../event-stream.ts';
import { SECURITY_HEADERS } from '../static-console.ts';

/** Console tabs one token may hold open at once; more is a leak or abuse, not a person. */
export const MAX_STREAMS_PER_TOKEN = 8;

export function eventStreamRoutes(services: ApiServices, options: EventStreamOptions = DEFAULT_EVENT_STREAM_OPTIONS): ApiRoute[] {
  const perToken = new Map<string, number>();
  return [
    route({
      method: 'GET',
      url: '/v1/events',
      summary:
        'Live console notices (text/event-stream): session, request, grant and contractor changes as `data: {type, at, id?, email?, resource?}`, a `: keepalive` comment every 15 s; contractors receive only their own; ends when the token does',
      tag: 'console',
      access: ['contractor', 'approver', 'auditor'],
      produces: 'text/event-stream',
      handler: async ({ principal, request, reply }) => {
        if (principal === null) throw new StintError('STINT_ERR_UNAUTHENTICATED');
        // A HEAD request (answered by this handler too) learns the type without holding a stream open.
        if (request.method === 'HEAD') {
          await reply.code(200).type('text/event-stream; charset=utf-8').send();
          return;
        }
        const open = perToken.get(principal.tokenId) ?? 0;
        if (open >= MAX_STREAMS_PER_TOKEN) throw new StintError('STINT_ERR_TOO_MANY_STREAMS');
        perToken.set(principal.tokenId, open + 1);
        const { tokenId, email } = principal;
        const stream = new EventStream(
          reply.raw,
          { email, staff: mayCall(principal, ['approver', 'auditor']), expiresAt: principal.tokenExpiresAt },
          {
            feed: services.feed,
            now: () => services.clock.now(),
            stillValid: async () => {
              const now = services.clock.now();
              const token = await services.store.db.selectFrom('tokens').select(['revoked_at', 'expires_at']).where('id', '=', tokenId).executeTakeFirst();
              if (token === undefined || token.revoked_at !== null || (token.expires_at !== null && now >= Number(token.expires_at))) return false;
              if (principal.kind !== 'contractor') return true;
              const contractor = await services.contractors.get(email);
              return contractor !== null && contractor.status === 'active' && now < contractor.untilAt;
            },
            onError: (error) => request.log.error({ err: error }, 'event stream check failed'),
          },
          options,
        );
        // From here on the response is ours, not Fastify's: no serialisation, no onSend hooks.
        reply.hijack();
        trackStream(request.server, stream);
        stream.start(SECURITY_HEADERS);
        void stream.done.then(() => {
          const left = (perToken.get(tokenId) ?? 1) - 1;
          if (left <= 0) perToken.delete(tokenId);
          else perToken.set(tokenId, left);
        });
        return Promise.resolve();
      },
    }),
  ];
}
