import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bind,
  close,
  describe as describeMessage,
  execute,
  flush,
  functionCall,
  parse,
  parseCommandComplete,
  parseDataRow,
  parseErrorFields,
  parseParameterStatus,
  query,
  sync,
  terminate,
  type BackendFrame,
} from '../../src/proxies/postgres/postgres-wire.ts';
import { CONTRACTORS, errorsOf, startGatewayHarness, types, WireClient, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * The extended protocol through the gateway with a bare client: true
 * pipelining, refusals in the middle of a pipeline, named statements and
 * portals, binary formats. Refusals must arrive exactly where the refused
 * message's answer belongs, and the connection must stay usable.
 */

let harness: GatewayHarness;
let readerToken: string;
let writerToken: string;

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.direct('CREATE TABLE items (id int primary key, name text)');
  await harness.direct("INSERT INTO items VALUES (1, 'one'), (2, 'two')");
  readerToken = (await harness.token(CONTRACTORS.reader)).token;
  writerToken = (await harness.token(CONTRACTORS.writer)).token;
});

afterAll(async () => {
  await harness.close();
});

async function connect(email: string, token: string): Promise<WireClient> {
  const { client, greeting } = await WireClient.connect(harness.port, { user: email, database: 'gw' }, token);
  expect(greeting.at(-1)?.type).toBe('Z');
  return client;
}

function group(sql: string, params: (string | null)[] = [], name = '', portal = ''): Buffer[] {
  return [
    parse(name, sql),
    bind({ portal, statement: name, params: params.map((p) => (p === null ? null : Buffer.from(p))) }),
    describeMessage('P', portal),
    execute(portal),
    sync(),
  ];
}

function rows(frames: readonly BackendFrame[]): string[][] {
  return frames.filter((f) => f.type === 'D').map((f) => parseDataRow(f).map((v) => (v === null ? 'NULL' : v.toString())));
}

function tags(frames: readonly BackendFrame[]): string[] {
  return frames.filter((f) => f.type === 'C').map((f) => parseCommandComplete(f).tag);
}

function status(frames: readonly BackendFrame[]): string {
  const last = frames.filter((f) => f.type === 'Z').at(-1);
  return last === undefined ? '' : String.fromCharCode(last.body[0]!);
}

describe('extended protocol through the gateway', () => {
  it('relays a pipeline of three statements in order, with a refused one in the middle', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.send(
      ...group('SELECT name FROM items WHERE id = $1', ['1']),
      ...group('INSERT INTO items VALUES (3, $1)', ['three']),
      ...group('SELECT count(*) FROM items'),
    );
    const frames = await client.readReady(3);
    expect(types(frames)).toBe('12TDCZ' + 'EZ' + '12TDCZ');
    expect(rows(frames)).toEqual([['one'], ['2']]);
    const [denied] = errorsOf(frames);
    expect(denied).toMatchObject({ code: '42501', severity: 'ERROR' });
    expect(denied!.message).toBe('permission denied by Stint: write on resource gw is not allowed for reader@vendor.example (DENY_NO_GRANT)');
    // Still usable afterwards, and nothing was written.
    client.send(query('SELECT count(*) FROM items'));
    expect(rows(await client.readReady())).toEqual([['2']]);
    client.close();
  });

  it('refuses data-modifying CTEs and EXPLAIN ANALYZE DELETE in both protocols while SELECT works', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    for (const sql of ['WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d', 'EXPLAIN ANALYZE DELETE FROM items', 'INSERT INTO items VALUES (9, $1)']) {
      client.send(...group(sql, sql.includes('$1') ? ['x'] : []));
      const extended = await client.readReady();
      expect(types(extended)).toBe('EZ');
      expect(errorsOf(extended)[0]!.code).toBe('42501');
      if (!sql.includes('$1')) {
        client.send(query(sql));
        const simple = await client.readReady();
        expect(types(simple)).toBe('EZ');
        expect(errorsOf(simple)[0]!.code).toBe('42501');
      }
    }
    client.send(query('SELECT id FROM items ORDER BY id'));
    expect(rows(await client.readReady())).toEqual([['1'], ['2']]);
    expect((await harness.direct('SELECT count(*)::int AS n FROM items')).rows[0]).toEqual({ n: 2 });
    client.close();
  });

  it('puts an explicit transaction in the failed state after a refusal, as PostgreSQL would', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.send(query('BEGIN'));
    expect(status(await client.readReady())).toBe('T');
    client.send(...group('INSERT INTO items VALUES (7, $1)', ['x']));
    const refused = await client.readReady();
    expect(errorsOf(refused)[0]!.code).toBe('42501');
    expect(status(refused)).toBe('E');
    client.send(query('SELECT 1'));
    const aborted = await client.readReady();
    expect(errorsOf(aborted)[0]!.code).toBe('25P02');
    client.send(query('ROLLBACK'));
    expect(status(await client.readReady())).toBe('I');
    client.close();
  });

  it('drops the messages after a refused one up to Sync, and answers Flush-driven pipelines', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    // A refused Parse, then Bind/Describe/Execute that depend on it, then Sync: one error, one ReadyForQuery.
    client.send(parse('ins', 'DELETE FROM items'), bind({ statement: 'ins' }), describeMessage('P'), execute(), sync());
    const frames = await client.readReady();
    expect(types(frames)).toBe('EZ');
    // The name was never created upstream.
    client.send(bind({ statement: 'ins' }), execute(), sync());
    const missing = await client.readReady();
    expect(errorsOf(missing)[0]).toMatchObject({ code: '26000' });
    // Flush instead of Sync: answers arrive without ReadyForQuery.
    client.send(parse('s1', 'SELECT 42'), flush());
    expect(types(await client.readUntil((f) => f.type === '1'))).toBe('1');
    client.send(bind({ statement: 's1' }), execute(), sync());
    expect(rows(await client.readReady())).toEqual([['42']]);
    client.close();
  });

  it('keeps named statements and portals, and re-decides a prepared statement each time it runs', async () => {
    const client = await connect(CONTRACTORS.writer, writerToken);
    client.send(parse('ins', 'INSERT INTO items VALUES ($1::int, $2)'), sync());
    expect(types(await client.readReady())).toBe('1Z');
    client.send(bind({ statement: 'ins', params: [Buffer.from('10'), Buffer.from('ten')] }), execute(), sync());
    expect(tags(await client.readReady())).toEqual(['INSERT 0 1']);
    client.send(query('PREPARE del(int) AS DELETE FROM items WHERE id = $1'));
    expect(tags(await client.readReady())).toEqual(['PREPARE']);

    // The writer loses write mid-session: the same statements are refused on their next run.
    await harness.applyPolicy((yaml) => yaml.replace('actions: [read, write]\n  builder', 'actions: [read]\n  builder'));
    try {
      client.send(bind({ statement: 'ins', params: [Buffer.from('11'), Buffer.from('eleven')] }), execute(), sync());
      expect(errorsOf(await client.readReady())[0]!.code).toBe('42501');
      client.send(query('EXECUTE del(10)'));
      expect(errorsOf(await client.readReady())[0]!.code).toBe('42501');
      client.send(query('SELECT count(*) FROM items'));
      expect(rows(await client.readReady())).toEqual([['3']]);
    } finally {
      await harness.applyPolicy((yaml) => yaml);
    }
    // Write is back: the prepared statement runs again.
    client.send(query('EXECUTE del(10)'));
    expect(tags(await client.readReady())).toEqual(['DELETE 1']);
    client.close();
  });

  it('judges a Bind after a failed PREPARE in the same pipeline by the name’s earlier, more privileged meaning', async () => {
    const client = await connect(CONTRACTORS.writer, writerToken);
    client.send(query('PREPARE wipe AS DELETE FROM items WHERE id = 2'));
    expect(tags(await client.readReady())).toEqual(['PREPARE']);
    await harness.applyPolicy((yaml) => yaml.replace('actions: [read, write]\n  builder', 'actions: [read]\n  builder'));
    try {
      // The PREPARE fails upstream (the name exists) and a simple Query's error does not skip to Sync:
      // the Bind would bind the DELETE. It must be judged as the DELETE, not as the SELECT proposed.
      client.send(query('PREPARE wipe AS SELECT 1'), bind({ statement: 'wipe' }), execute(), sync());
      const frames = [...(await client.readReady()), ...(await client.readReady())];
      expect(errorsOf(frames).map((e) => e.code)).toEqual(['42P05', '42501']);
      expect((await harness.direct('SELECT count(*)::int AS n FROM items WHERE id = 2')).rows).toEqual([{ n: 1 }]);
    } finally {
      await harness.applyPolicy((yaml) => yaml);
      client.close();
    }
  });

  it('records an unnamed statement as what it binds, not as the session’s earlier unnamed statement', async () => {
    const client = await connect(CONTRACTORS.writer, writerToken);
    client.send(...group('DELETE FROM items WHERE id = 999'));
    await client.readReady();
    client.send(...group('SELECT name FROM items WHERE id = 1'));
    expect(rows(await client.readReady())).toEqual([['one']]);
    client.close();
    const allowed = (await harness.events('STATEMENT_ALLOWED')).filter((e) => e.data.text === 'SELECT name FROM items WHERE id = 1');
    expect(allowed.map((e) => e.data.class)).toEqual(['read']);
  });

  it('runs named portals with row limits, binary formats and Close', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.send(
      query('BEGIN'),
      parse('q', 'SELECT g FROM generate_series(1, 5) g'),
      bind({ portal: 'p1', statement: 'q', resultFormats: [1] }),
      execute('p1', 2),
      execute('p1', 0),
      close('P', 'p1'),
      close('S', 'q'),
      sync(),
      query('COMMIT'),
    );
    const frames = await client.readReady(3);
    expect(types(frames)).toBe('CZ' + '12DDsDDDC33Z' + 'CZ');
    const values = frames.filter((f) => f.type === 'D').map((f) => parseDataRow(f)[0]!.readInt32BE(0));
    expect(values).toEqual([1, 2, 3, 4, 5]);
    client.close();
  });

  it('binds binary parameters and relays messages larger than 1 MiB both ways', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    const big = Buffer.alloc(3 * 1024 * 1024, 'y');
    const int = Buffer.alloc(4);
    int.writeInt32BE(7);
    client.send(
      parse('', 'SELECT length($1::text), $2::int4 + 1, repeat($3, 2000000)', [25, 23, 25]),
      bind({ paramFormats: [0, 1, 0], params: [big, int, Buffer.from('x')] }),
      execute(),
      sync(),
    );
    const frames = await client.readReady(1, 20_000);
    const [row] = frames.filter((f) => f.type === 'D').map((f) => parseDataRow(f));
    expect(row![0]!.toString()).toBe(String(big.length));
    expect(row![1]!.toString()).toBe('8');
    expect(row![2]!.length).toBe(2_000_000);
    client.close();
  });

  it('relays notices and parameter changes, and records failures with their SQLSTATE', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.send(query('ROLLBACK'), query("SET application_name = 'renamed'"), query('SELECT 1/0'));
    const frames = await client.readReady(3);
    expect(types(frames)).toBe('NCZ' + 'CSZ' + 'EZ');
    expect(parseErrorFields(frames[0]!)).toMatchObject({ severity: 'WARNING', message: 'there is no transaction in progress' });
    expect(parseParameterStatus(frames[4]!)).toEqual({ name: 'application_name', value: 'renamed' });
    expect(errorsOf(frames)[0]!.code).toBe('22012');
    client.close();
    await expect
      .poll(async () => (await harness.events('STATEMENT_FAILED')).map((e) => e.data).find((d) => d.sqlstate === '22012'))
      .toMatchObject({ command: 'SELECT', message: 'division by zero', executed: true });
  });

  it('refuses a fast-path FunctionCall (any function, by OID) without unsafe, even with admin, and relays it with unsafe', async () => {
    const noArgs = Buffer.alloc(6);
    const reader = await connect(CONTRACTORS.reader, readerToken);
    reader.send(functionCall(2026, noArgs));
    const refused = await reader.readReady();
    expect(types(refused)).toBe('EZ');
    expect(errorsOf(refused)[0]).toMatchObject({ code: '42501' });
    expect(errorsOf(refused)[0]!.message).toContain('unsafe on resource gw is not allowed');
    reader.close();
    const root = await connect(CONTRACTORS.root, (await harness.token(CONTRACTORS.root)).token);
    root.send(functionCall(2026, noArgs));
    const admin = await root.readReady();
    expect(types(admin)).toBe('EZ');
    expect(errorsOf(admin)[0]!.message).toContain('DENY_UNSAFE');
    root.close();
    const superuser = await connect(CONTRACTORS.superuser, (await harness.token(CONTRACTORS.superuser)).token);
    superuser.send(functionCall(2026, noArgs));
    expect(types(await superuser.readReady())).toBe('VZ');
    superuser.close();
  });

  it('holds the database back instead of buffering when the client reads slowly', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.socket.pause();
    const before = process.memoryUsage().arrayBuffers;
    client.send(query("SELECT repeat('z', 2000) AS stint_slow_reader FROM generate_series(1, 100000)"));
    // 200 MB of rows: the database ends up waiting to write to the gateway, and stays waiting.
    const waitEvent = (): Promise<unknown> =>
      harness.scalar("SELECT wait_event FROM pg_stat_activity WHERE query LIKE '%stint_slow_reader%' AND pid <> pg_backend_pid()");
    await expect.poll(waitEvent, { timeout: 5000 }).toBe('ClientWrite');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await waitEvent()).toBe('ClientWrite');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
    client.socket.resume();
    const frames = await client.readReady(1, 20_000);
    expect(frames.filter((f) => f.type === 'D')).toHaveLength(100_000);
    client.close();
  }, 30_000);

  it('keeps up with a client that pipelines tens of thousands of messages before reading', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    const rounds = 25_000;
    const one = Buffer.concat([parse('', 'SELECT 1'), describeMessage('S'), sync()]);
    client.send(Buffer.concat(Array.from({ length: rounds }, () => one)));
    const frames = await client.readReady(rounds, 30_000);
    expect(frames).toHaveLength(rounds * 4);
    expect(types(frames.slice(-4))).toBe('1tTZ');
    client.send(query('SELECT 2'));
    expect(rows(await client.readReady())).toEqual([['2']]);
    client.close();
  }, 40_000);

  it('classifies very long statements off the event loop, and still judges them', async () => {
    await harness.direct('CREATE TABLE bulk (n int, label text)');
    const values = Array.from({ length: 150_000 }, (_, i) => `(${i}, 'label number ${i}')`).join(', ');
    const sql = `INSERT INTO bulk VALUES ${values}`;
    expect(sql.length).toBeGreaterThan(3_000_000);
    let maxLag = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    try {
      const reader = await connect(CONTRACTORS.reader, readerToken);
      reader.send(query(sql));
      expect(errorsOf(await reader.readReady(1, 20_000))[0]!.code).toBe('42501');
      reader.close();
      const writer = await connect(CONTRACTORS.writer, writerToken);
      writer.send(query(sql));
      expect(tags(await writer.readReady(1, 20_000))).toEqual(['INSERT 0 150000']);
      writer.close();
    } finally {
      clearInterval(probe);
    }
    // Parsing this text on the event loop takes over a second (1.2 s measured); offloaded, the loop never
    // waits anywhere near that long. Half of it leaves room for a loaded machine and still tells them apart.
    expect(maxLag).toBeLessThan(600);
  }, 30_000);

  it('lets the server finish what was sent before a Terminate', async () => {
    const client = await connect(CONTRACTORS.writer, writerToken);
    client.send(query("INSERT INTO items VALUES (50, 'before goodbye'); SELECT pg_sleep(0.2)"), terminate());
    await expect.poll(() => client.closed).toBe(true);
    await expect.poll(() => harness.scalar('SELECT name FROM items WHERE id = 50')).toBe('before goodbye');
  });

  it('closes the session on a message type the protocol does not have', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.send(Buffer.from([0x7a, 0, 0, 0, 4]));
    const frames = await client.readUntil((f) => f.type === 'E');
    expect(parseErrorFields(frames.at(-1)!)).toMatchObject({ severity: 'FATAL', code: '08P01', message: "unexpected message type 'z' in an established session" });
    await expect.poll(() => client.closed).toBe(true);
    await expect.poll(async () => (await harness.events('SESSION_ENDED')).some((e) => e.data.reason === 'protocol_error')).toBe(true);
  });

  it('records every executed statement with its parameters', async () => {
    const client = await connect(CONTRACTORS.reader, readerToken);
    client.send(...group('SELECT name FROM items WHERE id = $1 AND name <> $2', ['2', 'secret-ish']));
    await client.readReady();
    client.close();
    const allowed = (await harness.events('STATEMENT_ALLOWED')).filter((e) => e.data.text === 'SELECT name FROM items WHERE id = $1 AND name <> $2');
    expect(allowed).toHaveLength(1);
    expect(allowed[0]!.data).toMatchObject({ via: 'extended', class: 'read', command: 'SELECT', tablesRead: ['items'], params: ['2', 'secret-ish'], reason: 'ALLOW_ROLE' });
    await expect.poll(async () => (await harness.events('STATEMENT_COMPLETED')).some((e) => e.data.allowedSeq === allowed[0]!.seq && e.data.rows === 1)).toBe(true);
  });
});
