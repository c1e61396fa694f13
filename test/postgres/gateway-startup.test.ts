import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresProxy } from '../../src/proxies/postgres/postgres-proxy.ts';
import { cancelUpstream } from '../../src/proxies/postgres/postgres-upstream.ts';
import { BackendFramer, gssEncRequest, parseErrorFields, sslRequest, startupMessage, type BackendFrame } from '../../src/proxies/postgres/postgres-wire.ts';
import { STORE_ENGINES } from '../support/test-store.ts';
import { CONTRACTORS, rawExchange, STAFF_EMAIL, startGatewayHarness, types, WireClient, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * Connecting: who may, to what, with which startup parameters; and that every
 * refusal is recorded before the client reads it.
 */

async function connectError(harness: GatewayHarness, config: pg.ClientConfig): Promise<{ code?: string; message: string; severity?: string }> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  await client.end();
  throw new Error(`connected to ${harness.port} although a refusal was expected`);
}

function framesOf(bytes: Buffer): BackendFrame[] {
  return new BackendFramer().push(bytes);
}

for (const engine of STORE_ENGINES) {
  describe(`a session on a ${engine} store`, () => {
    let harness: GatewayHarness;

    beforeAll(async () => {
      harness = await startGatewayHarness({ engine });
    });

    afterAll(async () => {
      await harness.close();
    });

    it('authenticates with the token, connects upstream with the resource credential, and records the session', async () => {
      const { id: tokenId, token } = await harness.token(CONTRACTORS.reader);
      const client = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), application_name: 'stint-test' });
      await client.connect();
      const { rows } = await client.query('SELECT current_user AS who, current_database() AS db, current_setting($1) AS app', ['application_name']);
      expect(rows).toEqual([{ who: 'postgres', db: harness.database, app: 'stint-test' }]);
      // The gateway hands out its own cancel key, never the upstream's.
      const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      expect((client as unknown as { processID: number }).processID).not.toBe(backendPid);
      await client.end();

      await expect.poll(async () => (await harness.events('SESSION_ENDED')).length).toBe(1);
      const [started] = await harness.events('SESSION_STARTED');
      expect(started).toMatchObject({ actor: CONTRACTORS.reader, resource: 'gw', data: { protocol: 'postgres', tls: false, tokenId, clientAddress: '127.0.0.1' } });
      const allowed = await harness.events('STATEMENT_ALLOWED');
      expect(allowed.map((e) => e.data.command)).toEqual(['SELECT', 'SELECT']);
      expect(allowed.every((e) => e.subject === started!.subject)).toBe(true);
      await expect.poll(async () => (await harness.events('STATEMENT_COMPLETED')).map((e) => e.data.rows)).toEqual([1, 1]);
      const [ended] = await harness.events('SESSION_ENDED');
      expect(ended).toMatchObject({ subject: started!.subject, data: { reason: 'client_closed', statements: 2 } });
    });
  });
}

describe('refusals at connection', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  async function lastRefusal(): Promise<Record<string, unknown> | undefined> {
    return (await harness.events('SESSION_REFUSED')).at(-1)?.data;
  }

  it('tells unknown, expired and revoked tokens apart (28P01), and records each refusal before answering', async () => {
    const unknown = await connectError(harness, harness.pgConfig(CONTRACTORS.reader, 'stint_not-a-real-token'));
    expect(unknown).toMatchObject({ code: '28P01', message: 'The access token is not recognised.' });
    expect(await lastRefusal()).toMatchObject({ reason: 'STINT_ERR_TOKEN_INVALID', clientAddress: '127.0.0.1', claimedUser: CONTRACTORS.reader });
    expect((await harness.events('SESSION_REFUSED')).at(-1)).toMatchObject({ actor: 'anonymous@127.0.0.1', resource: 'gw' });

    const short = await harness.token(CONTRACTORS.reader, { ttlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const expired = await connectError(harness, harness.pgConfig(CONTRACTORS.reader, short.token));
    expect(expired.code).toBe('28P01');
    expect(expired.message).toMatch(new RegExp(`^The access token ${short.id} expired at `));
    expect(await lastRefusal()).toMatchObject({ reason: 'STINT_ERR_TOKEN_EXPIRED' });

    const revokedToken = await harness.token(CONTRACTORS.reader);
    await harness.plane.tokens.revoke(revokedToken.id, { by: STAFF_EMAIL, reason: 'rotated' });
    const revoked = await connectError(harness, harness.pgConfig(CONTRACTORS.reader, revokedToken.token));
    expect(revoked.code).toBe('28P01');
    expect(revoked.message).toMatch(new RegExp(`^The access token ${revokedToken.id} was revoked at .* \\(rotated\\)\\.$`));
    expect(await lastRefusal()).toMatchObject({ reason: 'STINT_ERR_TOKEN_REVOKED' });
  });

  it('refuses an unknown resource with 3D000 naming only what was asked for', async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    const error = await connectError(harness, harness.pgConfig(CONTRACTORS.reader, token, 'payroll'));
    expect(error).toMatchObject({ code: '3D000' });
    expect(error.message).toBe('there is no resource named "payroll"; check the name, or ask your sponsor which resources you can reach');
    expect((await harness.events('SESSION_REFUSED')).at(-1)).toMatchObject({ actor: CONTRACTORS.reader, resource: 'payroll', data: { reason: 'DENY_UNKNOWN_RESOURCE' } });
  });

  it('refuses staff and admin tokens, and contractors without access to the resource (28000)', async () => {
    for (const kind of ['staff', 'admin'] as const) {
      const { token } = await harness.token(STAFF_EMAIL, { kind });
      const error = await connectError(harness, harness.pgConfig(STAFF_EMAIL, token));
      expect(error).toMatchObject({ code: '28000', message: 'only contractor tokens connect to resources' });
    }
    const { token } = await harness.token(CONTRACTORS.outsider);
    const error = await connectError(harness, harness.pgConfig(CONTRACTORS.outsider, token));
    expect(error).toMatchObject({ code: '28000', message: 'outsider@vendor.example has no grant for read on gw; ask your sponsor or request access' });
    expect(await lastRefusal()).toMatchObject({ reason: 'DENY_NO_GRANT' });
  });

  it('admits a contractor this node has not heard of yet, after one refresh of its access index', async () => {
    const email = 'newcomer@vendor.example';
    await harness.plane.contractors.upsertFromFiles(
      { email, name: 'Newcomer', company: 'Vendor', sponsor: STAFF_EMAIL, roles: ['readonly'], untilAt: Date.parse('2099-01-01') },
      Date.now(),
    );
    expect(harness.plane.access.decide({ email, tokenExpiresAt: null }, 'gw', 'read').reason).toBe('DENY_UNKNOWN_SUBJECT');
    const { token } = await harness.token(email);
    const client = new pg.Client(harness.pgConfig(email, token));
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });

  it('refuses startup options and parameters that change identity or privileges (42501)', async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    for (const options of ['-c role=pg_read_server_files', '-c session_authorization=postgres', '--default-transaction-read-only=off', '-d 5']) {
      const error = await connectError(harness, { ...harness.pgConfig(CONTRACTORS.reader, token), options });
      expect(error.code, options).toBe('42501');
      expect(error.message).toContain('through Stint');
    }
    for (const [name, value] of [['replication', 'database'], ['role', 'postgres'], ['session_authorization', 'postgres']] as const) {
      const { client, greeting } = await WireClient.connect(harness.port, { user: CONTRACTORS.reader, database: 'gw', [name]: value }, token);
      const fatal = greeting.find((frame) => frame.type === 'E');
      expect(parseErrorFields(fatal!)).toMatchObject({ severity: 'FATAL', code: '42501' });
      client.close();
    }
    expect(await lastRefusal()).toMatchObject({ reason: 'BAD_STARTUP_PARAMETER' });
  });

  it('passes allowed settings from options and parameters upstream', async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    const client = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), options: '-c search_path=audit,public --statement-timeout=5s', statement_timeout: undefined });
    await client.connect();
    const { rows } = await client.query("SELECT current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout");
    expect(rows).toEqual([{ path: 'audit,public', timeout: '5s' }]);
    await client.end();
  });

  it('reports an unreachable database clearly and records the refusal', async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    const error = await connectError(harness, harness.pgConfig(CONTRACTORS.reader, token, 'down'));
    expect(error).toMatchObject({ code: '08001', message: 'the database behind resource down (127.0.0.1:9) is unreachable: connection refused' });
    expect((await harness.events('SESSION_REFUSED')).at(-1)).toMatchObject({ actor: CONTRACTORS.reader, resource: 'down', data: { reason: 'UPSTREAM_UNREACHABLE' } });
  });

  it('never lets an internal error text reach the client', async () => {
    const proxyWith = harness.proxyWith;
    const { token } = await harness.token(CONTRACTORS.reader);
    const cases: [PostgresProxy, string][] = [
      [
        proxyWith({
          upstreamTarget: () => {
            throw new Error('env:GW_PASSWORD=hunter2 is not set');
          },
        }),
        'UPSTREAM_CONFIG',
      ],
      [proxyWith({ upstream: { connect: () => Promise.reject(new Error('internal detail hunter2')), cancel: cancelUpstream } }), 'UPSTREAM_FAILED'],
    ];
    for (const [proxy, reason] of cases) {
      const { port } = await proxy.listen('127.0.0.1', 0);
      try {
        const error = await connectError(harness, { ...harness.pgConfig(CONTRACTORS.reader, token), port });
        expect(error.code).toBe('08006');
        expect(error.message).toMatch(/^the gateway (cannot|could not) connect to the database behind resource gw/);
        expect(error.message).not.toContain('hunter2');
        expect(await lastRefusal()).toMatchObject({ reason });
      } finally {
        await proxy.close();
      }
    }
  });

  it("answers GSSENCRequest and, without TLS configured, SSLRequest with 'N', then goes on", async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    for (const request of [gssEncRequest(), sslRequest()]) {
      const { received } = await rawExchange(harness.port, request, 300);
      expect(received.toString()).toBe('N');
    }
    const client = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), ssl: false });
    await client.connect();
    await client.end();
    const refusedTls = await connectError(harness, { ...harness.pgConfig(CONTRACTORS.reader, token), ssl: { rejectUnauthorized: false } });
    expect(refusedTls.message).toMatch(/does not support SSL/);
  });

  it('tells a client asking for protocol 3.2 and _pq_ options that the gateway speaks 3.0 without them', async () => {
    const { received } = await rawExchange(harness.port, startupMessage({ user: CONTRACTORS.reader, database: 'gw', '_pq_.extension': 'on' }, 2), 300);
    const frames = framesOf(received);
    expect(types(frames)).toBe('vR');
    const body = frames[0]!.body;
    expect(body.readInt32BE(0)).toBe(0);
    expect(body.readInt32BE(4)).toBe(1);
    expect(body.subarray(8).toString()).toBe('_pq_.extension\0');
  });
});
