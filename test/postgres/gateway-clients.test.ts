import { execFile, spawn } from 'node:child_process';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * Unmodified clients through the gateway: psql, pgbench, node-postgres and
 * postgres.js, each doing what it normally does against a real server.
 */

let harness: GatewayHarness;
const tokens: Record<string, string> = {};

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

function psql(email: string, args: readonly string[], input?: string): Promise<Run> {
  return run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', ...args], harness.libpqEnv(email, tokens[email]!), input);
}

beforeAll(async () => {
  harness = await startGatewayHarness();
  for (const email of [CONTRACTORS.reader, CONTRACTORS.writer, CONTRACTORS.builder]) tokens[email] = (await harness.token(email)).token;
  await harness.direct('CREATE TABLE notes (id serial primary key, body text)');
});

afterAll(async () => {
  await harness.close();
});

describe('psql', () => {
  it('runs simple queries, several statements in one -c, and shows refusals', async () => {
    const multi = await psql(CONTRACTORS.writer, ['-At', '-c', "INSERT INTO notes (body) VALUES ('a'), ('b'); SELECT count(*) FROM notes"]);
    expect(multi).toMatchObject({ code: 0 });
    expect(multi.stdout.trim()).toBe('INSERT 0 2\n2');
    const refused = await psql(CONTRACTORS.reader, ['-At', '-c', 'SELECT count(*) FROM notes', '-c', "INSERT INTO notes (body) VALUES ('c')"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout.trim()).toBe('2');
    expect(refused.stderr).toContain('ERROR:  permission denied by Stint: write on resource gw is not allowed for reader@vendor.example (DENY_NO_GRANT)');
    expect(refused.stderr).toContain('HINT:  ask your sponsor for a role with write, or request access: stint request gw --action write');
  });

  it('copies in with \\copy FROM STDIN and out with \\copy TO STDOUT', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${100_000 + i}\tline ${i}`).join('\n');
    const copyIn = await psql(CONTRACTORS.writer, ['-c', '\\copy notes (id, body) from stdin'], `${lines}\n\\.\n`);
    expect(copyIn).toMatchObject({ code: 0 });
    expect(copyIn.stdout.trim()).toBe('COPY 5000');
    const copyOut = await psql(CONTRACTORS.reader, ['-c', '\\copy (SELECT id, body FROM notes WHERE id >= 100000 ORDER BY id) to stdout']);
    expect(copyOut.code).toBe(0);
    expect(copyOut.stdout.trimEnd()).toBe(lines);
    // A readonly contractor cannot copy in.
    const refused = await psql(CONTRACTORS.reader, ['-c', '\\copy notes (id, body) from stdin'], '1\tx\n\\.\n');
    expect(refused.stderr).toContain('permission denied by Stint: write');
  });

  it('cancels a running query on Ctrl-C within a second', async () => {
    const child = spawn('psql', ['-X', '-c', 'SELECT pg_sleep(30)'], { env: harness.libpqEnv(CONTRACTORS.reader, tokens[CONTRACTORS.reader]!), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await expect
      .poll(async () => harness.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"), { timeout: 5000 })
      .toBe(1);
    const sent = Date.now();
    child.kill('SIGINT');
    await exited;
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(stderr).toContain('canceling statement due to user request');
  });
});

describe('pgbench', () => {
  it('initialises as a contractor with ddl and write, then runs read-only benchmarks in both query modes', async () => {
    const env = (email: string): NodeJS.ProcessEnv => harness.libpqEnv(email, tokens[email]!);
    const init = await run('pgbench', ['-i', '-s', '1', '-q'], env(CONTRACTORS.builder));
    expect(init.stderr).toContain('done in');
    expect(init.code).toBe(0);
    for (const mode of ['simple', 'prepared']) {
      const bench = await run('pgbench', ['-n', '-S', '-T', '2', '-M', mode], env(CONTRACTORS.reader));
      expect(bench.stderr).not.toMatch(/error/i);
      expect(bench.code).toBe(0);
      expect(bench.stdout).toMatch(/number of failed transactions: 0 \(0\.000%\)/);
      const done = Number(/number of transactions actually processed: (\d+)/.exec(bench.stdout)?.[1]);
      expect(done).toBeGreaterThan(50);
    }
    // The readonly contractor cannot run the default (writing) script.
    const writing = await run('pgbench', ['-n', '-t', '1'], env(CONTRACTORS.reader));
    expect(writing.code).not.toBe(0);
    expect(writing.stderr).toContain('permission denied by Stint');
  }, 30_000);
});

describe('node-postgres', () => {
  it('binds parameters, reuses named statements, relays large rows and notifications', async () => {
    const client = new pg.Client(harness.pgConfig(CONTRACTORS.writer, tokens[CONTRACTORS.writer]!));
    await client.connect();
    try {
      const inserted = await client.query('INSERT INTO notes (body) VALUES ($1), ($2) RETURNING body', ['x', "it's"]);
      expect(inserted.rows.map((r: { body: string }) => r.body)).toEqual(['x', "it's"]);
      for (const id of [1, 2, 1]) {
        const found = await client.query({ name: 'by-id', text: 'SELECT $1::int + 1 AS n', values: [id] });
        expect(found.rows[0]).toEqual({ n: id + 1 });
      }
      const bytes = await client.query<{ b: Buffer }>('SELECT $1::bytea AS b', [Buffer.from([0, 1, 2, 255])]);
      expect(bytes.rows[0]!.b).toEqual(Buffer.from([0, 1, 2, 255]));
      const big = await client.query<{ big: string }>("SELECT repeat('x', 2000000) AS big");
      expect(big.rows[0]!.big).toHaveLength(2_000_000);

      const notified = new Promise<pg.Notification>((resolve) => client.once('notification', resolve));
      await client.query('LISTEN stint_channel');
      await client.query("NOTIFY stint_channel, 'hello'");
      expect((await notified).payload).toBe('hello');
    } finally {
      await client.end();
    }
  });

  it('keeps the connection usable after a refusal, in and out of a transaction', async () => {
    const client = new pg.Client(harness.pgConfig(CONTRACTORS.reader, tokens[CONTRACTORS.reader]!));
    await client.connect();
    try {
      await expect(client.query('DELETE FROM notes WHERE id = $1', [1])).rejects.toMatchObject({ code: '42501' });
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.query('BEGIN');
      await expect(client.query("UPDATE notes SET body = 'y'")).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('ROLLBACK');
      await expect(client.query('TRUNCATE notes')).rejects.toMatchObject({ code: '42501' });
      expect((await client.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });
});

function postgresJsOptions(email: string): { host: string; port: number; user: string; password: string; database: string } {
  return { host: harness.host, port: harness.port, user: email, password: tokens[email]!, database: 'gw' };
}

describe('postgres.js', () => {
  it('pipelines queries on one connection with a refusal among them', async () => {
    const sql = postgres({ ...postgresJsOptions(CONTRACTORS.reader), max: 1, onnotice: () => undefined });
    try {
      const results = await Promise.allSettled([
        sql`SELECT ${1}::int AS n`,
        sql`SELECT ${'two'}::text AS t`,
        sql`INSERT INTO notes (body) VALUES (${'nope'})`,
        sql`SELECT count(*)::int AS c FROM generate_series(1, ${100})`,
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(results[2]).toMatchObject({ reason: { code: '42501' } });
      expect(results[3]).toMatchObject({ value: [{ c: 100 }] });
      const again = await sql`SELECT ${'ok'}::text AS ok`;
      expect(again).toEqual([{ ok: 'ok' }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('cancels a running query', async () => {
    const sql = postgres({ ...postgresJsOptions(CONTRACTORS.reader), max: 1 });
    try {
      const started = Date.now();
      const sleeping = sql`SELECT pg_sleep(30)`.execute();
      setTimeout(() => sleeping.cancel(), 300);
      await expect(sleeping).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
