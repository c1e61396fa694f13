import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTORS, policyYaml, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * How many writes the gateway makes upstream per statement. A forwarder in a
 * child process sits between the gateway and PostgreSQL and counts the chunks
 * the gateway sends: in another process it reads while the gateway waits for
 * an audit commit, so two writes around that wait arrive as two chunks, and
 * on loopback with Nagle off one small write arrives as one.
 */

const FORWARDER = `
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';
let chunks = 0;
const server = createServer((down) => {
  const up = connect({ host: '127.0.0.1', port: 5432 });
  for (const socket of [down, up]) { socket.setNoDelay(true); socket.on('error', () => {}); }
  down.on('data', (chunk) => { chunks += 1; up.write(chunk); });
  up.on('data', (chunk) => down.write(chunk));
  down.on('close', () => up.destroy());
  up.on('close', () => down.destroy());
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
createInterface({ input: process.stdin }).on('line', () => console.log('chunks ' + chunks)).on('close', () => process.exit(0));
`;

interface Forwarder {
  readonly port: number;
  /** Chunks received from the gateway so far. */
  chunks(): Promise<number>;
  close(): Promise<void>;
}

async function startForwarder(): Promise<Forwarder> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', FORWARDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const port = Number(/^port (\d+)$/.exec(await nextLine())?.[1]);
  return {
    port,
    chunks: async () => {
      const answer = nextLine();
      child.stdin.write('count\n');
      return Number(/^chunks (\d+)$/.exec(await answer)?.[1]);
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

let forwarder: Forwarder;
let harness: GatewayHarness;
let client: pg.Client;

beforeAll(async () => {
  forwarder = await startForwarder();
  harness = await startGatewayHarness({ policy: (database) => policyYaml(database).replace('address: 127.0.0.1:5432', `address: 127.0.0.1:${forwarder.port}`) });
  const { token } = await harness.token(CONTRACTORS.reader);
  client = new pg.Client(harness.pgConfig(CONTRACTORS.reader, token));
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await harness?.close();
  await forwarder?.close();
});

describe('upstream writes', () => {
  it('sends a prepared statement (Parse, Bind, Describe, Execute, Sync) in one write, after its audit record', async () => {
    // Warm up: the first statement of a session may carry session set-up of its own.
    await client.query({ text: 'select $1::int + 1 as n', values: [0] });
    const before = await forwarder.chunks();
    const statements = 10;
    for (let i = 0; i < statements; i += 1) {
      const result = await client.query<{ n: number }>({ text: 'select $1::int + 1 as n', values: [i] });
      expect(result.rows).toEqual([{ n: i + 1 }]);
    }
    expect((await forwarder.chunks()) - before).toBe(statements);
    const allowed = await harness.events('STATEMENT_ALLOWED');
    expect(allowed.length).toBeGreaterThanOrEqual(statements + 1);
  });

  it('still sends a simple query in one write', async () => {
    const before = await forwarder.chunks();
    for (let i = 0; i < 5; i += 1) expect((await client.query<{ n: number }>(`select ${i} as n`)).rows).toEqual([{ n: i }]);
    expect((await forwarder.chunks()) - before).toBe(5);
  });
});
