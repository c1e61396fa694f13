import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';

/**
 * The console and API as a contractor holding a read-only role with a mask
 * would attack them: staff-only endpoints, other people's sessions, explain
 * for someone else, tokens outside the Authorization header, error bodies.
 */

const CONTRACTORS = `contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
  eve@vendor.example: { name: Eve, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
`;

describe('API security review', () => {
  let h: ApiHarness;
  let alice: string;
  let eve: string;
  let sessionOfAlice: string;
  beforeAll(async () => {
    const [file] = testPolicy('files', CONTRACTORS);
    h = await startApiHarness('sqlite', [{ path: file!.path, content: file!.content.replace('        actions: [read]\n', '        actions: [read]\n        mask: [customers.email]\n') }]);
    await h.access.refresh();
    alice = (await h.tokens.create({ subject: 'alice@vendor.example', kind: 'contractor', createdBy: 'test' })).token;
    eve = (await h.tokens.create({ subject: 'eve@vendor.example', kind: 'contractor', createdBy: 'test' })).token;
    const live = await h.sessions.open(
      { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: false, tokenId: 'tok_review', expiresAt: null },
      { terminate: () => undefined },
    );
    sessionOfAlice = live.id;
  });
  afterAll(async () => h.close());

  const call = (method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown) =>
    h.app.inject({ method, url, headers: token === null ? {} : h.bearer(token), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  it('keeps staff views from a contractor', async () => {
    for (const url of ['/v1/console/overview', '/v1/access/matrix', '/v1/audit/events', '/v1/contractors']) {
      expect((await call('GET', url, eve)).statusCode, url).toBe(403);
    }
  });

  it('answers another contractor\'s session like a missing one, and lists only one\'s own', async () => {
    expect((await call('GET', `/v1/sessions/${sessionOfAlice}`, alice)).statusCode).toBe(200);
    const other = await call('GET', `/v1/sessions/${sessionOfAlice}`, eve);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('alice@vendor.example');
    const listed = await call('GET', '/v1/sessions', eve);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain('alice@vendor.example');
    expect((await call('POST', `/v1/sessions/${sessionOfAlice}/kill`, eve, {})).statusCode).toBe(403);
  });

  it('lets a contractor explain only for themselves, in any spelling of the address', async () => {
    const sql = 'SELECT email FROM customers';
    for (const as of ['alice@vendor.example', 'ALICE@vendor.example', ' alice@vendor.example']) {
      const response = await call('POST', '/v1/explain', eve, { sql, resource: 'demo', as });
      expect([400, 403], as).toContain(response.statusCode);
      expect(response.body, as).not.toContain('"allow":true');
    }
    const own = await call('POST', '/v1/explain', eve, { sql, resource: 'demo' });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('eve@vendor.example');
  });

  it('takes the token only from the Authorization header, never from the URL', async () => {
    for (const url of [`/v1/me?token=${alice}`, `/v1/me?access_token=${alice}`, `/v1/events?token=${alice}`, `/v1/whoami?authorization=Bearer%20${alice}`]) {
      expect((await call('GET', url, null)).statusCode, url.replace(alice, '<token>')).toBe(401);
    }
    const cookie = await h.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: `token=${alice}` } });
    expect(cookie.statusCode).toBe(401);
  });

  it('answers malformed and hostile requests with catalogue errors that carry no internals', async () => {
    const responses = [
      await h.app.inject({ method: 'POST', url: '/v1/explain', headers: { ...h.bearer(eve), 'content-type': 'application/json' }, payload: '{"sql": ' }),
      await call('POST', '/v1/explain', eve, { sql: 'SELECT 1', resource: 'demo', as: 'x', extra: { __proto__: { polluted: true } } }),
      await call('POST', '/v1/explain', eve, { sql: 'SELEC email FROM', resource: 'demo' }),
      await call('POST', '/v1/explain', eve, { sql: 'SELECT 1', resource: '../../etc/passwd' }),
      await call('GET', `/v1/sessions/${'x'.repeat(500)}`, eve),
      await call('GET', '/v1/sessions/%E0%A4%A', eve),
    ];
    for (const response of responses) {
      expect(response.body).not.toMatch(/\bat [^ ]+ \(|node_modules|\/work\/|\.ts:\d+|stack/i);
      if (response.statusCode >= 400) expect(response.json<{ error: { code: string } }>().error.code).toMatch(/^STINT_ERR_/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The router's own refusals (an over-long path parameter, broken percent-encoding) speak the catalogue too.
    expect(responses.slice(-2).map((response) => [response.statusCode, response.json<{ error: { code: string } }>().error.code])).toEqual([
      [400, 'STINT_ERR_BAD_REQUEST'],
      [400, 'STINT_ERR_BAD_REQUEST'],
    ]);
  });
});
