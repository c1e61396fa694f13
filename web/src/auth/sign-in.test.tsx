// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../app.tsx';
import type { Principal } from '../api/api-types.ts';
import { createFetchMock, fail, ok, principal } from '../testing/fetch-mock.ts';
import { loadToken } from './token-store.ts';

function setup(who: Principal | null) {
  const mock = createFetchMock({
    'GET /v1/whoami': (call) => (who !== null && call.headers.authorization === 'Bearer good-token' ? ok(who) : fail(401, 'STINT_ERR_TOKEN_INVALID', 'The token is not valid.')),
    'GET /v1/console/overview': () => ok({ contractors: { active: 2, invited: 1, endingSoon: 0 }, sessions: { live: 0 }, requests: { pending: 3 }, endingSoon: [], recentDenials: [] }),
    'GET /v1/me': () => ok({ email: 'c@x.io', engagementEndsAt: '2099-01-01T00:00:00Z', resources: [], grants: [], requests: [], sessions: [] }),
  });
  render(<App fetchImpl={mock.fetch} />);
  return mock;
}

function signInWith(token: string): void {
  fireEvent.change(screen.getByLabelText('Access token'), { target: { value: token } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

const navLinks = async () => within(await screen.findByRole('navigation', { name: 'Main' })).getAllByRole('link').map((a) => a.textContent);

describe('sign-in and role-based navigation', () => {
  beforeEach(() => {
    sessionStorage.clear();
    history.replaceState(null, '', '/');
  });
  afterEach(cleanup);

  it('signs an auditor in, keeps the token in sessionStorage, and shows every staff section', async () => {
    const mock = setup(principal('audit@corp.io', ['auditor']));
    expect(screen.getByRole('heading', { name: 'Sign in to Stint' })).toBeTruthy();
    signInWith(' good-token ');
    expect(await navLinks()).toEqual(['Overview', 'Contractors', 'Access', 'Requests', 'Sessions', 'Audit']);
    expect(loadToken()).toBe('good-token');
    expect(await screen.findByText('pending requests')).toBeTruthy();
    expect(mock.callsTo('GET', '/v1/console/overview')[0]?.headers.authorization).toBe('Bearer good-token');
  });

  it('hides the audit section from an approver', async () => {
    setup(principal('appr@corp.io', ['approver']));
    signInWith('good-token');
    expect(await navLinks()).toEqual(['Overview', 'Contractors', 'Access', 'Requests', 'Sessions']);
  });

  it('sends a contractor to their portal and shows no staff section', async () => {
    setup(principal('c@x.io', ['contractor'], 'contractor'));
    signInWith('good-token');
    expect(await navLinks()).toEqual(['My access']);
    expect(await screen.findByRole('heading', { name: 'My access' })).toBeTruthy();
    expect(location.pathname).toBe('/portal');
  });

  it('shows the API error code for a bad token and stores nothing', async () => {
    setup(principal('audit@corp.io', ['auditor']));
    signInWith('wrong');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('STINT_ERR_TOKEN_INVALID');
    expect(alert.textContent).toContain('The token is not valid.');
    expect(loadToken()).toBeNull();
  });

  it('signs out and forgets the token', async () => {
    setup(principal('audit@corp.io', ['auditor']));
    signInWith('good-token');
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Stint' })).toBeTruthy();
    expect(loadToken()).toBeNull();
  });

  it('offers single sign-on as an unavailable method, not a button', () => {
    setup(null);
    const sso = screen.getByRole('region', { name: 'Single sign-on' });
    expect(within(sso).queryByRole('button')).toBeNull();
    expect(sso.textContent).toContain('not configured');
  });
});
