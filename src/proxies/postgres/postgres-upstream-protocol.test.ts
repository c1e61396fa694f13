import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cancelUpstream, connectUpstream, UpstreamError, type UpstreamTarget } from './postgres-upstream.ts';
import {
  authenticationOk,
  authenticationSasl,
  authenticationSaslContinue,
  authenticationSaslFinal,
  backendKeyData,
  cancelRequest,
  errorResponse,
  noticeResponse,
  parameterStatus,
  readyForQuery,
  SSL_REQUEST_CODE,
} from './postgres-wire.ts';
import { MessageWriter } from './postgres-wire-writer.ts';

/**
 * Scripted servers for what a real PostgreSQL never does: injected bytes
 * around SSLRequest, skipped or forged SCRAM proofs, silence, messages out
 * of order.
 */

/** Reads what the connector sends: untyped startup packets and typed messages. */
class ClientBytes {
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  async take(length: number): Promise<Buffer> {
    while (this.#buffer.length < length) {
      if (this.#closed) throw new Error('client closed');
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    const out = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return out;
  }

  async packet(): Promise<Buffer> {
    const length = (await this.take(4)).readInt32BE(0);
    return this.take(length - 4);
  }

  async typed(): Promise<{ type: string; body: Buffer }> {
    const header = await this.take(5);
    return { type: String.fromCharCode(header[0]!), body: await this.take(header.readInt32BE(1) - 4) };
  }
}

type Script = (socket: Socket, client: ClientBytes) => Promise<void> | void;

const servers: Server[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Runs `script` for every connection; resolves to the port and the server-side sockets seen. */
async function scriptedServer(script: Script): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const client = new ClientBytes(socket);
    (async () => {
      await script(socket, client);
    })().catch(() => socket.destroy());
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, sockets };
}

function target(port: number, overrides: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return { host: '127.0.0.1', port, database: 'app', user: 'svc', password: 'pw', tls: 'disable', resource: 'fake', ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

function startupParams(body: Buffer): Map<string, string> {
  const fields = body.subarray(4).toString('utf8').split('\0');
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) params.set(fields[i]!, fields[i + 1]!);
  return params;
}

const sessionStart = (): Buffer =>
  Buffer.concat([authenticationOk(), parameterStatus('server_version', '15.0'), backendKeyData(42, Buffer.from('abcd')), readyForQuery('I')]);

describe('connectUpstream protocol guards', () => {
  it('refuses bytes sent after the answer to SSLRequest before the handshake', async () => {
    const { port } = await scriptedServer(async (socket, client) => {
      expect((await client.packet()).readInt32BE(0)).toBe(SSL_REQUEST_CODE);
      socket.write(Buffer.concat([Buffer.from('S'), authenticationOk()]));
    });
    const error = await failure(connectUpstream(target(port, { tls: 'require' }), new Map()));
    expect([error.kind, error.sqlstate]).toEqual(['protocol', '08P01']);
    expect(error.message).toContain('unexpected byte(s) after the answer to SSLRequest');
  });

  it('goes on in plain text under prefer, sets the identity itself, and returns notices and leftover bytes', async () => {
    let seen = new Map<string, string>();
    const { port } = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.write('N');
      seen = startupParams(await client.packet());
      const notice = noticeResponse({ severity: 'NOTICE', code: '00000', message: 'hello' });
      const extra = parameterStatus('late', 'x').subarray(0, 6);
      socket.write(Buffer.concat([authenticationOk(), notice, parameterStatus('a', '1'), backendKeyData(7, Buffer.from('wxyz')), readyForQuery('T'), extra]));
    });
    const client = new Map([
      ['user', 'mallory'],
      ['database', 'other'],
      ['replication', 'database'],
      ['application_name', 'psql'],
    ]);
    const connection = await connectUpstream(target(port, { tls: 'prefer' }), client);
    connection.socket.destroy();
    expect([...seen]).toEqual([
      ['user', 'svc'],
      ['database', 'app'],
      ['application_name', 'psql'],
    ]);
    expect(connection.transactionStatus).toBe('T');
    expect([...connection.parameters]).toEqual([['a', '1']]);
    expect(connection.backendKey).toEqual({ pid: 7, secretKey: Buffer.from('wxyz') });
    expect(connection.notices.map((notice) => notice.toString('latin1'))).toEqual([
      noticeResponse({ severity: 'NOTICE', code: '00000', message: 'hello' }).toString('latin1'),
    ]);
    expect(connection.leftover).toEqual(parameterStatus('late', 'x').subarray(0, 6));
  });

  async function scramServer(finish: (socket: Socket) => void): Promise<number> {
    const { port } = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.write(authenticationSasl(['SCRAM-SHA-256']));
      const initial = await client.typed();
      const clientFirst = initial.body.subarray(initial.body.indexOf(0) + 5).toString();
      const nonce = /r=([^,]+)/.exec(clientFirst)![1]!;
      socket.write(authenticationSaslContinue(Buffer.from(`r=${nonce}server,s=${Buffer.from('salt').toString('base64')},i=4096`)));
      await client.typed();
      finish(socket);
    });
    return port;
  }

  it('refuses a server that skips its SCRAM signature', async () => {
    const port = await scramServer((socket) => socket.write(sessionStart()));
    const error = await failure(connectUpstream(target(port), new Map()));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('without proving it knows the password');
  });

  it('refuses a forged SCRAM signature', async () => {
    const port = await scramServer((socket) =>
      socket.write(Buffer.concat([authenticationSaslFinal(Buffer.from(`v=${Buffer.alloc(32, 1).toString('base64')}`)), sessionStart()])),
    );
    const error = await failure(connectUpstream(target(port), new Map()));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('signature is wrong');
  });

  it('refuses SASL without SCRAM-SHA-256 and authentication methods it cannot answer', async () => {
    const plus = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.write(authenticationSasl(['SCRAM-SHA-256-PLUS']));
    });
    expect((await failure(connectUpstream(target(plus.port), new Map()))).message).toContain('offers SASL mechanisms SCRAM-SHA-256-PLUS');
    const gss = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.write(new MessageWriter().int32(7).build('R'));
    });
    const error = await failure(connectUpstream(target(gss.port), new Map()));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('GSSAPI');
  });

  it('refuses session messages before authentication completes', async () => {
    const { port } = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.write(Buffer.concat([parameterStatus('a', '1'), readyForQuery('I')]));
    });
    expect((await failure(connectUpstream(target(port), new Map()))).kind).toBe('protocol');
  });

  it('reports a malformed startup message as a protocol violation', async () => {
    const { port } = await scriptedServer(async (socket, client) => {
      await client.packet();
      // AuthenticationOk with four stray bytes after the subtype.
      socket.write(new MessageWriter().int32(0).int32(0).build('R'));
    });
    const error = await failure(connectUpstream(target(port), new Map()));
    expect([error.kind, error.sqlstate]).toEqual(['protocol', '08P01']);
    expect(error.message).toContain('broke the PostgreSQL protocol while authenticating');
  });

  it('carries the server’s SQLSTATE from an ErrorResponse during startup', async () => {
    const { port } = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.write(errorResponse({ severity: 'FATAL', code: '53300', message: 'sorry, too many clients already' }));
    });
    const error = await failure(connectUpstream(target(port), new Map()));
    expect([error.kind, error.sqlstate]).toEqual(['server', '53300']);
    expect(error.message).toBe(`the database behind resource fake (127.0.0.1:${port}) refused the connection: sorry, too many clients already`);
  });

  it('reports a server that closes during startup', async () => {
    const { port } = await scriptedServer(async (socket, client) => {
      await client.packet();
      socket.end();
    });
    const error = await failure(connectUpstream(target(port), new Map()));
    expect([error.kind, error.sqlstate]).toEqual(['server', '08006']);
    expect(error.message).toContain('closed the connection while authenticating');
  });

  it('times out on a silent server and closes its socket', async () => {
    const { port, sockets } = await scriptedServer(() => {
      // Accepts and never answers.
    });
    const started = Date.now();
    const error = await failure(connectUpstream(target(port, { connectTimeoutMs: 300 }), new Map()));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('did not answer within 300ms while authenticating');
    const serverSide = sockets[0]!;
    if (!serverSide.closed) await once(serverSide, 'close');
    expect(serverSide.closed).toBe(true);
  });
});

describe('cancelUpstream', () => {
  const key = { pid: 4242, secretKey: Buffer.from('k3y!') };

  it('sends exactly a CancelRequest on a new connection and returns when the server closes', async () => {
    const received: Buffer[] = [];
    const { port } = await scriptedServer(async (socket, client) => {
      received.push(Buffer.concat([Buffer.alloc(4), await client.packet()]));
      socket.end();
    });
    await cancelUpstream(target(port), key);
    const expected = cancelRequest(key.pid, key.secretKey);
    expect(received.map((packet) => packet.subarray(4))).toEqual([expected.subarray(4)]);
  });

  it('never sends the key in plain text when the resource requires TLS', async () => {
    const packets: Buffer[] = [];
    const { port } = await scriptedServer(async (socket, client) => {
      packets.push(await client.packet());
      socket.write('N');
      packets.push(await client.packet());
    });
    const error = await failure(cancelUpstream(target(port, { tls: 'require' }), key));
    expect(error.kind).toBe('tls');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(packets.map((packet) => packet.readInt32BE(0))).toEqual([SSL_REQUEST_CODE]);
  });

  it('treats a server that just closes as done, and skips sessions without a key', async () => {
    const { port, sockets } = await scriptedServer((socket) => {
      socket.destroy();
    });
    await expect(cancelUpstream(target(port), key)).resolves.toBeUndefined();
    await cancelUpstream(target(port), { pid: 1, secretKey: Buffer.alloc(0) });
    expect(sockets.length).toBe(1);
  });

  it('rejects with kind unreachable when nothing listens', async () => {
    const { port } = await scriptedServer(() => undefined);
    servers.splice(0).forEach((server) => server.close());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await failure(cancelUpstream(target(port), key))).kind).toBe('unreachable');
  });
});
