import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTORS, STAFF_EMAIL, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * Offboarding through the real gateway: two live PostgreSQL connections of
 * one contractor (one idle, one inside a long query) are closed within a
 * second with the reason, the report counts what they ran, and the token
 * opens nothing afterwards.
 */
let harness: GatewayHarness;

beforeAll(async () => {
  harness = await startGatewayHarness({ sessionPollMs: 100 });
});

afterAll(async () => {
  await harness.close();
});

function client(token: string): pg.Client {
  const c = new pg.Client(harness.pgConfig(CONTRACTORS.writer, token));
  c.on('error', () => undefined);
  return c;
}

describe('offboarding through the gateway', () => {
  it('closes both live connections within 1 s with the reason, and refuses the token afterwards', async () => {
    await harness.direct('CREATE TABLE scratch (n int)');
    const { id: tokenId, token } = await harness.token(CONTRACTORS.writer);
    const idle = client(token);
    const busy = client(token);
    await idle.connect();
    await busy.connect();
    expect((await idle.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await busy.query('INSERT INTO scratch VALUES (1)');

    const idleEnded = new Promise<Error>((resolve) => idle.once('error', resolve));
    const sleeping = busy.query('SELECT pg_sleep(30)').then(
      () => null,
      (error: unknown) => error as { code?: string; message: string },
    );
    // Let the long query reach the database before offboarding.
    await expect.poll(() => harness.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'")).toBe(1);

    const started = Date.now();
    const report = await harness.plane.offboarding.offboard(CONTRACTORS.writer, { by: STAFF_EMAIL, reason: 'contract over', cause: 'manual' });
    const [idleError, busyError] = await Promise.all([idleEnded, sleeping]);
    expect(Date.now() - started).toBeLessThan(1000);
    const expected = 'You were offboarded by staff@corp.example: contract over. Your session on gw was closed.';
    expect(idleError.message).toBe(expected);
    expect(busyError).toMatchObject({ code: '57P01', message: expected });

    expect(report.revoked.tokens).toEqual([tokenId]);
    expect(report.revoked.sessionsEnded).toHaveLength(2);
    expect(report.had.access).toEqual([{ resource: 'gw', actions: ['read', 'write'], via: ['role:readwrite'] }]);
    expect(report.did.sessions.count).toBe(2);
    expect(report.did.sessions.statements).toBeGreaterThanOrEqual(3);
    expect(report.did.lastStatements.map((s) => s.text)).toEqual(expect.arrayContaining(['SELECT pg_sleep(30)', 'INSERT INTO scratch VALUES (1)', 'SELECT 1 AS one']));

    await expect.poll(async () => (await harness.events('SESSION_ENDED')).filter((e) => report.revoked.sessionsEnded.includes(e.subject ?? '')).map((e) => e.data.reason)).toEqual(['killed', 'killed']);
    expect((await harness.events('CONTRACTOR_OFFBOARDED')).map((e) => e.subject)).toEqual([CONTRACTORS.writer]);
    await expect.poll(() => harness.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"), { timeout: 2000 }).toBe(0);

    const again = client(token);
    const refused = await again.connect().then(
      () => null,
      (error: unknown) => error as { message: string },
    );
    expect(refused?.message).toMatch(/revoked|offboarded/);
    await again.end().catch(() => undefined);
  });
});
