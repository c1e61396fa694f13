// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../app.tsx';
import { loadToken } from '../../auth/token-store.ts';
import { createFetchMock, fail, ok, principal } from '../../testing/fetch-mock.ts';

describe('invite landing page', () => {
  beforeEach(() => {
    sessionStorage.clear();
    history.replaceState(null, '', '/invite/inv-code_1');
  });
  afterEach(cleanup);

  it('shows the CLI command, accepts in the browser without a token, shows the token once and signs in', async () => {
    const mock = createFetchMock({
      'POST /v1/invites/accept': () => ok({ email: 'dev@vendor.io', token: 'stint_new_token', tokenId: 'tok_1', expiresAt: null, untilAt: Date.now() + 86_400_000, roles: ['analyst'] }),
      'GET /v1/whoami': (call) => (call.headers.authorization === 'Bearer stint_new_token' ? ok(principal('dev@vendor.io', ['contractor'], 'contractor')) : fail(401, 'STINT_ERR_TOKEN_INVALID', 'bad')),
      'GET /v1/me': () => ok({ email: 'dev@vendor.io', engagementEndsAt: new Date(Date.now() + 86_400_000).toISOString(), resources: [], grants: [], requests: [], sessions: [] }),
    });
    render(<App fetchImpl={mock.fetch} />);
    expect(screen.getByLabelText<HTMLInputElement>('Accept command').value).toBe(`stint accept ${location.origin}/invite/inv-code_1`);
    expect(mock.calls).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Accept in browser' }));
    const token = await screen.findByLabelText<HTMLInputElement>('Your access token');
    expect(token.value).toBe('stint_new_token');
    const accept = mock.callsTo('POST', '/v1/invites/accept')[0];
    expect(accept?.body).toEqual({ code: 'inv-code_1' });
    expect(accept?.headers.authorization).toBeUndefined();
    fireEvent.click(screen.getByRole('button', { name: 'Continue to the console' }));
    expect(await screen.findByRole('heading', { name: 'My access' })).toBeTruthy();
    expect(location.pathname).toBe('/portal');
    expect(loadToken()).toBe('stint_new_token');
  });

  it('explains a spent invite with the API error', async () => {
    const mock = createFetchMock({ 'POST /v1/invites/accept': () => fail(410, 'STINT_ERR_INVITE_USED', 'This invite was already accepted.') });
    render(<App fetchImpl={mock.fetch} />);
    fireEvent.click(screen.getByRole('button', { name: 'Accept in browser' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('STINT_ERR_INVITE_USED');
    expect(screen.queryByLabelText('Your access token')).toBeNull();
  });
});
