// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../api/api-types.ts';
import { ok, principal, type MockCall } from '../../testing/fetch-mock.ts';
import { renderSignedIn } from '../../testing/render-signed-in.tsx';
import { AuditPage } from './audit-page.tsx';

const auditor = principal('aud@corp.io', ['auditor']);

const event = (seq: number): AuditEvent => ({ seq, ts: Date.now() - seq * 1000, code: 'STATEMENT_DENIED', outcome: 'failure', actor: 'dev@vendor.io', resource: 'billing', subject: null, summary: `event ${seq}`, data: { n: seq } });

/** Three pages of two events, newest first, with cursors like the server's. */
function pages(call: MockCall) {
  const cursor = call.query.get('cursor');
  if (cursor === null) return ok({ events: [event(6), event(5)], nextCursor: 'v1:5' });
  if (cursor === 'v1:5') return ok({ events: [event(4), event(3)], nextCursor: 'v1:3' });
  return ok({ events: [event(2), event(1)], nextCursor: null });
}

const items = () => within(screen.getByRole('list', { name: 'Audit events, newest first' })).getAllByRole('listitem');

describe('AuditPage', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('pages with the cursor until the last page', async () => {
    const api = renderSignedIn(<AuditPage />, auditor, { 'GET /v1/audit/events': pages });
    expect(await screen.findByText('event 6')).toBeTruthy();
    expect(items()).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Load more events' }));
    expect(await screen.findByText('event 4')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load more events' }));
    expect(await screen.findByText('event 1')).toBeTruthy();
    expect(items()).toHaveLength(6);
    expect(screen.queryByRole('button', { name: 'Load more events' })).toBeNull();
    expect(api.callsTo('GET', '/v1/audit/events').map((c) => c.query.get('cursor'))).toEqual([null, 'v1:5', 'v1:3']);
  });

  it('sends the filters and starts again from the first page', async () => {
    const api = renderSignedIn(<AuditPage />, auditor, { 'GET /v1/audit/events': pages });
    await screen.findByText('event 6');
    fireEvent.click(screen.getByRole('button', { name: 'Load more events' }));
    await screen.findByText('event 4');
    fireEvent.change(screen.getByLabelText('Search audit events'), { target: { value: 'invoices' } });
    fireEvent.change(screen.getByLabelText('Code'), { target: { value: 'STATEMENT_*' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-01T09:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByText('event 6');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const last = api.callsTo('GET', '/v1/audit/events').at(-1);
    expect(last?.query.get('q')).toBe('invoices');
    expect(last?.query.get('code')).toBe('STATEMENT_*');
    expect(last?.query.get('since')).toBe(new Date('2026-03-01T09:30').toISOString());
    expect(last?.query.get('cursor')).toBeNull();
    expect(items()).toHaveLength(2);
  });

  it('opens an event to show its data', async () => {
    renderSignedIn(<AuditPage />, auditor, { 'GET /v1/audit/events': pages });
    fireEvent.click(await screen.findByRole('button', { name: /event 5/ }));
    expect(screen.getByLabelText('Data of event 5').textContent).toContain('"n": 5');
  });

  it('shows an empty state when nothing matches', async () => {
    renderSignedIn(<AuditPage />, auditor, { 'GET /v1/audit/events': () => ok({ events: [], nextCursor: null }) });
    expect(await screen.findByText('No events match')).toBeTruthy();
  });
});
