// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/api-types.ts';
import { ok, principal } from '../../testing/fetch-mock.ts';
import { renderSignedIn } from '../../testing/render-signed-in.tsx';
import { PortalPage } from './portal-page.tsx';

const contractor = principal('dev@vendor.io', ['contractor'], 'contractor');

const me = (): Me => ({
  email: 'dev@vendor.io',
  company: 'Vendor',
  engagementEndsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  resources: [
    {
      name: 'billing',
      kind: 'postgres',
      actions: ['read'],
      expiresAt: new Date(Date.now() + 2 * 3_600_000 + 5 * 60_000 + 30_000).toISOString(),
      access: [{ action: 'read', via: 'role', expiresAt: new Date(Date.now() + 2 * 3_600_000 + 5 * 60_000 + 30_000).toISOString() }],
      connection: {
        host: 'gw.corp.io',
        port: 6432,
        database: 'billing',
        user: 'dev@vendor.io',
        sslmode: 'verify-full',
        uri: 'postgresql://dev%40vendor.io@gw.corp.io:6432/billing?sslmode=verify-full',
        psql: "psql 'postgresql://dev%40vendor.io@gw.corp.io:6432/billing?sslmode=verify-full'",
      },
    },
  ],
  grants: [],
  requests: [],
  sessions: [],
});

describe('PortalPage', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('shows ready-to-copy connection strings and the time left', async () => {
    renderSignedIn(<PortalPage />, contractor, { 'GET /v1/me': () => ok(me()) });
    const uri = await screen.findByLabelText<HTMLInputElement>('Connection URI for billing');
    expect(uri.value).toBe('postgresql://dev%40vendor.io@gw.corp.io:6432/billing?sslmode=verify-full');
    expect(screen.getByLabelText<HTMLInputElement>('psql command for billing').value).toContain("psql 'postgresql://");
    expect(screen.getByRole('button', { name: 'Copy connection uri for billing' })).toBeTruthy();
    const card = within(screen.getByRole('article', { name: 'Resource billing' }));
    expect(card.getByText(/^access ends in 2 h 5 min$/)).toBeTruthy();
    expect(within(card.getByRole('listitem', { name: 'read on billing' })).getByText('through your role')).toBeTruthy();
    expect(screen.getByText('No requests yet')).toBeTruthy();
    expect(screen.getByText('No sessions yet')).toBeTruthy();
  });

  it('copies a connection string to the clipboard', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderSignedIn(<PortalPage />, contractor, { 'GET /v1/me': () => ok(me()) });
    fireEvent.click(await screen.findByRole('button', { name: 'Copy psql command for billing' }));
    expect(writeText).toHaveBeenCalledWith("psql 'postgresql://dev%40vendor.io@gw.corp.io:6432/billing?sslmode=verify-full'");
    expect(await screen.findByText('Copied')).toBeTruthy();
  });

  it('sends an access request with resource, actions, duration and reason', async () => {
    const api = renderSignedIn(<PortalPage />, contractor, { 'GET /v1/me': () => ok(me()), 'POST /v1/requests': () => ok({ id: 'req_9' }) });
    const form = within(await screen.findByRole('form', { name: 'Request access' }));
    fireEvent.click(form.getByLabelText('write'));
    fireEvent.change(form.getByLabelText('Duration'), { target: { value: '2h' } });
    fireEvent.change(form.getByLabelText('Reason'), { target: { value: 'fix invoice 42' } });
    fireEvent.click(form.getByRole('button', { name: 'Send request' }));
    expect(await screen.findByText(/Request sent/)).toBeTruthy();
    expect(api.callsTo('POST', '/v1/requests')[0]?.body).toEqual({ resource: 'billing', actions: ['read', 'write'], duration: '2h', reason: 'fix invoice 42' });
  });

  it('says so instead of connection strings when the gateway has no listener for the resource', async () => {
    const noListener = me();
    const withoutConnection: Me = { ...noListener, resources: noListener.resources.map((r) => ({ ...r, name: 'cache', kind: 'redis', connection: null })) };
    renderSignedIn(<PortalPage />, contractor, { 'GET /v1/me': () => ok(withoutConnection) });
    const card = within(await screen.findByRole('article', { name: 'Resource cache' }));
    expect(card.getByText(/No connection string for cache: this gateway does not listen for redis connections/)).toBeTruthy();
    expect(card.queryByRole('textbox')).toBeNull();
    expect(screen.queryByLabelText('Connection URI for cache')).toBeNull();
  });
});

describe('PortalPage, time left per grant', () => {
  const START = Date.parse('2026-03-01T10:00:00Z');
  const at = (ms: number) => new Date(START + ms).toISOString();
  const HOUR = 3_600_000;

  // Only the interval timer and the clock are fake: the countdowns tick on setInterval, while the page's
  // fetches and the testing library's waits keep real timeouts and promises.
  beforeEach(() => {
    sessionStorage.clear();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(START);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  const withGrant = (tokenExpiresAt: string | null): Me => ({
    ...me(),
    engagementEndsAt: at(30 * 24 * HOUR),
    tokenExpiresAt,
    resources: [
      {
        ...me().resources[0]!,
        actions: ['read', 'write'],
        expiresAt: at(30 * 24 * HOUR),
        access: [
          { action: 'read', via: 'role', expiresAt: at(30 * 24 * HOUR) },
          { action: 'write', via: 'grant', grantId: 'grt_1', expiresAt: at(HOUR) },
        ],
      },
    ],
  });

  it('counts down each grant on its own, apart from the resource and the engagement', async () => {
    renderSignedIn(<PortalPage />, contractor, { 'GET /v1/me': () => ok(withGrant(null)) });
    const card = within(await screen.findByRole('article', { name: 'Resource billing' }));
    expect(card.getByText('access ends in 30 d')).toBeTruthy();
    const write = within(card.getByRole('listitem', { name: 'write on billing' }));
    expect(write.getByText('approved grant').getAttribute('title')).toBe('grant grt_1');
    expect(write.getByText('ends in 1 h')).toBeTruthy();
    const read = within(card.getByRole('listitem', { name: 'read on billing' }));
    expect(read.getByText('through your role')).toBeTruthy();
    expect(read.getByText('ends in 30 d')).toBeTruthy();

    act(() => {
      vi.advanceTimersByTime(61_000);
    });
    expect(write.getByText('ends in 58 min 59 s')).toBeTruthy();
    expect(read.getByText('ends in 29 d 23 h')).toBeTruthy();

    act(() => {
      vi.advanceTimersByTime(HOUR - 61_000);
    });
    expect(write.getByText('ended')).toBeTruthy();
    expect(read.getByText('ends in 29 d 23 h')).toBeTruthy();
    expect(card.getByText('access ends in 29 d 23 h')).toBeTruthy();
  });

  it('never shows a grant outliving the token', async () => {
    renderSignedIn(<PortalPage />, contractor, { 'GET /v1/me': () => ok(withGrant(at(20 * 60_000))) });
    const card = within(await screen.findByRole('article', { name: 'Resource billing' }));
    expect(within(card.getByRole('listitem', { name: 'write on billing' })).getByText('ends in 20 min')).toBeTruthy();
    expect(within(card.getByRole('listitem', { name: 'read on billing' })).getByText('ends in 20 min')).toBeTruthy();
    expect(card.getByText('access ends in 20 min')).toBeTruthy();
  });
});
