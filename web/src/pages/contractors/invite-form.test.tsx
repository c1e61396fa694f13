// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fail, ok, principal } from '../../testing/fetch-mock.ts';
import { renderSignedIn } from '../../testing/render-signed-in.tsx';
import { InviteForm, parseRoles } from './invite-form.tsx';

const admin = principal('admin@corp.io', ['admin'], 'admin');

describe('InviteForm', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('creates the invite and shows the link to copy', async () => {
    const api = renderSignedIn(<InviteForm />, admin, {
      'POST /v1/invites': (call) =>
        ok({ id: 'inv_1', code: 'abc', email: (call.body as { email: string }).email, roles: ['analyst', 'support'], untilAt: Date.now() + 86_400_000, expiresAt: Date.now() + 3_600_000, url: 'https://stint.corp.io/invite/abc' }),
    });
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: ' new@vendor.io ' } });
    fireEvent.change(screen.getByLabelText('Roles'), { target: { value: 'analyst, support analyst' } });
    fireEvent.change(screen.getByLabelText('Engagement ends'), { target: { value: '2026-06-30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create invite' }));
    const link = await screen.findByLabelText('Invite link');
    expect((link as HTMLInputElement).value).toBe('https://stint.corp.io/invite/abc');
    expect(screen.getByRole('button', { name: 'Copy invite link' })).toBeTruthy();
    expect(api.callsTo('POST', '/v1/invites')[0]?.body).toEqual({ email: 'new@vendor.io', roles: ['analyst', 'support'], until: '2026-06-30' });
  });

  it('shows the server error and no link when the invite is refused', async () => {
    renderSignedIn(<InviteForm />, admin, { 'POST /v1/invites': () => fail(400, 'STINT_ERR_UNKNOWN_ROLE', 'No role "ghost" in the policy.') });
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'new@vendor.io' } });
    fireEvent.change(screen.getByLabelText('Roles'), { target: { value: 'ghost' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create invite' }));
    expect((await screen.findByRole('alert')).textContent).toContain('STINT_ERR_UNKNOWN_ROLE');
    expect(screen.queryByLabelText('Invite link')).toBeNull();
  });

  it('parses role lists', () => {
    expect(parseRoles(' a, b ,,a c ')).toEqual(['a', 'b', 'c']);
  });
});
