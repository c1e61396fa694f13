/**
 * A real Stint server for the benchmarks, built by `startServer` exactly as
 * `stint serve` builds it (SQLite store in a temp data dir, audit and
 * guardrails on), with the PostgreSQL gateway and the API on free loopback
 * ports. Tokens and revocations go through the HTTP API, as people use it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.ts';
import { PG_HOST, PG_PORT } from './bench-postgres.ts';

export const BENCH_CONTRACTOR = 'bench@vendor.example';
const STAFF = 'staff@corp.example';

export interface BenchGatewayOptions {
  /** Database behind resource `bench` (straight to PostgreSQL). */
  readonly database: string;
  /** Optional pooled upstream behind resource `pool` (PgBouncer in transaction mode). */
  readonly pool?: { readonly host: string; readonly port: number; readonly database: string };
}

export interface IssuedToken {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: number | null;
}

export interface BenchGateway {
  readonly host: string;
  readonly port: number;
  readonly server: RunningServer;
  /** A contractor token over the API; `ttl` is a duration such as `12s`. */
  token(ttl?: string): Promise<IssuedToken>;
  revoke(id: string): Promise<void>;
  close(): Promise<void>;
}

export function policyYaml(options: BenchGatewayOptions): string {
  const pool =
    options.pool === undefined
      ? ''
      : `
  pool:
    kind: postgres
    address: ${options.pool.host}:${options.pool.port}
    database: ${options.pool.database}
    credentials: { user: postgres }
    labels: { env: bench, pooled: 'yes' }`;
  // A read-only session must be confirmed read-only by the server at start, which PgBouncer in
  // transaction mode cannot do (docs/guardrails.md), so the pooled resource is granted write as well.
  const pooledWrite =
    options.pool === undefined
      ? ''
      : `
      - resources: { labels: { pooled: 'yes' } }
        actions: [write]`;
  return `version: 1
settings:
  contractors: files
resources:
  bench:
    kind: postgres
    address: ${PG_HOST}:${PG_PORT}
    database: ${options.database}
    credentials: { user: postgres }
    labels: { env: bench }${pool}
roles:
  reader:
    grants:
      - resources: { labels: { env: bench } }
        actions: [read]${pooledWrite}
contractors:
  ${BENCH_CONTRACTOR}:
    name: bench
    company: Vendor
    sponsor: ${STAFF}
    roles: [reader]
    until: 2099-01-01
staff:
  ${STAFF}: { name: Staff, roles: [admin] }
`;
}

export async function startBenchGateway(options: BenchGatewayOptions): Promise<BenchGateway> {
  const root = mkdtempSync(join(tmpdir(), 'stint-bench-gw-'));
  const configPath = join(root, 'policy.yaml');
  writeFileSync(configPath, policyYaml(options));
  let server: RunningServer;
  try {
    server = await startServer({
      configPath,
      dataDir: join(root, 'data'),
      listenApi: { host: '127.0.0.1', port: 0 },
      listenPostgres: { host: '127.0.0.1', port: 0 },
      watch: false,
      logger: pino({ level: process.env.STINT_BENCH_LOG ?? 'silent' }),
    });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const admin = server.createdAdminToken;
  const api = async (path: string, body: unknown): Promise<unknown> => {
    const response = await fetch(`${server.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const postgres = server.postgres;
  if (postgres === null || admin === null) {
    await server.close();
    rmSync(root, { recursive: true, force: true });
    throw new Error('the bench server started without a PostgreSQL listener or admin token');
  }
  return {
    host: postgres.host,
    port: postgres.port,
    server,
    async token(ttl) {
      const created = (await api('/v1/tokens', { for: BENCH_CONTRACTOR, ...(ttl === undefined ? {} : { ttl }) })) as IssuedToken;
      return { id: created.id, token: created.token, expiresAt: created.expiresAt };
    },
    async revoke(id) {
      await api(`/v1/tokens/${encodeURIComponent(id)}/revoke`, { reason: 'benchmark' });
    },
    async close() {
      try {
        await server.close();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
