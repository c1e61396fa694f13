import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/requests/request-types.ts';
import { CONTRACTORS, STAFF_EMAIL, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';
import { connectAs } from '../support/gateway-pg-client.ts';

/**
 * Just-in-time access through the real gateway: a grant approved while a
 * session is open applies to its next statement, and its end (expiry or
 * revocation) applies to the statement after, in the same session.
 */

const APPROVALS = `approvals:
  - resources: { names: [gw] }
    actions: [write]
    approvers: [${STAFF_EMAIL}]
    max_duration: 1h
  - resources: { names: [gw] }
    actions: [read, write]
    approvers: [${STAFF_EMAIL}]
    max_duration: 1h
`;

const STAFF: Actor = { email: STAFF_EMAIL, apiRoles: ['admin'] };
const READER: Actor = { email: CONTRACTORS.reader, apiRoles: ['contractor'] };
const OUTSIDER: Actor = { email: CONTRACTORS.outsider, apiRoles: ['contractor'] };

let harness: GatewayHarness;
const connect = (email: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client> => connectAs(harness, email, extra);

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.applyPolicy((yaml) => `${yaml}${APPROVALS}`);
  await harness.direct('CREATE TABLE IF NOT EXISTS jit (n int)');
});

afterAll(async () => {
  harness.plane.requests.stop();
  await harness.close();
});


async function insert(client: pg.Client, n: number): Promise<{ ok: true } | { ok: false; code?: string; message: string }> {
  try {
    await client.query('INSERT INTO jit (n) VALUES ($1)', [n]);
    return { ok: true };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { ok: false, ...(code === undefined ? {} : { code }), message };
  }
}

async function grant(who: Actor, actions: ('read' | 'write')[], durationMs: number) {
  const request = await harness.plane.requests.create(who, { resource: 'gw', actions, durationMs, reason: 'gateway test' });
  const approved = await harness.plane.requests.approve(request.id, STAFF);
  if (approved.grant === null) throw new Error('expected a grant');
  return approved.grant;
}

describe('requests and grants through the gateway', () => {
  it('lets a live session write once a request is approved, and refuses the next write at the grant’s expiry, in the same session', async () => {
    const client = await connect(CONTRACTORS.reader);
    const before = await insert(client, 1);
    expect(before).toMatchObject({ ok: false, code: '42501' });

    const granted = await grant(READER, ['write'], 2000);
    expect(await insert(client, 2)).toEqual({ ok: true });
    const backendPid = async (): Promise<number> => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const pid = await backendPid();

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, granted.expiresAt - Date.now()) + 50));
    const after = await insert(client, 3);
    expect(after).toMatchObject({ ok: false, code: '42501' });
    // Same session, same upstream connection: reading still works through the role.
    expect(await backendPid()).toBe(pid);
    expect((await harness.direct('SELECT n FROM jit ORDER BY n')).rows.map((row: { n: number }) => row.n)).toContain(2);
    await expect.poll(async () => (await harness.events('GRANT_EXPIRED')).map((e) => e.data.grant)).toContain(granted.id);
    const denied = (await harness.events('STATEMENT_DENIED')).filter((e) => e.actor === CONTRACTORS.reader);
    expect(denied.length).toBeGreaterThanOrEqual(2);
    await client.end();
  });

  it('takes a revoked grant away mid-session: the next write is refused, reading goes on', async () => {
    const client = await connect(CONTRACTORS.reader);
    const granted = await grant(READER, ['write'], 3_600_000);
    expect(await insert(client, 10)).toEqual({ ok: true });
    await harness.plane.grants.revoke(granted.id, STAFF, 'change window closed');
    expect(await insert(client, 11)).toMatchObject({ ok: false, code: '42501' });
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const revoked = await harness.events('GRANT_REVOKED');
    expect(revoked.at(-1)).toMatchObject({ actor: STAFF_EMAIL, data: { grant: granted.id, reason: 'change window closed' } });
    await client.end();
  });

  it('ends at once a session whose only access was a revoked grant, telling the client why', async () => {
    const granted = await grant(OUTSIDER, ['read', 'write'], 3_600_000);
    const client = await connect(CONTRACTORS.outsider);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const live = harness.plane.sessions.live().find((session) => session.start.contractor === CONTRACTORS.outsider);
    expect(live?.expiresAt).toBe(granted.expiresAt);
    const ended = new Promise<Error>((resolve) => client.once('error', resolve));
    await harness.plane.grants.revoke(granted.id, STAFF, 'no longer needed');
    expect((await ended).message).toMatch(/no longer have any access to gw/);
    await expect
      .poll(async () => (await harness.events('SESSION_ENDED')).filter((e) => e.actor === CONTRACTORS.outsider).map((e) => e.data.reason))
      .toEqual(['access_lost']);
  });
});
