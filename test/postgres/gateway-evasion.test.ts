import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';
import { connectAs, runSql as run } from '../support/gateway-pg-client.ts';

/**
 * Evasion through the extended query protocol, with node-postgres as the
 * client: parameters, named statements and prepared plans must be judged like
 * the same SQL sent as a simple query (src/sql/corpus covers those).
 */

let harness: GatewayHarness;
const connect = (email: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client> => connectAs(harness, email, extra);

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.direct('CREATE TABLE IF NOT EXISTS ev (n int); INSERT INTO ev VALUES (1), (2)');
});

afterAll(async () => {
  await harness.close();
});




describe('evasion through the extended protocol', () => {
  it('refuses a set_config whose setting name arrives as a parameter, even to an admin', async () => {
    const root = await connect(CONTRACTORS.root);
    try {
      const outcome = await run(root, { text: 'SELECT set_config($1, $2, false)', values: ['role', 'postgres'] });
      expect(outcome).toMatchObject({ ok: false, code: '42501' });
      expect(!outcome.ok && outcome.message).toContain('DENY_UNSAFE');
      // The session still works, and still acts as itself.
      expect(await run(root, { text: 'SELECT current_user = session_user AS same' })).toEqual({ ok: true, rows: [{ same: true }] });
    } finally {
      await root.end();
    }
  });

  it('refuses server file access with the path as a parameter, in a named statement', async () => {
    const root = await connect(CONTRACTORS.root);
    try {
      const outcome = await run(root, { name: 'peek', text: 'SELECT pg_catalog.pg_read_file($1)', values: ['/etc/passwd'] });
      expect(outcome).toMatchObject({ ok: false, code: '42501' });
      expect(!outcome.ok && outcome.message).toContain('DENY_UNSAFE');
    } finally {
      await root.end();
    }
  });

  it('refuses a data-modifying CTE in a named statement to a reader, every time it is run', async () => {
    const reader = await connect(CONTRACTORS.reader);
    try {
      const query = { name: 'sneaky', text: 'WITH d AS (DELETE FROM ev WHERE n = $1 RETURNING *) SELECT count(*) FROM d', values: [1] };
      expect(await run(reader, query)).toMatchObject({ ok: false, code: '42501' });
      expect(await run(reader, query)).toMatchObject({ ok: false, code: '42501' });
      expect((await harness.direct('SELECT count(*)::int AS n FROM ev')).rows).toEqual([{ n: 2 }]);
    } finally {
      await reader.end();
    }
  });

  it('refuses EXPLAIN ANALYZE of a write with a parameter to a reader', async () => {
    const reader = await connect(CONTRACTORS.reader);
    try {
      expect(await run(reader, { text: 'EXPLAIN ANALYZE UPDATE ev SET n = $1', values: [9] })).toMatchObject({ ok: false, code: '42501' });
      expect(await run(reader, { text: 'SELECT n FROM ev WHERE n = $1', values: [1] })).toEqual({ ok: true, rows: [{ n: 1 }] });
    } finally {
      await reader.end();
    }
  });

  it('lets a DO block run for a role holding ddl, and refuses it to a writer saying who may', async () => {
    const builder = await connect(CONTRACTORS.builder);
    const writer = await connect(CONTRACTORS.writer);
    try {
      expect(await run(builder, { text: 'DO $$ BEGIN PERFORM 1; END $$' })).toEqual({ ok: true, rows: [] });
      const refused = await run(writer, { text: 'DO $$ BEGIN PERFORM 1; END $$' });
      expect(refused).toMatchObject({ ok: false, code: '42501' });
      expect(!refused.ok && refused.message).toContain('DENY_UNSAFE');
    } finally {
      await builder.end();
      await writer.end();
    }
  });

  it('lets a role naming unsafe through, so the class is a grant like any other', async () => {
    const superuser = await connect(CONTRACTORS.superuser);
    try {
      expect(await run(superuser, { text: 'SELECT set_config($1, $2, false) AS v', values: ['application_name', 'x'] })).toEqual({ ok: true, rows: [{ v: 'x' }] });
    } finally {
      await superuser.end();
    }
  });
});
