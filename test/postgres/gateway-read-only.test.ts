import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/requests/request-types.ts';
import { CONTRACTORS, STAFF_EMAIL, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';
import { connectAs, runSql as run } from '../support/gateway-pg-client.ts';

/**
 * Read-only defence in depth through the real gateway: a session without
 * write access runs upstream with default_transaction_read_only = on, so
 * PostgreSQL itself stops writes the classifier cannot see (a user-defined
 * function passes as a read); the gateway refuses every way of turning it off,
 * switches it at the next transaction boundary when a grant adds or removes
 * write, and ends the session if a function turns it off behind its back.
 */

const APPROVALS = `approvals:
  - resources: { names: [gw] }
    actions: [write]
    approvers: [${STAFF_EMAIL}]
    max_duration: 1h
`;

const STAFF: Actor = { email: STAFF_EMAIL, apiRoles: ['admin'] };
const READER: Actor = { email: CONTRACTORS.reader, apiRoles: ['contractor'] };

let harness: GatewayHarness;
const connect = (email: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client> => connectAs(harness, email, extra);

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.applyPolicy((yaml) => `${yaml}${APPROVALS}`);
  // Created as superuser, behind the gateway's back: what a contractor may find already in a database.
  await harness.direct(`
    CREATE TABLE ro_log (n int);
    CREATE SEQUENCE ro_seq;
    CREATE FUNCTION ro_log_write(v int) RETURNS int VOLATILE LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO ro_log VALUES (v); RETURN v; END $$;
    CREATE FUNCTION ro_escape() RETURNS text VOLATILE LANGUAGE plpgsql AS $$
      BEGIN RETURN set_config('default_transaction_read_only', 'off', false); END $$;
  `);
});

afterAll(async () => {
  harness.plane.requests.stop();
  await harness.close();
});




async function show(client: pg.Client, setting: string): Promise<unknown> {
  const result = await run(client, `SHOW ${setting}`);
  if (!result.ok) throw new Error(result.message);
  return Object.values(result.rows[0] as Record<string, unknown>)[0];
}

async function logged(n: number): Promise<number> {
  return Number(await harness.scalar('SELECT count(*) FROM ro_log WHERE n = $1', [n]));
}

async function grantWrite(): Promise<string> {
  const request = await harness.plane.requests.create(READER, { resource: 'gw', actions: ['write'], durationMs: 600_000, reason: 'read-only test' });
  const approved = await harness.plane.requests.approve(request.id, STAFF);
  if (approved.grant === null) throw new Error('expected a grant');
  return approved.grant.id;
}

describe('a session without write access', () => {
  it('runs read-only upstream, so PostgreSQL stops a write hidden in a function the classifier passes as a read', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      expect(await show(client, 'default_transaction_read_only')).toBe('on');
      expect(await run(client, 'SELECT ro_log_write(1)')).toMatchObject({ ok: false, code: '25006' });
      expect(await logged(1)).toBe(0);
      // The gateway let it through as a read; the database refused it, and the audit says so.
      const allowed = (await harness.events('STATEMENT_ALLOWED')).filter((e) => e.data.text === 'SELECT ro_log_write(1)');
      expect(allowed).toHaveLength(1);
      await expect.poll(async () => (await harness.events('STATEMENT_FAILED')).some((e) => e.data.allowedSeq === allowed[0]!.seq && e.data.sqlstate === '25006')).toBe(true);
      // nextval is a write: refused by the gateway before the database sees it.
      expect(await run(client, "SELECT nextval('ro_seq')")).toMatchObject({ ok: false, code: '42501' });
      // Reading goes on.
      expect(await run(client, 'SELECT count(*)::int AS n FROM ro_log')).toEqual({ ok: true, rows: [{ n: 0 }] });
    } finally {
      await client.end();
    }
  });

  it('refuses every statement that would turn read-only off', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      for (const sql of [
        'BEGIN READ WRITE',
        'START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE',
        'SET default_transaction_read_only = off',
        'SET SESSION default_transaction_read_only TO false',
        'SET transaction_read_only = off',
        'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        'RESET default_transaction_read_only',
      ]) {
        const refused = await run(client, sql);
        expect(refused, sql).toMatchObject({ ok: false, code: '42501' });
        if (!refused.ok) expect(refused.message, sql).toContain('DENY_READ_ONLY_SESSION');
        expect(await show(client, 'default_transaction_read_only'), sql).toBe('on');
      }
      // Set at startup, it is what RESET ALL restores: allowed, and still read-only (the real server says so).
      expect(await run(client, 'RESET ALL')).toMatchObject({ ok: true });
      expect(await show(client, 'default_transaction_read_only')).toBe('on');
      // Turning it on again, or starting a read-only transaction, is fine.
      expect(await run(client, 'SET default_transaction_read_only = on')).toMatchObject({ ok: true });
      expect(await run(client, 'BEGIN READ ONLY')).toMatchObject({ ok: true });
      expect(await run(client, 'COMMIT')).toMatchObject({ ok: true });
    } finally {
      await client.end();
    }
  });

  it('may write from the next transaction once write is approved, and is read-only again once it is revoked', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      const pid = await run(client, 'SELECT pg_backend_pid() AS pid');
      expect(await run(client, 'BEGIN')).toMatchObject({ ok: true });
      const grantId = await grantWrite();
      // Inside the open transaction nothing changes: it began read-only.
      expect(await run(client, 'SELECT ro_log_write(2)')).toMatchObject({ ok: false, code: '25006' });
      expect(await run(client, 'ROLLBACK')).toMatchObject({ ok: true });
      // The next transaction may write, even through the function; the switch is invisible to the client.
      expect(await run(client, 'SELECT ro_log_write(3)')).toEqual({ ok: true, rows: [{ ro_log_write: 3 }] });
      expect(await logged(3)).toBe(1);
      expect(await show(client, 'default_transaction_read_only')).toBe('off');
      expect(await run(client, 'INSERT INTO ro_log VALUES (4)')).toMatchObject({ ok: true });

      await harness.plane.grants.revoke(grantId, STAFF, 'window closed');
      expect(await run(client, 'SELECT ro_log_write(5)')).toMatchObject({ ok: false, code: '25006' });
      expect(await logged(5)).toBe(0);
      expect(await show(client, 'default_transaction_read_only')).toBe('on');
      // The session began read-only (a startup parameter), so RESET ALL restores on.
      expect(await run(client, 'RESET ALL')).toMatchObject({ ok: true });
      expect(await show(client, 'default_transaction_read_only')).toBe('on');
      expect(await run(client, 'SELECT pg_backend_pid() AS pid')).toEqual(pid);

      const switches = (await harness.events('SESSION_READ_ONLY_SWITCHED')).filter((e) => e.data.contractor === CONTRACTORS.reader);
      expect(switches.map((e) => e.data.readOnly)).toEqual([false, true]);
      expect(switches[0]).toMatchObject({ actor: 'system:gateway', resource: 'gw' });
    } finally {
      await client.end();
    }
  });

  it('switches before a statement prepared earlier runs again (Bind without Parse)', async () => {
    const client = await connect(CONTRACTORS.reader);
    const named = (n: number) => client.query({ name: 'ro_named', text: 'SELECT ro_log_write($1::int) AS n', values: [n] });
    try {
      const grantId = await grantWrite();
      expect((await named(11)).rows).toEqual([{ n: 11 }]);
      await harness.plane.grants.revoke(grantId, STAFF, 'window closed');
      // node-postgres binds the statement it already prepared: no Parse, yet the session is read-only again.
      await expect(named(12)).rejects.toMatchObject({ code: '25006' });
      expect(await logged(12)).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses RESET ALL in a session that began with write and was switched read-only by SET', async () => {
    const grantId = await grantWrite();
    const client = await connect(CONTRACTORS.reader);
    try {
      expect(await show(client, 'default_transaction_read_only')).toBe('off');
      await harness.plane.grants.revoke(grantId, STAFF, 'window closed');
      expect(await run(client, 'SELECT ro_log_write(8)')).toMatchObject({ ok: false, code: '25006' });
      // RESET ALL would restore the startup value, off: refused.
      const refused = await run(client, 'RESET ALL');
      expect(refused).toMatchObject({ ok: false, code: '42501' });
      if (!refused.ok) expect(refused.detail ?? refused.message).toContain('RESET ALL');
      expect(await run(client, 'DISCARD ALL')).toMatchObject({ ok: false, code: '42501' });
      expect(await show(client, 'default_transaction_read_only')).toBe('on');
    } finally {
      await client.end();
    }
  });

  it('refuses a query text that would start a new transaction after a COMMIT in it', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      const refused = await run(client, 'SELECT 1; COMMIT; SELECT ro_log_write(9)');
      expect(refused).toMatchObject({ ok: false, code: '42501' });
      if (!refused.ok) expect(refused.detail).toContain('send the statements after COMMIT as a separate query');
      expect(await run(client, 'BEGIN; SELECT 1; COMMIT')).toMatchObject({ ok: true });
    } finally {
      await client.end();
    }
  });

  it('ends the session, fail-closed, when a function turns read-only off behind the gateway', async () => {
    const client = await connect(CONTRACTORS.reader);
    const escaped = await run(client, 'SELECT ro_escape()');
    expect(escaped).toMatchObject({ ok: false, code: '42501' });
    if (!escaped.ok) expect(escaped.message).toContain('Stint holds read-only on gw');
    // The connection is gone: nothing more runs in the session that lost its read-only mode.
    expect(await run(client, 'SELECT ro_log_write(6)')).toMatchObject({ ok: false });
    expect(await logged(6)).toBe(0);
    await expect.poll(async () => (await harness.events('SESSION_READ_ONLY_LOST')).length).toBe(1);
    const lost = (await harness.events('SESSION_READ_ONLY_LOST'))[0]!;
    expect(lost).toMatchObject({ outcome: 'failure', data: { setting: 'default_transaction_read_only', value: 'off' } });
    await expect.poll(async () => (await harness.events('SESSION_ENDED')).some((e) => e.subject === lost.subject || e.data.reason === 'read_only_lost')).toBe(true);
    await client.end().catch(() => undefined);
  });
});

describe('a session with write access', () => {
  it('is not read-only and may turn read-only on and off itself', async () => {
    const client = await connect(CONTRACTORS.writer);
    try {
      expect(await show(client, 'default_transaction_read_only')).toBe('off');
      expect(await run(client, 'SET default_transaction_read_only = on')).toMatchObject({ ok: true });
      expect(await run(client, 'INSERT INTO ro_log VALUES (7)')).toMatchObject({ ok: false, code: '25006' });
      expect(await run(client, 'BEGIN READ WRITE')).toMatchObject({ ok: true });
      expect(await run(client, 'INSERT INTO ro_log VALUES (7)')).toMatchObject({ ok: true });
      expect(await run(client, 'COMMIT')).toMatchObject({ ok: true });
      expect(await logged(7)).toBe(1);
    } finally {
      await client.end();
    }
  });
});
