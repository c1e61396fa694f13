import { describe, expect, it } from 'vitest';
import type { GrantEventView, RequestEventView } from '../events/event-bus.ts';
import { envelopeOf, summaryOf, webhookBody, type NotifyEvent } from './webhook-body.ts';

const request: RequestEventView = {
  id: 'req_1',
  requester: 'alice@vendor.example',
  resource: 'prod',
  actions: ['write'],
  tables: [],
  durationMs: 30 * 60_000,
  reason: 'TICKET-1',
  createdAt: 0,
  expiresAt: 3_600_000,
};
const grant: GrantEventView = { id: 'grt_1', email: 'alice@vendor.example', resource: 'prod', actions: ['write'], tables: [], requestId: 'req_1', startsAt: 0, expiresAt: Date.parse('2026-12-01T00:30:00Z') };

const CASES: [NotifyEvent, string][] = [
  [{ type: 'request.created', at: 1, request, approvers: ['dba@corp.example'] }, 'alice@vendor.example requests write on prod for 30m (request req_1): TICKET-1.'],
  [{ type: 'request.approved', at: 1, request, approvedBy: ['dba@corp.example'], grant }, 'Request req_1 of alice@vendor.example for write on prod was approved by dba@corp.example; access until 2026-12-01T00:30:00.000Z (grant grt_1).'],
  [{ type: 'request.denied', at: 1, request, by: 'dba@corp.example', reason: 'not now' }, 'Request req_1 of alice@vendor.example for write on prod was denied by dba@corp.example: not now.'],
  [{ type: 'request.expired', at: 1, request }, 'Request req_1 of alice@vendor.example for write on prod expired without enough approvals.'],
  [{ type: 'grant.expired', at: 1, grant }, 'Grant grt_1 of alice@vendor.example for write on prod expired at 2026-12-01T00:30:00.000Z.'],
  [{ type: 'grant.revoked', at: 1, grant, by: 'dba@corp.example', reason: 'done early' }, 'Grant grt_1 of alice@vendor.example for write on prod was revoked by dba@corp.example: done early.'],
  [{ type: 'contractor.offboarded', at: 1, email: 'alice@vendor.example', by: 'system:engagement', reason: 'the engagement ended at 2027-04-01T00:00:00.000Z', cause: 'engagement_ended' }, 'alice@vendor.example was offboarded at the end of the engagement: the engagement ended at 2027-04-01T00:00:00.000Z.'],
  [{ type: 'session.killed', at: 1, session: 'ses_1', contractor: 'alice@vendor.example', resource: 'prod', by: 'admin@corp.example', reason: 'incident' }, 'Session ses_1 of alice@vendor.example on prod was ended by admin@corp.example: incident.'],
  [{ type: 'policy.applied', at: 1, digest: 'abcdef0123456789', by: 'system:serve', changes: ['a', 'b'] }, 'Policy abcdef012345 was applied by system:serve: 2 change(s).'],
  [{ type: 'webhook.test', at: 1, webhook: 'chat', by: 'admin@corp.example' }, 'Test event for webhook chat, sent by admin@corp.example.'],
];

describe('webhook bodies', () => {
  it.each(CASES)('summarises %o in one readable line', (event, summary) => {
    expect(summaryOf(event)).toBe(summary);
  });

  it('wraps an event in an envelope whose data is the event without type and time', () => {
    const [event] = CASES[7]!;
    const envelope = envelopeOf(event, 'evt_x');
    expect(envelope).toEqual({ id: 'evt_x', type: 'session.killed', at: 1, summary: CASES[7]![1], data: { session: 'ses_1', contractor: 'alice@vendor.example', resource: 'prod', by: 'admin@corp.example', reason: 'incident' } });
    expect(JSON.parse(webhookBody(envelope, 'json'))).toEqual(envelope);
    expect(JSON.parse(webhookBody(envelope, 'slack'))).toEqual({ text: `Stint: ${CASES[7]![1]}` });
  });
});
