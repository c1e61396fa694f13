import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { AuditEvent, AuditEventInput, AuditSink } from '../../src/audit/audit-event.ts';
import type { AuditCode } from '../../src/audit/audit-codes.ts';
import { buildControlPlane, type ControlPlane } from '../../src/control/control-plane.ts';
import { PostgresProxy, type PostgresProxyOptions } from '../../src/proxies/postgres/postgres-proxy.ts';
import { upstreamTargetFor } from '../../src/proxies/postgres/postgres-target.ts';
import { BackendFramer, parseErrorFields, passwordMessage, startupMessage, type BackendFrame } from '../../src/proxies/postgres/postgres-wire.ts';
import type { StoreEngine } from '../../src/store/store.ts';
import { systemClock } from '../../src/time/clock.ts';
import type { TlsMaterial } from '../../src/tls/tls-files.ts';
import { ensureTlsMaterial } from '../../src/tls/tls-material.ts';
import { openTestStore, TEST_PG_ADMIN_URL, type TestStore } from './test-store.ts';

/**
 * A real PostgreSQL gateway for tests: a fresh store, the control plane, the
 * proxy on 127.0.0.1:<free port>, and a database of its own on the local
 * PostgreSQL (trust auth) behind the resource `gw`.
 */

export const CONTRACTORS = {
  reader: 'reader@vendor.example',
  writer: 'writer@vendor.example',
  builder: 'builder@vendor.example',
  root: 'root@vendor.example',
  outsider: 'outsider@vendor.example',
  /** Holds unsafe too, which admin does not imply. */
  superuser: 'superuser@vendor.example',
} as const;
export const STAFF_EMAIL = 'staff@corp.example';

/** A port nothing listens on: the `down` resource points here. */
export const CLOSED_PORT = 9;

export function policyYaml(database: string): string {
  const contractor = (email: string, role: string): string => `
  ${email}:
    name: ${email.split('@')[0]}
    company: Vendor
    sponsor: ${STAFF_EMAIL}
    roles: [${role}]
    until: 2099-01-01`;
  return `version: 1
settings:
  contractors: files
resources:
  gw:
    kind: postgres
    address: 127.0.0.1:5432
    database: ${database}
    credentials: { user: postgres }
    labels: { env: test }
  down:
    kind: postgres
    address: 127.0.0.1:${CLOSED_PORT}
    database: postgres
    credentials: { user: postgres }
roles:
  readonly:
    grants:
      - resources: { names: [gw, down] }
        actions: [read]
  readwrite:
    grants:
      - resources: { names: [gw] }
        actions: [read, write]
  builder:
    grants:
      - resources: { names: [gw] }
        actions: [read, write, ddl]
  dba:
    grants:
      - resources: { names: [gw] }
        actions: [read, write, ddl, admin]
  unrestricted:
    grants:
      - resources: { names: [gw] }
        actions: [read, write, ddl, admin, unsafe]
  elsewhere:
    grants:
      - resources: { names: [down] }
        actions: [read]
contractors:${contractor(CONTRACTORS.reader, 'readonly')}${contractor(CONTRACTORS.writer, 'readwrite')}${contractor(CONTRACTORS.builder, 'builder')}${contractor(CONTRACTORS.root, 'dba')}${contractor(CONTRACTORS.outsider, 'elsewhere')}${contractor(CONTRACTORS.superuser, 'unrestricted')}
staff:
  ${STAFF_EMAIL}: { name: Staff, roles: [admin] }
`;
}

/** An AuditSink wrapper that can be told to fail, and remembers when each append resolved. */
export class ObservedAudit implements AuditSink {
  readonly #inner: AuditSink;
  readonly #onResolved: (event: AuditEvent) => void;
  failing: ((input: AuditEventInput) => boolean) | null = null;

  constructor(inner: AuditSink, onResolved: (event: AuditEvent) => void) {
    this.#inner = inner;
    this.#onResolved = onResolved;
  }

  async append(input: AuditEventInput): Promise<AuditEvent> {
    if (this.failing?.(input) === true) throw new Error(`audit store unavailable (test) for ${input.code}`);
    const event = await this.#inner.append(input);
    this.#onResolved(event);
    return event;
  }
}

export interface GatewayHarnessOptions {
  readonly engine?: StoreEngine;
  readonly tls?: boolean;
  readonly startupTimeoutMs?: number;
  readonly upstream?: PostgresProxyOptions['upstream'];
  readonly allowPlaintextRemote?: boolean;
  readonly sessionPollMs?: number;
  /** The policy YAML for the test database (default policyYaml); applyPolicy edits this one too. */
  readonly policy?: (database: string) => string;
}

export interface GatewayHarness {
  readonly plane: ControlPlane;
  readonly store: TestStore;
  readonly proxy: PostgresProxy;
  /** Another gateway listener over the same control plane, not yet listening; the test closes it. */
  proxyWith(overrides?: Partial<PostgresProxyOptions>): PostgresProxy;
  readonly host: string;
  readonly port: number;
  /** The database behind resource `gw`. */
  readonly database: string;
  readonly audit: ObservedAudit;
  /** Every event in order of resolution, as the proxy saw its appends complete (plus the control plane's). */
  readonly timeline: { readonly at: number; readonly event: AuditEvent }[];
  readonly tls: TlsMaterial | null;
  /** A fresh contractor (or staff) token. */
  token(email: string, options?: { ttlMs?: number; kind?: 'contractor' | 'staff' | 'admin' }): Promise<{ id: string; token: string }>;
  /** node-postgres settings for `email` with `password` on resource `database` (default gw). */
  pgConfig(email: string, password: string, database?: string): pg.ClientConfig;
  /** libpq environment for psql/pgbench. */
  libpqEnv(email: string, password: string, database?: string): NodeJS.ProcessEnv;
  /** Runs SQL directly on the test database, bypassing the gateway. */
  direct(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** The first column of the first row of a direct query. */
  scalar(sql: string, params?: unknown[]): Promise<unknown>;
  /** Audit events of a code, from the store. */
  events(code: AuditCode): Promise<AuditEvent[]>;
  /** Applies the test policy with `edit` applied to its YAML, and refreshes the access index. */
  applyPolicy(edit: (yaml: string) => string): Promise<void>;
  close(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const database = `stint_gw_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const store = await openTestStore(options.engine ?? 'sqlite');
  const logger = pino({ level: process.env.STINT_TEST_LOG ?? 'silent' });
  const plane = buildControlPlane({ store, clock: systemClock, logger, sessionPollMs: options.sessionPollMs ?? 100 });
  const basePolicy = options.policy ?? policyYaml;
  await plane.policy.apply([{ path: 'policy.yaml', content: basePolicy(database) }], 'system:test');
  await plane.access.refresh();
  plane.sessions.start();

  const timeline: { at: number; event: AuditEvent }[] = [];
  const audit = new ObservedAudit(plane.audit, (event) => timeline.push({ at: performance.now(), event }));
  let tlsDir: string | null = null;
  let tls: TlsMaterial | null = null;
  if (options.tls === true) {
    tlsDir = mkdtempSync(join(tmpdir(), 'stint-gw-tls-'));
    tls = await ensureTlsMaterial(tlsDir, { hostnames: ['localhost'], ips: ['127.0.0.1'] });
  }
  const proxy = new PostgresProxy({
    access: plane.access,
    tokens: plane.tokens,
    audit,
    sessions: plane.sessions,
    clock: systemClock,
    logger,
    tls: tls === null ? null : { key: tls.keyPem, cert: tls.certPem },
    upstreamTarget: (resource) => upstreamTargetFor(resource),
    ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
    ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
    ...(options.allowPlaintextRemote === undefined ? {} : { allowPlaintextRemote: options.allowPlaintextRemote }),
  });
  const { host, port } = await proxy.listen('127.0.0.1', 0);
  const directPool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}`, max: 2 });

  return {
    plane,
    store,
    proxy,
    proxyWith(overrides = {}) {
      return new PostgresProxy({
        access: plane.access,
        tokens: plane.tokens,
        audit: plane.audit,
        sessions: plane.sessions,
        clock: systemClock,
        logger: pino({ level: 'silent' }),
        tls: null,
        upstreamTarget: upstreamTargetFor,
        ...overrides,
      });
    },
    host,
    port,
    database,
    audit,
    timeline,
    tls,
    async token(email, tokenOptions = {}) {
      const created = await plane.tokens.create({
        subject: email,
        kind: tokenOptions.kind ?? 'contractor',
        createdBy: 'system:test',
        ...(tokenOptions.ttlMs === undefined ? {} : { ttlMs: tokenOptions.ttlMs }),
      });
      return { id: created.id, token: created.token };
    },
    pgConfig(email, password, db = 'gw') {
      return { host, port, user: email, password, database: db };
    },
    libpqEnv(email, password, db = 'gw') {
      return {
        ...process.env,
        PGHOST: host,
        PGPORT: String(port),
        PGUSER: email,
        PGPASSWORD: password,
        PGDATABASE: db,
        PGSSLMODE: 'disable',
        PGCONNECT_TIMEOUT: '5',
      };
    },
    direct(sql, params) {
      return directPool.query(sql, params);
    },
    async scalar(sql, params) {
      const result = await directPool.query<Record<string, unknown>>(sql, params);
      const row = result.rows[0];
      return row === undefined ? undefined : Object.values(row)[0];
    },
    async events(code) {
      const rows = await store.db.selectFrom('audit_events').selectAll().where('code', '=', code).orderBy('seq').execute();
      return rows.map((row) => ({
        seq: Number(row.seq),
        ts: Number(row.ts),
        code: row.code,
        outcome: row.outcome,
        actor: row.actor,
        resource: row.resource,
        subject: row.subject,
        summary: row.summary,
        data: JSON.parse(row.data) as Record<string, unknown>,
        prevHash: row.prev_hash,
        hash: row.hash,
      }));
    },
    async applyPolicy(edit) {
      await plane.policy.apply([{ path: 'policy.yaml', content: edit(basePolicy(database)) }], 'system:test');
      await plane.access.refresh();
    },
    async close() {
      await proxy.close();
      await plane.sessions.stop(2000);
      await directPool.end();
      await plane.audit.close();
      await store.destroy();
      if (tlsDir !== null) rmSync(tlsDir, { recursive: true, force: true });
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/**
 * A bare protocol client for what drivers do not expose: true pipelining,
 * binary formats, exact message sequences. It speaks through the codec's
 * encoders and reads with BackendFramer.
 */
export class WireClient {
  readonly socket: Socket;
  readonly #framer = new BackendFramer();
  readonly #frames: BackendFrame[] = [];
  #waiter: (() => void) | null = null;
  #closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#frames.push(...this.#framer.push(chunk));
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects and authenticates with `password`; resolves after the first ReadyForQuery. */
  static async connect(port: number, params: Record<string, string>, password: string): Promise<{ client: WireClient; greeting: BackendFrame[] }> {
    const socket = netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new WireClient(socket);
    socket.write(startupMessage(params));
    const auth = await client.next();
    if (auth.type !== 'R') return { client, greeting: [auth] };
    socket.write(passwordMessage(password));
    const greeting = await client.readUntil((frame) => frame.type === 'Z' || (frame.type === 'E' && parseErrorFields(frame).severity === 'FATAL'));
    return { client, greeting };
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  async next(timeoutMs = 10_000): Promise<BackendFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.#frames.length === 0) {
      if (this.#closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = null;
    }
    return this.#frames.shift()!;
  }

  /** Reads frames up to and including the first one `stop` accepts. */
  async readUntil(stop: (frame: BackendFrame) => boolean, timeoutMs = 10_000): Promise<BackendFrame[]> {
    const frames: BackendFrame[] = [];
    for (;;) {
      const frame = await this.next(timeoutMs);
      frames.push(frame);
      if (stop(frame)) return frames;
    }
  }

  /** Reads until `count` ReadyForQuery messages have arrived. */
  async readReady(count = 1, timeoutMs = 10_000): Promise<BackendFrame[]> {
    const frames: BackendFrame[] = [];
    let seen = 0;
    while (seen < count) {
      const frame = await this.next(timeoutMs);
      frames.push(frame);
      if (frame.type === 'Z') seen += 1;
    }
    return frames;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    this.#waiter?.();
  }
}

/** The frames' types as one string, e.g. "12DCZ". */
export function types(frames: readonly BackendFrame[]): string {
  return frames.map((frame) => frame.type).join('');
}

/** SQLSTATE and message of every ErrorResponse among the frames. */
export function errorsOf(frames: readonly BackendFrame[]): { code: string; message: string; severity: string }[] {
  return frames.filter((frame) => frame.type === 'E').map((frame) => {
    const fields = parseErrorFields(frame);
    return { code: fields.code, message: fields.message, severity: fields.severity };
  });
}

/** Sends `bytes` on a new connection and collects everything received until the gateway closes it (or `timeoutMs`). */
export async function rawExchange(port: number, bytes: Buffer, timeoutMs = 5000): Promise<{ received: Buffer; closed: boolean }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(bytes);
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.destroy();
  return { received: Buffer.concat(chunks), closed };
}
