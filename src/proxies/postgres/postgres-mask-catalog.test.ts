import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PG_ADMIN_URL } from '../../../test/support/test-store.ts';
import { MaskCatalog } from './postgres-mask-catalog.ts';
import { connectUpstream } from './postgres-upstream.ts';

/** The catalog lookups against the real local PostgreSQL, on a database of their own. */

const database = `stint_mask_catalog_${randomBytes(4).toString('hex')}`;
const target = { host: '127.0.0.1', port: 5432, database, user: 'postgres', tls: 'disable' as const };
let direct: pg.Client;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${database}`);
  direct = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` });
  await direct.connect();
  await direct.query('CREATE SCHEMA crm; CREATE TABLE crm.leads (id int, dropped int, email text); ALTER TABLE crm.leads DROP COLUMN dropped');
});

afterAll(async () => {
  await direct.end();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('MaskCatalog', () => {
  it('names table OIDs and column numbers, skipping dropped columns, on its own connection', async () => {
    const oid = Number((await direct.query<{ oid: string }>("SELECT 'crm.leads'::regclass::oid AS oid")).rows[0]!.oid);
    let connections = 0;
    const catalog = new MaskCatalog(() => {
      connections++;
      return connectUpstream(target, new Map([['application_name', 'stint-masking-test']]));
    });
    expect(catalog.table(oid)).toBeUndefined();
    await catalog.loadOids([oid, 0, -1]);
    const table = catalog.table(oid);
    expect(table).toMatchObject({ schema: 'crm', table: 'leads' });
    expect([...table!.columns]).toEqual([
      [1, 'id'],
      [3, 'email'],
    ]);
    expect(connections).toBe(1);
    // Names reach regclass as data, whatever characters they hold: this one is merely not a valid name.
    await expect(catalog.loadName("crm.leads'; DROP TABLE crm.leads; --")).rejects.toThrow(/invalid name syntax/);
    expect(catalog.tableNamed("crm.leads'; DROP TABLE crm.leads; --")).toBeUndefined();
    await catalog.loadName('crm.leads');
    expect(catalog.tableNamed('crm.leads')?.ordered.map((column) => column.name)).toEqual(['id', 'email']);
    catalog.invalidate();
    expect(catalog.table(oid)).toBeUndefined();
    expect((await direct.query("SELECT to_regclass('crm.leads') IS NOT NULL AS present")).rows).toEqual([{ present: true }]);
  });

  it('rejects when the lookup cannot be made, so results are withheld', async () => {
    const catalog = new MaskCatalog(() => connectUpstream({ ...target, port: 9 }, new Map()));
    await expect(catalog.loadOids([1])).rejects.toThrow();
  });
});
