import { z } from 'zod';
import { exportAuditEvents, toJsonLine } from '../../audit/audit-export.ts';
import { searchAuditEvents } from '../../audit/audit-search.ts';
import { verifyAuditLog } from '../../audit/audit-verify.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { InstantField } from './request-fields.ts';

const SearchQuery = z
  .object({
    q: z.string().max(500).optional(),
    actor: z.string().max(320).optional(),
    resource: z.string().max(200).optional(),
    code: z.string().max(100).optional(),
    since: InstantField.optional(),
    until: InstantField.optional(),
    cursor: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

const ExportQuery = z
  .object({
    since: InstantField.optional(),
    until: InstantField.optional(),
    after_seq: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export function auditRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/audit/events',
      summary: 'Full-text search with filters, newest first, with a stable cursor',
      tag: 'audit',
      access: ['auditor'],
      query: SearchQuery,
      handler: ({ query }) =>
        searchAuditEvents(services.store, {
          ...(query.q === undefined ? {} : { text: query.q }),
          ...(query.actor === undefined ? {} : { actor: query.actor.toLowerCase() }),
          ...(query.resource === undefined ? {} : { resource: query.resource }),
          ...(query.code === undefined ? {} : { code: query.code }),
          ...(query.since === undefined ? {} : { since: query.since }),
          ...(query.until === undefined ? {} : { until: query.until }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          limit: query.limit,
        }),
    }),
    route({
      method: 'GET',
      url: '/v1/audit/export',
      summary: 'Events as JSON Lines, oldest first, for a SIEM',
      tag: 'audit',
      access: ['auditor'],
      query: ExportQuery,
      produces: 'application/x-ndjson',
      handler: async ({ query, reply, principal }) => {
        await services.audit.append({
          code: 'AUDIT_EXPORTED',
          actor: principal?.email ?? 'unknown',
          summary: `Audit export requested by ${principal?.email ?? 'unknown'}.`,
          data: { since: query.since ?? null, until: query.until ?? null, afterSeq: query.after_seq ?? null },
        });
        reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
        const events = exportAuditEvents(services.store, {
          ...(query.since === undefined ? {} : { since: query.since }),
          ...(query.until === undefined ? {} : { until: query.until }),
          ...(query.after_seq === undefined ? {} : { afterSeq: query.after_seq }),
        });
        for await (const event of events) {
          if (!reply.raw.write(`${toJsonLine(event)}\n`)) await new Promise((resolve) => reply.raw.once('drain', resolve));
        }
        reply.raw.end();
      },
    }),
    route({
      method: 'GET',
      url: '/v1/audit/verify',
      summary: 'Verify the hash chain and signed checkpoints of the whole log',
      tag: 'audit',
      access: ['auditor'],
      handler: () => verifyAuditLog(services.store, { trustedKeys: services.auditTrustedKeys }),
    }),
  ];
}
