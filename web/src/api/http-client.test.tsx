// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { ApiError, BAD_RESPONSE, NETWORK_ERROR } from './api-error.ts';
import { approveRequest, listSessions } from './endpoints.ts';
import { createHttp, withQuery } from './http-client.ts';
import { createFetchMock, fail, ok } from '../testing/fetch-mock.ts';

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('API client', () => {
  it('sends the bearer token and parses JSON', async () => {
    const mock = createFetchMock({ 'GET /v1/whoami': () => ok({ email: 'a@x.io' }) });
    const http = createHttp({ token: 'stint_abc', fetch: mock.fetch });
    await expect(http.get('/v1/whoami')).resolves.toEqual({ email: 'a@x.io' });
    expect(mock.calls[0]?.headers.authorization).toBe('Bearer stint_abc');
  });

  it('maps a catalogue error body onto ApiError with code, message, fix, status and details', async () => {
    const mock = createFetchMock({
      'POST /v1/invites': () => ({
        status: 400,
        json: { error: { code: 'STINT_ERR_BAD_REQUEST', message: 'Invalid body.email: must be an email address', fix: 'Send a valid body.', details: [{ field: 'body.email', message: 'must be an email address' }] } },
      }),
    });
    const error = await caught(createHttp({ token: 't', fetch: mock.fetch }).post('/v1/invites', { email: 'nope' }));
    expect(error.code).toBe('STINT_ERR_BAD_REQUEST');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid body.email: must be an email address');
    expect(error.fix).toBe('Send a valid body.');
    expect(error.details).toEqual([{ field: 'body.email', message: 'must be an email address' }]);
  });

  it('maps a non-API error page onto CONSOLE_BAD_RESPONSE with the status', async () => {
    const mock = createFetchMock({ 'GET /v1/me': () => ({ status: 502, text: '<html>Bad Gateway</html>' }) });
    const error = await caught(createHttp({ token: 't', fetch: mock.fetch }).get('/v1/me'));
    expect(error.code).toBe(BAD_RESPONSE);
    expect(error.status).toBe(502);
    expect(error.message).toContain('HTTP 502');
  });

  it('maps a network failure onto CONSOLE_NETWORK_ERROR with status 0', async () => {
    const http = createHttp({ token: 't', fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    const error = await caught(http.get('/v1/whoami'));
    expect(error.code).toBe(NETWORK_ERROR);
    expect(error.status).toBe(0);
    expect(error.message).toContain('Failed to fetch');
  });

  it('reports token failures to the sign-out hook, but not other 401s or 403s', async () => {
    const onAuthFailure = vi.fn();
    const mock = createFetchMock({
      'GET /v1/whoami': () => fail(401, 'STINT_ERR_TOKEN_EXPIRED', 'The token expired.'),
      'GET /v1/audit/events': () => fail(403, 'STINT_ERR_FORBIDDEN', 'Needs auditor.'),
    });
    const http = createHttp({ token: 't', fetch: mock.fetch, onAuthFailure });
    expect((await caught(http.get('/v1/whoami'))).code).toBe('STINT_ERR_TOKEN_EXPIRED');
    expect(onAuthFailure).toHaveBeenCalledTimes(1);
    expect((await caught(http.get('/v1/audit/events'))).code).toBe('STINT_ERR_FORBIDDEN');
    expect(onAuthFailure).toHaveBeenCalledTimes(1);
  });

  it('builds queries without empty values and encodes path segments', async () => {
    expect(withQuery('/v1/x', { a: 'one two', b: undefined, c: '', d: 3, e: false })).toBe('/v1/x?a=one+two&d=3&e=false');
    const mock = createFetchMock({ 'POST /v1/requests/req%2F1/approve': () => ok({ request: {}, grant: null }) });
    await approveRequest(createHttp({ token: 't', fetch: mock.fetch }), 'req/1', '2h');
    expect(mock.calls[0]?.body).toEqual({ for: '2h' });
  });

  it('reads sessions in both the paged and the older list form', async () => {
    const mock = createFetchMock({ 'GET /v1/sessions': (call) => ok(call.query.get('state') === 'live' ? { items: [{ id: 's1' }], nextCursor: 'c2' } : { sessions: [{ id: 's0' }] }) });
    const http = createHttp({ token: 't', fetch: mock.fetch });
    await expect(listSessions(http, { state: 'live' })).resolves.toEqual({ items: [{ id: 's1' }], nextCursor: 'c2' });
    await expect(listSessions(http, { state: 'ended' })).resolves.toEqual({ items: [{ id: 's0' }] });
  });
});
