import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelUpstream, connectUpstream } from '../../src/proxies/postgres/postgres-upstream.ts';
import { FrontendDecoder } from '../../src/proxies/postgres/postgres-wire.ts';
import type { AuditEvent } from '../../src/audit/audit-event.ts';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * How sessions end: at the exact expiry while a query runs, on a kill, on a
 * revoked token, when the upstream goes away; and the audit promise: every
 * forwarded statement has its record, durably written before it was sent.
 */

/** Every Query and Execute the gateway wrote upstream, with when it was written. */
const forwarded: { at: number; type: 'Q' | 'E'; sql: string | null; session: number }[] = [];
let upstreamSessions = 0;
let harness: GatewayHarness;

beforeAll(async () => {
  harness = await startGatewayHarness({
    upstream: {
      async connect(target, params) {
        const connection = await connectUpstream(target, params);
        const session = ++upstreamSessions;
        const decoder = new FrontendDecoder();
        decoder.startupDone();
        const socket = connection.socket;
        const original = socket.write;
        // The relay writes whole messages, one Buffer per call.
        socket.write = function (this: typeof socket, chunk: Buffer) {
          for (const message of decoder.push(Buffer.from(chunk))) {
            if (message.type === 'query') forwarded.push({ at: performance.now(), type: 'Q', sql: message.sql, session });
            if (message.type === 'execute') forwarded.push({ at: performance.now(), type: 'E', sql: null, session });
          }
          return original.call(this, chunk);
        };
        return connection;
      },
      cancel: cancelUpstream,
    },
  });
});

afterAll(async () => {
  await harness.close();
});

function client(email: string, token: string): pg.Client {
  const c = new pg.Client(harness.pgConfig(email, token));
  c.on('error', () => undefined);
  return c;
}

async function endedSession(id: string): Promise<AuditEvent | undefined> {
  return (await harness.events('SESSION_ENDED')).find((event) => event.subject === id);
}

/** The live session opened with the token (each test uses its own token). */
function sessionOf(tokenId: string): string {
  const live = harness.plane.sessions.live().filter((session) => session.start.tokenId === tokenId);
  expect(live).toHaveLength(1);
  return live[0]!.id;
}

function sleeping(): Promise<unknown> {
  return harness.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'");
}

describe('ending sessions', () => {
  it('cuts a session within a second of its expiry while a long query runs, and cancels the query', async () => {
    const ttlMs = 1500;
    const { id: tokenId, token } = await harness.token(CONTRACTORS.reader, { ttlMs });
    const expiresAt = Date.now() + ttlMs;
    const c = client(CONTRACTORS.reader, token);
    await c.connect();
    const id = sessionOf(tokenId);
    const failure = await c.query('SELECT pg_sleep(30)').then(
      () => null,
      (error: unknown) => error as { code?: string; message: string },
    );
    const cutAt = Date.now();
    expect(cutAt - expiresAt).toBeLessThan(1000);
    expect(cutAt).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(failure).toMatchObject({ code: '57P01' });
    expect(failure!.message).toMatch(/^Your access to gw ended at \d{4}-\d\d-\d\dT[\d:.]+Z; the session was closed\.$/);
    await expect.poll(() => endedSession(id)).toMatchObject({ data: { reason: 'expired' } });
    await expect.poll(sleeping, { timeout: 2000 }).toBe(0);
  });

  it('ends a session killed through the registry', async () => {
    const { id: tokenId, token } = await harness.token(CONTRACTORS.reader);
    const c = client(CONTRACTORS.reader, token);
    await c.connect();
    const id = sessionOf(tokenId);
    const ended = new Promise<Error>((resolve) => c.once('error', resolve));
    await harness.plane.sessions.kill(id, 'staff@corp.example', 'routine check');
    expect((await ended).message).toBe('Your session on gw was ended by staff@corp.example: routine check.');
    await expect.poll(() => endedSession(id)).toMatchObject({ data: { reason: 'killed' } });
  });

  it('ends a session within a second once its token is revoked', async () => {
    const { id: tokenId, token } = await harness.token(CONTRACTORS.reader);
    const c = client(CONTRACTORS.reader, token);
    await c.connect();
    const id = sessionOf(tokenId);
    const ended = new Promise<Error>((resolve) => c.once('error', resolve));
    const revokedAt = Date.now();
    await harness.plane.tokens.revoke(tokenId, { by: 'staff@corp.example', reason: 'laptop lost' });
    expect((await ended).message).toContain('Your access token was revoked');
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    await expect.poll(() => endedSession(id)).toMatchObject({ data: { reason: 'token_revoked' } });
  });

  it('records the end when the client leaves, with counters, and closes the upstream session', async () => {
    const { id: tokenId, token } = await harness.token(CONTRACTORS.reader);
    const c = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), application_name: 'stint-leaver' });
    await c.connect();
    const upstreamSessions = (): Promise<unknown> => harness.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'stint-leaver'");
    expect(await upstreamSessions()).toBe(1);
    const id = sessionOf(tokenId);
    await c.query('SELECT 1');
    await c.query('SELECT 2');
    await c.end();
    const ended = await expect.poll(() => endedSession(id)).toBeDefined().then(() => endedSession(id));
    expect(ended!.data).toMatchObject({ reason: 'client_closed', statements: 2 });
    expect(ended!.data.bytesIn).toBeGreaterThan(0);
    expect(ended!.data.bytesOut).toBeGreaterThan(0);
    await expect.poll(upstreamSessions).toBe(0);
  });

  it('ends its sessions when the gateway shuts down', async () => {
    const proxy = harness.proxyWith();
    const { port } = await proxy.listen('127.0.0.1', 0);
    const { id: tokenId, token } = await harness.token(CONTRACTORS.reader);
    const c = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), port });
    c.on('error', () => undefined);
    await c.connect();
    const id = sessionOf(tokenId);
    const ended = new Promise<Error>((resolve) => c.once('error', resolve));
    await proxy.close();
    expect((await ended).message).toBe('The Stint gateway is shutting down; reconnect in a moment.');
    expect(await endedSession(id)).toMatchObject({ data: { reason: 'server_shutdown' } });
  });

  it('tells the client when the database goes away under it', async () => {
    const { id: tokenId, token } = await harness.token(CONTRACTORS.root);
    const c = client(CONTRACTORS.root, token);
    await c.connect();
    const id = sessionOf(tokenId);
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const ended = new Promise<Error>((resolve) => c.once('error', resolve));
    await harness.direct('SELECT pg_terminate_backend($1)', [pid]);
    expect((await ended).message).toMatch(/terminating connection due to administrator command/);
    await expect.poll(() => endedSession(id)).toMatchObject({ data: { reason: 'upstream_closed' } });
  });
});

describe('audit before forwarding', () => {
  it('writes STATEMENT_ALLOWED durably before each statement is sent, one per forwarded statement', async () => {
    const { id: tokenId, token } = await harness.token(CONTRACTORS.writer);
    const c = client(CONTRACTORS.writer, token);
    await c.connect();
    const id = sessionOf(tokenId);
    const before = forwarded.length;
    const session = upstreamSessions;
    await c.query('CREATE TEMP TABLE scratch (n int)').catch(() => undefined);
    await c.query('SELECT 1');
    await c.query('SELECT $1::int', [2]);
    await c.query({ name: 'named', text: 'SELECT $1::text', values: ['a'] });
    await c.query({ name: 'named', text: 'SELECT $1::text', values: ['b'] });
    await c.query('SELECT 3; SELECT 4');
    await c.end();

    const mine = forwarded.slice(before).filter((f) => f.session === session && f.sql !== 'STINT DENIED');
    const allowed = harness.timeline.filter(({ event }) => event.code === 'STATEMENT_ALLOWED' && event.subject === id);
    // The multi-statement query is one message and two records.
    expect(allowed).toHaveLength(mine.length + 1);
    expect(mine.map((f) => f.type)).toEqual(['Q', 'E', 'E', 'E', 'Q']);
    // Each forwarded statement's record had been committed before its bytes were written.
    mine.forEach((write, i) => expect(allowed[i]!.at).toBeLessThan(write.at));
    const texts = allowed.map(({ event }) => event.data.text);
    expect(texts).toEqual(['SELECT 1', 'SELECT $1::int', 'SELECT $1::text', 'SELECT $1::text', 'SELECT 3', 'SELECT 4']);
    expect(allowed.map(({ event }) => event.data.params ?? null)).toEqual([null, ['2'], ['a'], ['b'], null, null]);
  });

  it('refuses statements when the audit log cannot record them, and the session goes on', async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    const c = client(CONTRACTORS.reader, token);
    await c.connect();
    const before = forwarded.length;
    harness.audit.failing = (input) => input.code === 'STATEMENT_ALLOWED';
    try {
      await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: 'XX000', message: 'audit log unavailable, statement refused' });
      await expect(c.query('SELECT $1::int', [1])).rejects.toMatchObject({ code: 'XX000' });
      expect(forwarded.slice(before).filter((f) => f.sql !== 'STINT DENIED')).toEqual([]);
    } finally {
      harness.audit.failing = null;
    }
    expect((await c.query('SELECT 5 AS five')).rows).toEqual([{ five: 5 }]);
    await c.end();
  });
});
