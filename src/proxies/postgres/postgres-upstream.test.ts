import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthCluster, type AuthCluster } from '../../../test/support/pg-auth-cluster.ts';
import { ensureTlsMaterial } from '../../tls/tls-material.ts';
import { cancelUpstream, connectUpstream, UpstreamError, type UpstreamConnection, type UpstreamTarget } from './postgres-upstream.ts';
import { BackendFramer, parseDataRow, parseErrorFields, query, terminate, type BackendFrame } from './postgres-wire.ts';

const CLIENT_PARAMS = new Map([
  ['application_name', 'upstream-test'],
  ['client_encoding', 'UTF8'],
  // Must be ignored: the identity always comes from the resource.
  ['user', 'mallory'],
  ['database', 'nope'],
]);

/** Sends one simple query on an upstream connection and reads until ReadyForQuery. */
async function simpleQuery(connection: UpstreamConnection, sql: string): Promise<BackendFrame[]> {
  const { socket } = connection;
  const framer = new BackendFramer();
  const frames: BackendFrame[] = framer.push(connection.leftover);
  return new Promise((resolve, reject) => {
    const done = (): boolean => frames.some((frame) => frame.type === 'Z');
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
    };
    const onData = (chunk: Buffer): void => {
      frames.push(...framer.push(chunk));
      if (done()) {
        cleanup();
        resolve(frames);
      }
    };
    socket.on('error', reject);
    socket.on('data', onData);
    socket.resume();
    socket.write(query(sql));
  });
}

function rows(frames: readonly BackendFrame[]): (string | null)[][] {
  return frames.filter((frame) => frame.type === 'D').map((frame) => parseDataRow(frame).map((value) => (value === null ? null : value.toString('utf8'))));
}

function close(connection: UpstreamConnection): void {
  connection.socket.end(terminate());
}

async function upstreamFailure(target: UpstreamTarget): Promise<UpstreamError> {
  const error = await connectUpstream(target, CLIENT_PARAMS).then(
    (connection) => {
      close(connection);
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connectUpstream against a password-auth PostgreSQL', () => {
  let cluster: AuthCluster;
  let base: UpstreamTarget;

  beforeAll(async () => {
    cluster = await startAuthCluster();
    base = { host: cluster.host, port: cluster.port, database: cluster.database, user: cluster.users.trust.user, tls: 'disable', resource: 'demo' };
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('authenticates with SCRAM-SHA-256 and hands back a session ready for queries', async () => {
    const { user, password } = cluster.users.scram;
    const connection = await connectUpstream({ ...base, user, password }, CLIENT_PARAMS);
    try {
      expect(connection.transactionStatus).toBe('I');
      expect(connection.leftover.length).toBe(0);
      expect(connection.backendKey.pid).toBeGreaterThan(0);
      expect(connection.backendKey.secretKey.length).toBe(4);
      expect(connection.parameters.get('server_version')).toMatch(/^15\./);
      expect(connection.parameters.get('application_name')).toBe('upstream-test');
      expect(connection.parameters.get('client_encoding')).toBe('UTF8');
      expect(connection.parameters.get('session_authorization')).toBe(user);
      expect(connection.parameters.has('integer_datetimes')).toBe(true);
      const frames = await simpleQuery(connection, 'SELECT 1, current_user, current_database(), pg_backend_pid()');
      expect(rows(frames)).toEqual([['1', user, cluster.database, String(connection.backendKey.pid)]]);
      expect(frames.at(-1)?.type).toBe('Z');
    } finally {
      close(connection);
    }
  });

  it('refuses a wrong SCRAM password with 28P01 and never echoes the password', async () => {
    const password = 'definitely-wrong-password';
    const error = await upstreamFailure({ ...base, user: cluster.users.scram.user, password });
    expect(error.kind).toBe('auth');
    expect(error.sqlstate).toBe('28P01');
    expect(error.message).toContain('resource demo');
    expect(error.message).toContain(`${cluster.host}:${cluster.port}`);
    expect(error.message).not.toContain(password);
    expect(error.server?.code).toBe('28P01');
  });

  it('authenticates with MD5 and refuses a wrong MD5 password', async () => {
    const { user, password } = cluster.users.md5;
    const connection = await connectUpstream({ ...base, user, password }, CLIENT_PARAMS);
    try {
      expect(rows(await simpleQuery(connection, 'SELECT current_user'))).toEqual([[user]]);
    } finally {
      close(connection);
    }
    const error = await upstreamFailure({ ...base, user, password: `${password}x` });
    expect([error.kind, error.sqlstate]).toEqual(['auth', '28P01']);
  });

  it('connects a trust user without a password', async () => {
    const connection = await connectUpstream(base, new Map());
    try {
      expect(rows(await simpleQuery(connection, 'SELECT current_user'))).toEqual([[cluster.users.trust.user]]);
    } finally {
      close(connection);
    }
  });

  it('says which resource needs a password when the server asks for one and none is set', async () => {
    const error = await upstreamFailure({ ...base, user: cluster.users.scram.user });
    expect(error.kind).toBe('auth');
    expect(error.message).toBe('resource demo needs a password: set credentials.password in the policy');
  });

  it('reports a server refusal with the server’s SQLSTATE', async () => {
    const error = await upstreamFailure({ ...base, database: 'no_such_database' });
    expect(error.kind).toBe('server');
    expect(error.sqlstate).toBe('3D000');
    expect(error.message).toContain('database "no_such_database" does not exist');
  });

  async function sslInUse(connection: UpstreamConnection): Promise<string | null | undefined> {
    return rows(await simpleQuery(connection, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'))[0]?.[0];
  }

  it('uses TLS for require and verify-full (by IP and by name) with the CA', async () => {
    const { user, password } = cluster.users.scram;
    for (const target of [
      { ...base, user, password, tls: 'require' },
      { ...base, user, password, tls: 'verify-full', ca: cluster.tls.caPem },
      { ...base, host: 'localhost', user, password, tls: 'verify-full', ca: cluster.tls.caPem },
      { ...base, user, password, tls: 'prefer' },
    ] as const) {
      const connection = await connectUpstream(target, CLIENT_PARAMS);
      try {
        expect(connection.socket.constructor.name).toBe('TLSSocket');
        expect(await sslInUse(connection)).toBe('t');
      } finally {
        close(connection);
      }
    }
  });

  it('fails verify-full against a CA that did not sign the server certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stint-other-ca-'));
    try {
      const other = await ensureTlsMaterial(dir, {});
      const error = await upstreamFailure({ ...base, tls: 'verify-full', ca: other.caCertPem });
      expect(error.kind).toBe('tls');
      expect(error.sqlstate).toBe('08001');
      expect(error.message).toContain('failed verification');
      // And without any CA, Node's public roots do not know the local CA either.
      expect((await upstreamFailure({ ...base, tls: 'verify-full' })).kind).toBe('tls');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails fast with kind unreachable when nothing listens', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await upstreamFailure({ ...base, port });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.kind).toBe('unreachable');
    expect(error.sqlstate).toBe('08001');
    expect(error.message).toBe(`the database behind resource demo (127.0.0.1:${port}) is unreachable: connection refused`);
  });

  for (const tls of ['disable', 'verify-full'] as const) {
    it(`cancels a running query through cancelUpstream (tls ${tls})`, async () => {
      const { user, password } = cluster.users.scram;
      const target: UpstreamTarget = { ...base, user, password, tls, ca: cluster.tls.caPem };
      const connection = await connectUpstream(target, CLIENT_PARAMS);
      try {
        const started = Date.now();
        const running = simpleQuery(connection, 'SELECT pg_sleep(10)');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await cancelUpstream(target, connection.backendKey);
        const frames = await running;
        expect(Date.now() - started).toBeLessThan(1200);
        const error = frames.find((frame) => frame.type === 'E');
        expect(error === undefined ? undefined : parseErrorFields(error).code).toBe('57014');
      } finally {
        close(connection);
      }
    });
  }
});

describe('connectUpstream against the machine’s trust-auth PostgreSQL (127.0.0.1:5432)', () => {
  const target: UpstreamTarget = { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', tls: 'prefer', resource: 'local' };

  it('connects with trust, falling back to plain text under prefer when the server has no TLS', async () => {
    const connection = await connectUpstream(target, CLIENT_PARAMS);
    try {
      expect(connection.socket.constructor.name).toBe('Socket');
      expect(rows(await simpleQuery(connection, 'SELECT current_user'))).toEqual([['postgres']]);
    } finally {
      close(connection);
    }
  });

  it('refuses to go on in plain text when TLS is required', async () => {
    const error = await upstreamFailure({ ...target, tls: 'require' });
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('does not accept TLS connections');
  });
});
