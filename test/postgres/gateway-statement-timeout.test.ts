import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';
import { connectAs, runSql as run } from '../support/gateway-pg-client.ts';

/**
 * The statement_timeout guardrail through the real gateway: the session runs
 * upstream with the smallest limit of the guardrails on its resource, whatever
 * the client asked for at connection; raising or turning it off is refused,
 * lowering it and RESET (back to the startup value, as the real server shows)
 * are allowed; a statement running past it gets PostgreSQL's own 57014.
 */

let harness: GatewayHarness;
const connect = (email: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client> => connectAs(harness, email, extra);

const GUARDRAILS = `guardrails:
  - resources: { labels: { env: test } }
    statement_timeout: 1h
  - resources: { names: [gw] }
    statement_timeout: 1500ms
`;

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.applyPolicy((yaml) => `${yaml}${GUARDRAILS}`);
});

afterAll(async () => {
  await harness.close();
});




async function timeout(client: pg.Client): Promise<unknown> {
  const result = await run(client, 'SHOW statement_timeout');
  if (!result.ok) throw new Error(result.message);
  return (result.rows[0] as { statement_timeout: string }).statement_timeout;
}

describe('statement_timeout guardrail', () => {
  it('runs the session with the smallest limit, overriding what the client asked for at connection', async () => {
    const plain = await connect(CONTRACTORS.reader);
    const asked = await connect(CONTRACTORS.reader, { statement_timeout: 0, options: '-c statement_timeout=0 -c Statement_Timeout=1d' });
    try {
      expect(await timeout(plain)).toBe('1500ms');
      expect(await timeout(asked)).toBe('1500ms');
    } finally {
      await plain.end();
      await asked.end();
    }
  });

  it('refuses raising it or turning it off, naming the guardrail and the limit', async () => {
    const client = await connect(CONTRACTORS.writer);
    try {
      for (const sql of [
        'SET statement_timeout = 0',
        "SET statement_timeout = '2s'",
        'SET LOCAL statement_timeout TO 1501',
        "SET SESSION statement_timeout = '1min'",
        "SELECT set_config('statement_timeout', '0', false)",
        "SELECT set_config('statement_timeout', '1h', true)",
        "SELECT set_config('statement_timeout', current_setting('work_mem'), false)",
      ]) {
        const refused = await run(client, sql);
        expect(refused, sql).toMatchObject({ ok: false, code: '42501' });
        if (refused.ok) continue;
        expect(refused.message, sql).toContain('DENY_GUARDRAIL_STATEMENT_TIMEOUT');
        const text = `${refused.message} ${refused.detail ?? ''}`;
        expect(text, sql).toContain('guardrail #2 (names gw)');
        expect(text, sql).toContain('statement_timeout of 1500ms');
        expect(text, sql).toContain('scheduled job');
        expect(await timeout(client), sql).toBe('1500ms');
      }
      const denied = (await harness.events('STATEMENT_DENIED')).filter((e) => e.data.reason === 'DENY_GUARDRAIL_STATEMENT_TIMEOUT');
      expect(denied.length).toBeGreaterThanOrEqual(7);
    } finally {
      await client.end();
    }
  });

  it('allows lowering it, and RESET brings back the limit (the startup value) on the real server', async () => {
    const client = await connect(CONTRACTORS.writer);
    try {
      expect(await run(client, "SET statement_timeout = '500ms'")).toMatchObject({ ok: true });
      expect(await timeout(client)).toBe('500ms');
      expect(await run(client, 'RESET statement_timeout')).toMatchObject({ ok: true });
      expect(await timeout(client)).toBe('1500ms');
      expect(await run(client, "SELECT set_config('statement_timeout', '1s', false)")).toMatchObject({ ok: true });
      expect(await timeout(client)).toBe('1s');
      expect(await run(client, 'SET statement_timeout TO DEFAULT')).toMatchObject({ ok: true });
      expect(await timeout(client)).toBe('1500ms');
      expect(await run(client, 'SET statement_timeout = 200')).toMatchObject({ ok: true });
      expect(await run(client, 'RESET ALL')).toMatchObject({ ok: true });
      expect(await timeout(client)).toBe('1500ms');
    } finally {
      await client.end();
    }
  });

  it('lets PostgreSQL cancel a statement running past it with 57014, audited as a failure', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      const started = Date.now();
      const slow = await run(client, 'SELECT pg_sleep(10)');
      expect(slow).toMatchObject({ ok: false, code: '57014' });
      expect(Date.now() - started).toBeLessThan(9000);
      expect(await run(client, 'SELECT 1 AS one')).toEqual({ ok: true, rows: [{ one: 1 }] });
      await expect
        .poll(async () => (await harness.events('STATEMENT_FAILED')).some((e) => e.actor === CONTRACTORS.reader && e.data.sqlstate === '57014'))
        .toBe(true);
    } finally {
      await client.end();
    }
  });

  it('leaves sessions on resources without the guardrail alone', async () => {
    await harness.applyPolicy((yaml) => yaml);
    const client = await connect(CONTRACTORS.writer, { statement_timeout: 0 });
    try {
      expect(await timeout(client)).toBe('0');
      expect(await run(client, 'SET statement_timeout = 0')).toMatchObject({ ok: true });
    } finally {
      await client.end();
      await harness.applyPolicy((yaml) => `${yaml}${GUARDRAILS}`);
    }
  });
});
