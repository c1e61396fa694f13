import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * TLS between the contractor's client and the gateway, with the certificate
 * the gateway makes for itself: libpq's sslmode=require and verify-full,
 * node-postgres with the CA, and plain TCP refused from other hosts.
 */

let harness: GatewayHarness;
let token: string;

function psql(env: NodeJS.ProcessEnv, sql: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('psql', ['-X', '-At', '-c', sql], { env, timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

/** Makes the gateway see connections to `port` as coming from another host. */
function pretendRemote(port: number): void {
  const prototype = Socket.prototype as unknown as { _getpeername(this: Socket): { address?: string } };
  const original = prototype._getpeername;
  vi.spyOn(prototype, '_getpeername').mockImplementation(function (this: Socket) {
    const real = original.call(this);
    return this.localPort === port ? { ...real, address: '203.0.113.7' } : real;
  });
}

beforeAll(async () => {
  harness = await startGatewayHarness({ tls: true });
  token = (await harness.token(CONTRACTORS.reader)).token;
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await harness.close();
});

async function lastSessionTls(): Promise<unknown> {
  return (await harness.events('SESSION_STARTED')).at(-1)?.data.tls;
}

describe('TLS to the gateway', () => {
  it('serves psql with sslmode=require', async () => {
    const result = await psql({ ...harness.libpqEnv(CONTRACTORS.reader, token), PGSSLMODE: 'require' }, 'SELECT 41 + 1');
    expect(result).toMatchObject({ code: 0, stdout: '42\n' });
    expect(await lastSessionTls()).toBe(true);
  });

  it('serves psql with sslmode=verify-full against the local CA, by IP and by name', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const env = { ...harness.libpqEnv(CONTRACTORS.reader, token), PGHOST: host, PGSSLMODE: 'verify-full', PGSSLROOTCERT: harness.tls!.caPath };
      const result = await psql(env, 'SELECT 1');
      expect(result, result.stderr).toMatchObject({ code: 0, stdout: '1\n' });
    }
    const otherCa = join(harness.tls!.caPath, '..', 'other-ca.pem');
    writeFileSync(otherCa, harness.tls!.certPem);
    const refused = await psql({ ...harness.libpqEnv(CONTRACTORS.reader, token), PGSSLMODE: 'verify-full', PGSSLROOTCERT: otherCa }, 'SELECT 1');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate verify failed/);
  });

  it('serves node-postgres verifying the certificate', async () => {
    const client = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), ssl: { ca: harness.tls!.caCertPem, servername: 'localhost' } });
    await client.connect();
    expect((await client.query('SELECT 7 AS n')).rows).toEqual([{ n: 7 }]);
    await client.end();
  });

  it('refuses plain TCP from another host but accepts it over TLS', async () => {
    pretendRemote(harness.port);
    const plain = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), ssl: false });
    plain.on('error', () => undefined);
    await expect(plain.connect()).rejects.toMatchObject({ code: '28000', message: 'TLS is required; connect with sslmode=require' });
    expect((await harness.events('SESSION_REFUSED')).at(-1)).toMatchObject({ actor: 'anonymous@203.0.113.7', data: { reason: 'TLS_REQUIRED', clientAddress: '203.0.113.7' } });

    const secure = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), ssl: { rejectUnauthorized: false } });
    await secure.connect();
    expect((await secure.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await secure.end();
    await expect.poll(async () => (await harness.events('SESSION_STARTED')).at(-1)?.data).toMatchObject({ clientAddress: '203.0.113.7', tls: true });
  });

  it('accepts plain TCP from another host when configured to', async () => {
    const proxy = harness.proxyWith({ allowPlaintextRemote: true });
    const { port } = await proxy.listen('127.0.0.1', 0);
    try {
      pretendRemote(port);
      const client = new pg.Client({ ...harness.pgConfig(CONTRACTORS.reader, token), port });
      await client.connect();
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      await client.end();
    } finally {
      await proxy.close();
    }
  });
});
