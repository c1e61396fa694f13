import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessReport } from '../../src/reports/access-report.ts';
import { requestPolicy } from '../../src/requests/request-test-kit.ts';
import type { AccessRequestView, ApproveResult, GrantView } from '../../src/requests/request-types.ts';
import { startApiHarness, type ApiHarness } from '../support/api-harness.ts';

describe('API access requests, grants and the access report', () => {
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    h = await startApiHarness('sqlite', [{ path: 'policy.yaml', content: requestPolicy() }]);
    await h.access.refresh();
    for (const email of ['alice@vendor.example', 'carl@vendor.example']) {
      tokens[email] = (await h.tokens.create({ subject: email, kind: 'contractor', createdBy: 'test' })).token;
    }
    for (const email of ['dana@corp.example', 'dave@corp.example', 'erin@corp.example', 'audrey@corp.example']) {
      tokens[email] = (await h.tokens.create({ subject: email, kind: 'staff', createdBy: 'test' })).token;
    }
  });
  afterAll(async () => h.close());

  const as = (email: string) => h.bearer(tokens[email]!);
  const post = (email: string, url: string, payload: unknown = {}) => h.app.inject({ method: 'POST', url, headers: as(email), payload: payload as Record<string, unknown> });
  const get = (email: string, url: string) => h.app.inject({ method: 'GET', url, headers: as(email) });

  it('runs request → approvals → grant → revoke, with roles checked on every route', async () => {
    const bad = await post('alice@vendor.example', '/v1/requests', { resource: 'billing', actions: ['delete'], duration: '1h' });
    expect(bad.statusCode).toBe(400);
    expect((await post('dana@corp.example', '/v1/requests', { resource: 'billing', actions: ['write'], duration: '1h' })).statusCode).toBe(403);

    const created = await post('alice@vendor.example', '/v1/requests', { resource: 'billing', actions: ['write'], duration: '2h', reason: 'TICKET-9', tables: ['invoices'] });
    expect(created.statusCode).toBe(200);
    const request = created.json<AccessRequestView>();
    expect(request).toMatchObject({ status: 'pending', minApprovals: 2, tables: ['invoices'], durationMs: 2 * 3_600_000 });

    expect((await get('carl@vendor.example', `/v1/requests/${request.id}`)).statusCode).toBe(404);
    expect((await get('alice@vendor.example', '/v1/requests')).json<{ requests: AccessRequestView[] }>().requests.map((r) => r.id)).toEqual([request.id]);
    expect((await get('erin@corp.example', '/v1/requests?pending=true')).json<{ requests: AccessRequestView[] }>().requests).toEqual([]);
    expect((await get('dana@corp.example', '/v1/requests?pending=true')).json<{ requests: AccessRequestView[] }>().requests.map((r) => r.id)).toEqual([request.id]);

    expect((await post('alice@vendor.example', `/v1/requests/${request.id}/approve`)).statusCode).toBe(403);
    const erin = await post('erin@corp.example', `/v1/requests/${request.id}/approve`);
    expect(erin.statusCode).toBe(403);
    expect(erin.json<{ error: { code: string } }>().error.code).toBe('STINT_ERR_NOT_APPROVER');
    const longer = await post('dana@corp.example', `/v1/requests/${request.id}/approve`, { for: '3h' });
    expect(longer.json<{ error: { code: string } }>().error.code).toBe('STINT_ERR_DURATION_TOO_LONG');
    expect((await post('dana@corp.example', `/v1/requests/${request.id}/approve`, { for: '90m' })).json<ApproveResult>().grant).toBeNull();
    const done = (await post('dave@corp.example', `/v1/requests/${request.id}/approve`)).json<ApproveResult>();
    expect(done.request.status).toBe('approved');
    expect(done.grant).toMatchObject({ email: 'alice@vendor.example', resource: 'billing', expiresAt: h.clock.now() + 90 * 60_000 });

    const mine = (await get('alice@vendor.example', '/v1/grants')).json<{ grants: GrantView[] }>().grants;
    expect(mine.map((g) => g.id)).toEqual([done.grant!.id]);
    expect((await get('carl@vendor.example', '/v1/grants')).json<{ grants: GrantView[] }>().grants).toEqual([]);
    expect((await get('audrey@corp.example', '/v1/grants?for=alice@vendor.example')).json<{ grants: GrantView[] }>().grants).toHaveLength(1);

    const stranger = await post('carl@vendor.example', `/v1/grants/${done.grant!.id}/revoke`, { reason: 'mine now' });
    expect(stranger.statusCode).toBe(403);
    const revoked = await post('alice@vendor.example', `/v1/grants/${done.grant!.id}/revoke`, { reason: 'finished' });
    expect(revoked.json()).toMatchObject({ status: 'revoked', revokedBy: 'alice@vendor.example', alreadyEnded: false });
    expect((await get('alice@vendor.example', '/v1/grants')).json<{ grants: GrantView[] }>().grants).toEqual([]);
  });

  it('denies with a reason, cancels for the requester only, and answers unknown ids with 404', async () => {
    const one = (await post('alice@vendor.example', '/v1/requests', { resource: 'demo', actions: ['write'], duration: '30m' })).json<AccessRequestView>();
    const noReason = await post('erin@corp.example', `/v1/requests/${one.id}/deny`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ error: { code: string } }>().error.code).toBe('STINT_ERR_REASON_REQUIRED');
    const denied = await post('erin@corp.example', `/v1/requests/${one.id}/deny`, { reason: 'use staging' });
    expect(denied.json()).toMatchObject({ status: 'denied', decisionReason: 'use staging' });

    const two = (await post('alice@vendor.example', '/v1/requests', { resource: 'demo', actions: ['write'], duration: '30m' })).json<AccessRequestView>();
    expect((await post('carl@vendor.example', `/v1/requests/${two.id}/cancel`)).statusCode).toBe(404);
    expect((await post('alice@vendor.example', `/v1/requests/${two.id}/cancel`)).json()).toMatchObject({ status: 'cancelled' });
    const closed = await post('erin@corp.example', `/v1/requests/${two.id}/approve`);
    expect(closed.statusCode).toBe(409);

    expect((await get('audrey@corp.example', '/v1/requests/req_nope')).statusCode).toBe(404);
    const tooLong = await post('alice@vendor.example', '/v1/requests', { resource: 'demo', actions: ['write'], duration: '2h' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'STINT_ERR_DURATION_TOO_LONG', message: expect.stringContaining('1h') as unknown });
  });

  it('serves the access report to auditors and approvers, not to contractors', async () => {
    expect((await get('alice@vendor.example', '/v1/reports/access')).statusCode).toBe(403);
    const report = (await get('audrey@corp.example', '/v1/reports/access?resource=billing&unusedDays=10')).json<AccessReport>();
    expect(report.unusedDays).toBe(10);
    expect(report.rows.map((row) => `${row.contractor} ${row.via}`)).toEqual([
      'alice@vendor.example role:readonly',
      'bob@vendor.example role:readonly',
      'carl@vendor.example role:billing-reader',
    ]);
    expect((await get('dana@corp.example', '/v1/reports/access?contractor=carl@vendor.example')).json<AccessReport>().rows).toHaveLength(1);
    const openApi = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(openApi.paths)).toEqual(expect.arrayContaining(['/v1/requests', '/v1/requests/{id}/approve', '/v1/grants/{id}/revoke', '/v1/reports/access']));
  });
});
