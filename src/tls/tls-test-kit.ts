import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type ConnectionOptions } from 'node:tls';
import type { TlsFiles } from './tls-files.ts';

/**
 * Proves TLS material works the way clients use it: a real TLS server with
 * the certificate, a real client that verifies it, one byte echoed back.
 * Resolves to the client's verdict; rejects with the client's TLS error.
 */
export async function handshake(material: TlsFiles, client: Omit<ConnectionOptions, 'port'>): Promise<{ authorized: boolean; echoed: string }> {
  const server = createServer({ cert: material.certPem, key: material.keyPem }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.on('data', (data: Buffer) => socket.end(data));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect({ host: '127.0.0.1', ...client, port });
    try {
      await once(socket, 'secureConnect');
      socket.write('x');
      const [data] = (await once(socket, 'data')) as [Buffer];
      return { authorized: socket.authorized, echoed: data.toString() };
    } finally {
      socket.destroy();
    }
  } finally {
    server.close();
  }
}
