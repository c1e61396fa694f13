// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessRequest } from '../../api/api-types.ts';
import { fail, ok, principal } from '../../testing/fetch-mock.ts';
import { renderSignedIn } from '../../testing/render-signed-in.tsx';
import { RequestCard } from './request-card.tsx';
import { RequestsPage } from './requests-page.tsx';

const approver = principal('lead@corp.io', ['approver']);

const request = (overrides: Partial<AccessRequest> = {}): AccessRequest => ({
  id: 'req_1',
  requester: 'dev@vendor.io',
  resource: 'billing',
  actions: ['write'],
  tables: [],
  durationMs: 8 * 3_600_000,
  reason: 'fix invoice 42',
  status: 'pending',
  createdAt: Date.now() - 60_000,
  expiresAt: Date.now() + 3_600_000,
  decidedAt: null,
  decidedBy: null,
  decisionReason: null,
  grantId: null,
  approvals: [{ approver: 'other@corp.io', at: Date.now() - 30_000, durationMs: 8 * 3_600_000 }],
  minApprovals: 2,
  approvers: ['lead@corp.io', 'other@corp.io'],
  ...overrides,
});

async function card() {
  return within(await screen.findByRole('article', { name: 'Request from dev@vendor.io for billing' }));
}

describe('RequestCard', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('shows the reason and who else approved, and approves with the requested duration', async () => {
    const onChanged = vi.fn();
    const api = renderSignedIn(<RequestCard request={request()} onChanged={onChanged} />, approver, { 'POST /v1/requests/req_1/approve': () => ok({ request: request(), grant: null }) });
    const c = await card();
    expect(c.getByText('fix invoice 42')).toBeTruthy();
    expect(c.getByText(/other@corp\.io \(8 h\)/)).toBeTruthy();
    fireEvent.click(c.getByRole('button', { name: 'Approve' }));
    await vi.waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(api.callsTo('POST', '/v1/requests/req_1/approve')[0]?.body).toEqual({});
  });

  it('approves for a shorter duration', async () => {
    const api = renderSignedIn(<RequestCard request={request()} onChanged={() => undefined} />, approver, { 'POST /v1/requests/req_1/approve': () => ok({ request: request(), grant: null }) });
    const c = await card();
    fireEvent.change(c.getByLabelText('Shorter duration (optional)'), { target: { value: ' 2h ' } });
    fireEvent.click(c.getByRole('button', { name: 'Approve' }));
    await vi.waitFor(() => expect(api.callsTo('POST', '/v1/requests/req_1/approve')).toHaveLength(1));
    expect(api.callsTo('POST', '/v1/requests/req_1/approve')[0]?.body).toEqual({ for: '2h' });
  });

  it('denies only with a reason, and shows the API error when refused', async () => {
    const api = renderSignedIn(<RequestCard request={request()} onChanged={() => undefined} />, approver, {
      'POST /v1/requests/req_1/deny': () => fail(409, 'STINT_ERR_REQUEST_NOT_PENDING', 'Request req_1 was already decided.'),
    });
    const c = await card();
    fireEvent.click(c.getByRole('button', { name: 'Deny' }));
    const confirm = c.getByRole<HTMLButtonElement>('button', { name: 'Confirm denial' });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(c.getByLabelText('Reason for denial'), { target: { value: 'use the replica' } });
    fireEvent.click(confirm);
    expect((await c.findByRole('alert')).textContent).toContain('STINT_ERR_REQUEST_NOT_PENDING');
    expect(api.callsTo('POST', '/v1/requests/req_1/deny')[0]?.body).toEqual({ reason: 'use the replica' });
  });

  it('offers no decision to the requester or to an auditor', async () => {
    renderSignedIn(<RequestCard request={request({ requester: 'lead@corp.io' })} onChanged={() => undefined} />, approver);
    const mine = within(await screen.findByRole('article'));
    expect(mine.queryByRole('button', { name: 'Approve' })).toBeNull();
    cleanup();
    sessionStorage.clear();
    renderSignedIn(<RequestCard request={request()} onChanged={() => undefined} />, principal('aud@corp.io', ['auditor']));
    expect((await card()).queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('keeps a request decided on the page in view with its outcome', async () => {
    let decided = false;
    const approved = request({ status: 'approved', approvals: [...request().approvals, { approver: 'lead@corp.io', at: Date.now(), durationMs: 8 * 3_600_000 }], decidedBy: 'lead@corp.io' });
    renderSignedIn(<RequestsPage />, approver, {
      'GET /v1/requests': (call) => ok({ requests: call.query.get('pending') === 'true' ? (decided ? [] : [request()]) : decided ? [approved] : [] }),
      'POST /v1/requests/req_1/approve': () => {
        decided = true;
        return ok({ request: approved, grant: null });
      },
    });
    fireEvent.click((await card()).getByRole('button', { name: 'Approve' }));
    await vi.waitFor(async () => expect((await card()).getByText('approved by other@corp.io, lead@corp.io')).toBeTruthy());
    expect((await card()).queryByRole('button', { name: 'Approve' })).toBeNull();
  });
});
