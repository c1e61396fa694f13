// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ok, principal } from '../../testing/fetch-mock.ts';
import { renderSignedIn } from '../../testing/render-signed-in.tsx';
import { OffboardDialog } from './offboard-dialog.tsx';

const admin = principal('admin@corp.io', ['admin'], 'admin');
const EMAIL = 'dev@vendor.io';
const later = Date.now() + 3_600_000;

const holdings = {
  'GET /v1/reports/access': () => ok({ rows: [{ contractor: EMAIL, resource: 'billing', actions: ['read'], via: 'role:analyst', until: later, lastUsedAt: null }] }),
  'GET /v1/tokens': () => ok({ tokens: [{ id: 'tok_1', label: null, createdAt: 1, expiresAt: null }] }),
  'GET /v1/grants': () => ok({ grants: [{ id: 'gr_1', email: EMAIL, resource: 'billing', actions: ['write'], tables: [], requestId: 'req_1', startsAt: 1, expiresAt: later }] }),
  'GET /v1/sessions': () => ok({ items: [{ id: 'ses_1', contractor: EMAIL, resource: 'billing', protocol: 'postgres', startedAt: 1, expiresAt: later, endedAt: null, endReason: null }] }),
  'GET /v1/requests': () => ok({ requests: [{ id: 'req_2', requester: EMAIL }, { id: 'req_3', requester: 'other@vendor.io' }] }),
  'GET /v1/invites': () => ok({ invites: [] }),
};

describe('OffboardDialog', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('lists what will end and offboards only after the email is typed', async () => {
    const onDone = vi.fn();
    const api = renderSignedIn(<OffboardDialog email={EMAIL} onClose={() => undefined} onDone={onDone} />, admin, {
      ...holdings,
      'POST /v1/contractors/dev%40vendor.io/offboard': () =>
        ok({ email: EMAIL, alreadyOffboarded: false, revoked: { tokens: ['tok_1'], grants: ['gr_1'], requests: ['req_2'], invites: [], sessionsEnded: ['ses_1'], sessionsKillRequested: [] } }),
    });
    const dialog = await screen.findByRole('dialog', { name: `Offboard ${EMAIL}` });
    expect(await screen.findByText('1 access token(s)')).toBeTruthy();
    expect(dialog.textContent).toContain('billing (read)');
    expect(dialog.textContent).toContain('1 live session(s) on billing');
    expect(dialog.textContent).toContain('1 pending request(s)');
    const confirm = screen.getByRole<HTMLButtonElement>('button', { name: 'Offboard now' });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Type the email to confirm'), { target: { value: 'dev@vendor' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.click(confirm);
    expect(api.callsTo('POST', '/v1/contractors/dev%40vendor.io/offboard')).toHaveLength(0);
    fireEvent.change(screen.getByLabelText('Type the email to confirm'), { target: { value: 'Dev@Vendor.io' } });
    fireEvent.change(screen.getByLabelText(/^Reason/), { target: { value: 'contract over' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(api.callsTo('POST', '/v1/contractors/dev%40vendor.io/offboard')[0]?.body).toEqual({ reason: 'contract over' });
  });

  it('closes on Escape without offboarding', async () => {
    const onClose = vi.fn();
    const api = renderSignedIn(<OffboardDialog email={EMAIL} onClose={onClose} onDone={() => undefined} />, admin, holdings);
    fireEvent.keyDown(await screen.findByRole('dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});
