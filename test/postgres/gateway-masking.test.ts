import { execFile } from 'node:child_process';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashText } from '../../src/masking/mask-strategies.ts';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * Column masking through the real gateway and real clients: node-postgres in
 * text and binary mode, postgres.js, and psql's \copy. The reader's role
 * masks columns of customers; the writer's role masks nothing.
 */

const KEY_ENV = 'STINT_TEST_MASK_HASH_KEY';
const KEY = 'gateway-masking-test-key';
const READ_GRANT = `      - resources: { names: [gw, down] }
        actions: [read]`;
const MASKS = `
        mask: [customers.email, "*.ssn", { column: customers.phone, strategy: partial, keep: 4 }, { column: customers.name, strategy: hash }, customers.born]`;

let harness: GatewayHarness;
const tokens: Record<string, string> = {};

function maskedPolicy(yaml: string): string {
  if (!yaml.includes(READ_GRANT) || !yaml.includes('  contractors: files\n')) throw new Error('the test policy changed shape');
  return yaml.replace(READ_GRANT, `${READ_GRANT}${MASKS}`).replace('  contractors: files\n', `  contractors: files\n  masking: { hash_key_env: ${KEY_ENV} }\n`);
}

beforeAll(async () => {
  process.env[KEY_ENV] = KEY;
  harness = await startGatewayHarness();
  await harness.direct(`CREATE TABLE customers (id int PRIMARY KEY, name text, email varchar(200), phone text, ssn text, born date, note text);
    INSERT INTO customers VALUES
      (1, 'Ann Smith', 'ann@example.com', '+1 555 0101', '123-45-6789', '1980-01-02', 'first'),
      (2, 'Bob Jones', 'bob@example.com', '+1 555 0102', NULL, '1990-03-04', 'second')`);
  await harness.applyPolicy(maskedPolicy);
  for (const email of [CONTRACTORS.reader, CONTRACTORS.writer]) tokens[email] = (await harness.token(email)).token;
});

afterAll(async () => {
  delete process.env[KEY_ENV];
  harness.plane.requests.stop();
  await harness.close();
});

async function connect(email: string, options: { binary?: boolean } = {}): Promise<pg.Client> {
  const client = new pg.Client({ ...harness.pgConfig(email, tokens[email]!), ...(options.binary === true ? { binary: true } : {}) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const hashed = (value: string): string => hashText(Buffer.from(value), Buffer.from(KEY));

const MASKED_ROW_1 = { id: 1, name: hashed('Ann Smith'), email: '***', phone: '*******0101', ssn: '***', note: 'first' };

describe('masked results', () => {
  it('masks text-mode results (simple protocol) and leaves other columns alone', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      const { rows } = await client.query<Record<string, unknown>>('SELECT * FROM customers ORDER BY id');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject(MASKED_ROW_1);
      // A date has no masked text form: it arrives as NULL, as does a NULL.
      expect(rows[0]!.born).toBeNull();
      expect(rows[1]).toMatchObject({ id: 2, email: '***', ssn: null, phone: '*******0102' });
      const aliased = await client.query('SELECT c.email AS contact, c.note FROM public.customers c WHERE c.id = 2');
      expect(aliased.rows).toEqual([{ contact: '***', note: 'second' }]);
    } finally {
      await client.end();
    }
  });

  it('masks extended-protocol results with parameters, in text and in binary format', async () => {
    for (const binary of [false, true]) {
      const client = await connect(CONTRACTORS.reader, { binary });
      try {
        const { rows } = await client.query('SELECT id, name, email, phone, ssn, note FROM customers WHERE id = $1', [1]);
        expect(rows).toEqual([MASKED_ROW_1]);
        const named = await client.query({ name: 'by-id', text: 'SELECT email, note FROM customers WHERE id = $1', values: [2] });
        expect(named.rows).toEqual([{ email: '***', note: 'second' }]);
        const again = await client.query({ name: 'by-id', text: 'SELECT email, note FROM customers WHERE id = $1', values: [1] });
        expect(again.rows).toEqual([{ email: '***', note: 'first' }]);
      } finally {
        await client.end();
      }
    }
  });

  it('masks postgres.js results (statements described once, executed many times)', async () => {
    const sql = postgres({ host: harness.host, port: harness.port, user: CONTRACTORS.reader, password: tokens[CONTRACTORS.reader]!, database: 'gw', max: 1 });
    try {
      for (const id of [1, 2, 1]) {
        const rows = await sql`SELECT id, email, phone FROM customers WHERE id = ${id}`;
        expect(rows).toEqual([{ id, email: '***', phone: `*******010${id}` }]);
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('gives the same hash on two connections, and clear values to a contractor without masks', async () => {
    const first = await connect(CONTRACTORS.reader);
    const second = await connect(CONTRACTORS.reader, { binary: true });
    const clear = await connect(CONTRACTORS.writer);
    try {
      const a = (await first.query<{ name: string }>('SELECT name FROM customers ORDER BY id')).rows;
      const b = (await second.query<{ name: string }>('SELECT name FROM customers ORDER BY id')).rows;
      expect(a).toEqual(b);
      expect(a[0]!.name).toBe(hashed('Ann Smith'));
      expect(a[0]!.name).not.toBe(a[1]!.name);
      const plain = await clear.query('SELECT email, phone FROM customers WHERE id = 1');
      expect(plain.rows).toEqual([{ email: 'ann@example.com', phone: '+1 555 0101' }]);
      // Only a contractor whose rules mask a column is held to plain uses of it.
      expect((await clear.query("SELECT count(*)::int AS n FROM customers WHERE email LIKE 'a%'")).rows).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all([first.end(), second.end(), clear.end()]);
    }
  });

  it('masks every row of a large result that arrives while the column names are being looked up', async () => {
    await harness.direct("CREATE TABLE IF NOT EXISTS bulk (id int, email text); INSERT INTO bulk SELECT n, 'user' || n || '@example.com' FROM generate_series(1, 20000) n");
    await harness.applyPolicy((yaml) => maskedPolicy(yaml).replace('customers.born]', 'customers.born, bulk.email]'));
    const client = await connect(CONTRACTORS.reader);
    try {
      const { rows } = await client.query<{ id: number; email: string }>('SELECT id, email FROM bulk ORDER BY id');
      expect(rows).toHaveLength(20000);
      expect(rows.every((row, index) => row.id === index + 1 && row.email === '***')).toBe(true);
    } finally {
      await client.end();
      await harness.applyPolicy(maskedPolicy);
    }
  });

  it('masks the cursor a contractor FETCHes from', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      await client.query('BEGIN');
      await client.query('DECLARE c CURSOR FOR SELECT id, email FROM customers ORDER BY id');
      expect((await client.query('FETCH 1 FROM c')).rows).toEqual([{ id: 1, email: '***' }]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  });
});

describe('statements that would leak a masked column', () => {
  const LEAKS: readonly [string, string, string][] = [
    ["SELECT id FROM customers WHERE email LIKE 'a%'", 'public.customers.email', 'the WHERE clause'],
    ['SELECT id FROM customers ORDER BY phone', 'public.customers.phone', 'ORDER BY'],
    ['SELECT lower(email) FROM customers', 'public.customers.email', 'an expression in the SELECT list'],
    ['SELECT c FROM customers c', 'public.customers.*', 'whole-row reference'],
    ['SELECT row_to_json(c) FROM customers c', 'public.customers.*', 'the SELECT list'],
    ['SELECT email FROM customers UNION ALL SELECT note FROM customers', 'public.customers.email', 'set operation'],
    ['COPY (SELECT upper(email) FROM customers) TO STDOUT', 'public.customers.email', 'COPY (query)'],
    ['COPY customers TO STDOUT WITH (FORMAT binary)', 'public.customers.*', 'binary COPY'],
  ];

  it('refuses each with DENY_MASKED_COLUMN, naming the column and where it was used', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      for (const [sql, column, place] of LEAKS) {
        const error = (await client.query(sql).then(
          () => null,
          (caught: unknown) => caught,
        )) as { code?: string; message: string; detail?: string } | null;
        expect(error, sql).not.toBeNull();
        expect(error!.code, sql).toBe('42501');
        expect(error!.message, sql).toContain('DENY_MASKED_COLUMN');
        expect(error!.detail, sql).toContain(column);
        expect(error!.detail, sql).toContain(place);
      }
      // Also when prepared through the extended protocol.
      await expect(client.query("SELECT id FROM customers WHERE ssn = $1", ['123-45-6789'])).rejects.toMatchObject({ code: '42501' });
      expect((await client.query('SELECT 1 AS still_open')).rows).toEqual([{ still_open: 1 }]);
      const denied = await harness.events('STATEMENT_DENIED');
      expect(denied.some((event) => JSON.stringify(event.data).includes('DENY_MASKED_COLUMN'))).toBe(true);
    } finally {
      await client.end();
    }
  });
});

function psql(email: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', command], { env: harness.libpqEnv(email, tokens[email]!), timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

describe('psql \\copy to stdout', () => {
  it('masks COPY rows in text format', async () => {
    const result = await psql(CONTRACTORS.reader, '\\copy customers to stdout');
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe(`1\t${hashed('Ann Smith')}\t***\t*******0101\t***\t\\N\tfirst`);
    expect(result.stdout).not.toContain('ann@example.com');
    expect(result.stdout).not.toContain('123-45-6789');
  });

  it('masks COPY (query) rows, naming the columns through the server\'s description of the query', async () => {
    const result = await psql(CONTRACTORS.reader, '\\copy (SELECT c.id, c.email AS contact, c.note, c.* FROM customers c ORDER BY c.id) to stdout with (format csv)');
    expect(result.stderr).toBe('');
    const first = result.stdout.split('\n')[0];
    expect(first).toBe(`1,"***",first,1,"${hashed('Ann Smith')}","***","*******0101","***",,first`);
    expect(result.stdout).not.toContain('ann@example.com');
    const clear = await psql(CONTRACTORS.writer, '\\copy (SELECT email FROM customers ORDER BY id) to stdout');
    expect(clear.stdout).toBe('ann@example.com\nbob@example.com\n');
  });

  it('masks COPY rows in csv format with a header and a column list', async () => {
    const result = await psql(CONTRACTORS.reader, '\\copy customers (id, email, note, ssn) to stdout with (format csv, header)');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('id,email,note,ssn\n1,"***",first,"***"\n2,"***",second,\n');
  });
});
