import { execFile } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bind, execute, parse, parseCommandComplete, parseErrorFields, query, sync, type BackendFrame } from '../../src/proxies/postgres/postgres-wire.ts';
import { CONTRACTORS, startGatewayHarness, WireClient, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * The max_rows guardrail through the real gateway: results are cut at the
 * smallest limit of the guardrails on the resource, the contractor gets a
 * notice saying so, the command tag counts the rows sent, and the audit log
 * records the cut — in the simple and the extended protocol, for portals run
 * in pieces, cursors and COPY TO STDOUT.
 */

const LIMIT = 3;
let harness: GatewayHarness;
let token: string;

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.direct('CREATE TABLE items (n int); INSERT INTO items SELECT generate_series(1, 10)');
  await harness.applyPolicy(
    (yaml) => `${yaml}guardrails:\n  - resources: { names: [gw] }\n    max_rows: 50\n  - resources: { labels: { env: test } }\n    max_rows: ${LIMIT}\n`,
  );
  token = (await harness.token(CONTRACTORS.reader)).token;
});

afterAll(async () => {
  harness.plane.requests.stop();
  await harness.close();
});

async function connect(): Promise<{ client: pg.Client; notices: string[] }> {
  const client = new pg.Client(harness.pgConfig(CONTRACTORS.reader, token));
  const notices: string[] = [];
  client.on('notice', (notice) => notices.push(`${notice.message} | ${notice.hint ?? ''}`));
  client.on('error', () => undefined);
  await client.connect();
  return { client, notices };
}

describe('max_rows', () => {
  it('cuts a simple-protocol result at the smallest limit, with a notice and a truthful tag', async () => {
    const { client, notices } = await connect();
    try {
      const result = await client.query('SELECT n FROM items ORDER BY n');
      expect(result.rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(result.rowCount).toBe(LIMIT);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain(`the result was cut at ${LIMIT} rows by guardrail #2 (max_rows)`);
      expect(notices[0]).toContain('Add a LIMIT');
      // A result under the limit is untouched.
      expect((await client.query('SELECT n FROM items WHERE n <= 2 ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
      expect(notices).toHaveLength(1);
      const cuts = await harness.events('STATEMENT_ROWS_CUT');
      expect(cuts.at(-1)?.data).toMatchObject({ limit: LIMIT, guardrail: 2, rowsSent: LIMIT, rowsDropped: 7 });
    } finally {
      await client.end();
    }
  });

  it('cuts an extended-protocol result', async () => {
    const { client, notices } = await connect();
    try {
      const result = await client.query('SELECT n FROM items WHERE n > $1 ORDER BY n', [0]);
      expect(result.rows.map((row: { n: number }) => row.n)).toEqual([1, 2, 3]);
      expect(result.rowCount).toBe(LIMIT);
      expect(notices.some((notice) => notice.includes(`cut at ${LIMIT} rows`))).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('counts a cursor across its FETCHes', async () => {
    const { client } = await connect();
    try {
      await client.query('BEGIN');
      await client.query('DECLARE c CURSOR FOR SELECT n FROM items ORDER BY n');
      expect((await client.query('FETCH 2 FROM c')).rows).toEqual([{ n: 1 }, { n: 2 }]);
      expect((await client.query('FETCH 5 FROM c')).rows).toEqual([{ n: 3 }]);
      expect((await client.query('FETCH 5 FROM c')).rows).toEqual([]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  });

  it('counts a portal run in pieces (Execute with a row count) as one result', async () => {
    const { client } = await WireClient.connect(harness.port, { user: CONTRACTORS.reader, database: 'gw' }, token);
    try {
      client.send(query('BEGIN'));
      await client.readUntil((frame: BackendFrame) => frame.type === 'Z');
      client.send(parse('', 'SELECT n FROM items ORDER BY n'), bind({ portal: 'p', statement: '', params: [] }), execute('p', 2), sync());
      const first = await client.readUntil((frame: BackendFrame) => frame.type === 'Z');
      expect(first.filter((frame) => frame.type === 'D')).toHaveLength(2);
      expect(first.some((frame) => frame.type === 's')).toBe(true);
      client.send(execute('p', 5), sync());
      const second = await client.readUntil((frame: BackendFrame) => frame.type === 'Z');
      expect(second.filter((frame) => frame.type === 'E').map((frame) => parseErrorFields(frame).message)).toEqual([]);
      expect(second.filter((frame) => frame.type === 'D')).toHaveLength(1);
      expect(second.some((frame) => frame.type === 'N')).toBe(true);
      client.send(execute('p', 0), sync());
      const rest = await client.readUntil((frame: BackendFrame) => frame.type === 'Z');
      expect(rest.filter((frame) => frame.type === 'D')).toHaveLength(0);
      const complete = rest.find((frame) => frame.type === 'C');
      expect(complete === undefined ? null : parseCommandComplete(complete).tag).toBe('SELECT 0');
    } finally {
      client.socket.destroy();
    }
  });

  it('cuts COPY TO STDOUT rows (psql \\copy)', async () => {
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile('psql', ['-X', '-c', '\\copy items to stdout'], { env: harness.libpqEnv(CONTRACTORS.reader, token), timeout: 30_000 }, (_error, stdout, stderr) =>
        resolve({ stdout, stderr }),
      );
    });
    expect(result.stdout).toBe('1\n2\n3\n');
    expect(result.stderr).toContain(`cut at ${LIMIT} rows`);
  });
});
