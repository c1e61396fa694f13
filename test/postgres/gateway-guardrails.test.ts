import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/requests/request-types.ts';
import { CONTRACTORS, STAFF_EMAIL, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';
import { connectAs, runSql as run } from '../support/gateway-pg-client.ts';

/**
 * Table scope and guardrails through the real gateway, with node-postgres as
 * the client: what is refused, with which reason, and that what is allowed
 * still reaches PostgreSQL.
 */

const READ_ROLE = `  readonly:
    grants:
      - resources: { names: [gw, down] }
        actions: [read]`;

const APPROVALS = `approvals:
  - resources: { names: [gw] }
    actions: [write]
    approvers: [${STAFF_EMAIL}]
    max_duration: 1h
`;

function scopedPolicy(yaml: string, guardrail: string): string {
  if (!yaml.includes(READ_ROLE)) throw new Error('the test policy changed shape');
  return `${yaml.replace(READ_ROLE, `${READ_ROLE}\n        tables: [public.a]`)}${APPROVALS}guardrails:\n  - resources: { names: [gw] }\n${guardrail}`;
}

let harness: GatewayHarness;
const connect = (email: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client> => connectAs(harness, email, extra);

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.direct('CREATE TABLE IF NOT EXISTS a (n int); CREATE TABLE IF NOT EXISTS b (n int); INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (1)');
  await harness.applyPolicy((yaml) => scopedPolicy(yaml, '    deny: [ddl]\n    block: [delete_without_where, update_without_where, truncate]\n'));
});

afterAll(async () => {
  harness.plane.requests.stop();
  await harness.close();
});




describe('table scope through the gateway', () => {
  it('lets a contractor limited to public.a read a, and refuses b naming it', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      expect(await run(client, 'SELECT count(*)::int AS n FROM a')).toEqual({ ok: true, rows: [{ n: 2 }] });
      const refused = await run(client, 'SELECT * FROM a JOIN b USING (n)');
      expect(refused).toMatchObject({ ok: false, code: '42501' });
      if (refused.ok) return;
      expect(refused.message).toContain('DENY_TABLE_SCOPE');
      expect(refused.detail).toContain('read on public.b is outside your grant on gw (tables: public.a)');
      expect(await run(client, 'SELECT * FROM public.b')).toMatchObject({ ok: false, code: '42501' });
    } finally {
      await client.end();
    }
  });
});

describe('guardrails through the gateway', () => {
  it('refuses CREATE TABLE on a guarded resource even for a role with ddl', async () => {
    const client = await connect(CONTRACTORS.builder);
    try {
      const refused = await run(client, 'CREATE TABLE c (n int)');
      expect(refused).toMatchObject({ ok: false, code: '42501' });
      if (refused.ok) return;
      expect(refused.message).toContain('DENY_GUARDRAIL_DDL');
      expect(refused.detail).toContain('guardrail #1 (names gw)');
      expect((await harness.direct("SELECT to_regclass('public.c') IS NULL AS absent")).rows).toEqual([{ absent: true }]);
    } finally {
      await client.end();
    }
  });

  it('blocks DELETE without WHERE (also inside a CTE) and allows it with WHERE', async () => {
    const client = await connect(CONTRACTORS.writer);
    try {
      const bare = await run(client, 'DELETE FROM b');
      expect(bare).toMatchObject({ ok: false, code: '42501' });
      if (!bare.ok) expect(bare.detail).toContain('add a WHERE clause');
      expect(await run(client, 'WITH d AS (DELETE FROM b RETURNING n) SELECT count(*) FROM d')).toMatchObject({ ok: false, code: '42501' });
      expect(await run(client, 'TRUNCATE b')).toMatchObject({ ok: false, code: '42501' });
      expect(await run(client, 'SELECT count(*)::int AS n FROM b')).toEqual({ ok: true, rows: [{ n: 1 }] });
      expect(await run(client, 'DELETE FROM b WHERE n = 1 RETURNING n')).toEqual({ ok: true, rows: [{ n: 1 }] });
    } finally {
      await client.end();
    }
  });

  it('refuses write through a role under require_approval, and allows it through an approved grant', async () => {
    await harness.applyPolicy((yaml) => scopedPolicy(yaml, '    require_approval: [write]\n'));
    const client = await connect(CONTRACTORS.writer);
    try {
      const refused = await run(client, 'INSERT INTO b VALUES (7)');
      expect(refused).toMatchObject({ ok: false, code: '42501' });
      if (refused.ok) return;
      expect(refused.message).toContain('DENY_GUARDRAIL_APPROVAL');
      expect(refused.detail).toContain('stint request gw --action write');

      const writer: Actor = { email: CONTRACTORS.writer, apiRoles: ['contractor'] };
      const request = await harness.plane.requests.create(writer, { resource: 'gw', actions: ['write'], durationMs: 60_000, reason: 'guardrail test' });
      const approved = await harness.plane.requests.approve(request.id, { email: STAFF_EMAIL, apiRoles: ['admin'] });
      expect(approved.grant).not.toBeNull();
      expect(await run(client, 'INSERT INTO b VALUES (7)')).toEqual({ ok: true, rows: [] });
      expect((await harness.direct('SELECT count(*)::int AS n FROM b WHERE n = 7')).rows).toEqual([{ n: 1 }]);
    } finally {
      await client.end();
    }
  });
});
