import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { UpstreamAttempt } from './postgres-upstream-attempt.ts';
import { UPSTREAM_SQLSTATE } from './postgres-upstream-error.ts';
import { sslRequest } from './postgres-wire.ts';

/**
 * The transport under an upstream session: a TCP connection with Nagle off
 * and keep-alive on, and the SSLRequest negotiation in front of TLS.
 */

export type UpstreamTls = 'disable' | 'prefer' | 'require' | 'verify-full';

export interface TransportTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: UpstreamTls;
  readonly ca?: string;
  readonly resource?: string;
}

/** Idle time before the first keep-alive probe: dead peers behind NAT are found within minutes, not hours. */
const KEEPALIVE_DELAY_MS = 60_000;

export async function openTcp(target: TransportTarget, attempt: UpstreamAttempt): Promise<Socket> {
  attempt.phase = 'connecting';
  const socket = attempt.track(connectTcp({ host: target.host, port: target.port }));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.off('connect', onConnect);
      reject(error);
    };
    const onConnect = (): void => {
      socket.off('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
  // Without it every extended-protocol round trip waits ~40 ms for Nagle.
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
  return socket;
}

/** Reads the one-byte answer to SSLRequest and leaves the socket paused. */
function sslAnswer(socket: Socket, attempt: UpstreamAttempt): Promise<'S' | 'N'> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      cleanup();
      socket.pause();
      const answer = String.fromCharCode(chunk[0]!);
      if (chunk.length > 1) {
        // Bytes the server sent before the handshake would be read as if they came through TLS
        // (CVE-2021-23214): a man in the middle could inject them, so the connection is refused.
        reject(attempt.protocolError(`${chunk.length - 1} unexpected byte(s) after the answer to SSLRequest, before the TLS handshake`));
      } else if (answer === 'S' || answer === 'N') {
        resolve(answer);
      } else {
        reject(attempt.protocolError(`the answer to SSLRequest was ${JSON.stringify(answer)}, not "S" or "N"`));
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(attempt.closedError());
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

function tlsOptions(target: TransportTarget, socket: Socket): ConnectionOptions {
  return {
    socket,
    // `host` is the name the certificate is checked against; SNI carries names only, never addresses.
    host: target.host,
    ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
    // Only verify-full checks the chain and the name; prefer and require encrypt without authenticating, as in libpq.
    rejectUnauthorized: target.tls === 'verify-full',
    ...(target.ca === undefined ? {} : { ca: target.ca }),
    // PostgreSQL 17+ checks ALPN when the client sends it; older servers ignore it.
    ALPNProtocols: ['postgresql'],
  };
}

async function handshake(target: TransportTarget, socket: Socket, attempt: UpstreamAttempt): Promise<TLSSocket> {
  const secure = attempt.track(connectTls(tlsOptions(target, socket)));
  // From here the TLS socket reports the connection's errors; an error event left without a
  // listener on the plain socket under it would otherwise crash the process.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      secure.off('secureConnect', onSecure);
      reject(error);
    };
    const onSecure = (): void => {
      secure.off('error', onError);
      resolve();
    };
    secure.once('error', onError);
    secure.once('secureConnect', onSecure);
  });
  return secure;
}

/**
 * Asks for TLS as `target.tls` says and returns the socket to speak the
 * protocol on: the TLS socket, or the plain one when TLS is disabled or a
 * `prefer` target's server declines it.
 */
export async function negotiateTls(target: TransportTarget, socket: Socket, attempt: UpstreamAttempt): Promise<Socket | TLSSocket> {
  if (target.tls === 'disable') return socket;
  attempt.phase = 'negotiating TLS';
  socket.write(sslRequest());
  const answer = await sslAnswer(socket, attempt);
  if (answer === 'S') return handshake(target, socket, attempt);
  if (target.tls === 'prefer') return socket;
  throw attempt.error(
    'tls',
    UPSTREAM_SQLSTATE.cannotConnect,
    `${attempt.label} does not accept TLS connections, but the resource requires TLS (tls: ${target.tls})`,
  );
}
