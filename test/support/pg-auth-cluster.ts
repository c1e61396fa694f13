import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, appendFileSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureTlsMaterial } from '../../src/tls/tls-material.ts';

/**
 * A throwaway PostgreSQL 15 cluster with password authentication, for the
 * tests the machine's shared server (trust for everything) cannot cover:
 * SCRAM-SHA-256, MD5, trust and TLS with a certificate from src/tls.
 *
 * initdb and the server run as the `postgres` OS user when the tests run as
 * root (PostgreSQL refuses to run as root). Everything lives in one temp
 * directory that stop() deletes; the server listens on 127.0.0.1 only.
 */

const PG_BIN = process.env.STINT_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PasswordUser {
  readonly user: string;
  readonly password: string;
}

export interface AuthCluster {
  readonly host: string;
  readonly port: number;
  /** A database every user may connect to. */
  readonly database: string;
  readonly users: { readonly scram: PasswordUser; readonly md5: PasswordUser; readonly trust: { readonly user: string } };
  /** The CA that signed the server certificate (for 127.0.0.1 and localhost). */
  readonly tls: { readonly caPem: string };
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the postgres OS user (or as ourselves when we are not root). */
async function runPg(dir: string, binary: string, args: readonly string[]): Promise<void> {
  const path = join(PG_BIN, binary);
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  await run(command, argv, { cwd: dir, timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
}

async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (!asRoot) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function hba(users: readonly [string, string][]): string {
  const lines = ['local all all trust'];
  for (const [user, method] of users) {
    // hostssl and hostnossl together: the same method with and without TLS.
    lines.push(`hostssl all ${user} 127.0.0.1/32 ${method}`, `hostnossl all ${user} 127.0.0.1/32 ${method}`);
  }
  return lines.join('\n') + '\n';
}

export async function startAuthCluster(): Promise<AuthCluster> {
  try {
    accessSync(join(PG_BIN, 'initdb'));
  } catch {
    throw new Error(`PostgreSQL 15 server binaries are not in ${PG_BIN} (apt-get install postgresql-15, or set STINT_PG_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'stint-pg-auth-'));
  const dataDir = join(dir, 'data');
  const owner = await postgresOwner();
  const own = (path: string): void => {
    if (owner !== undefined) chownSync(path, owner.uid, owner.gid);
  };
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await runPg(dir, 'pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-s', 'stop']).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    own(dir);
    await runPg(dir, 'initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    const material = await ensureTlsMaterial(join(dir, 'stint'), { hostnames: ['localhost'], ips: ['127.0.0.1'] });
    for (const [name, pem] of [
      ['server.crt', material.certPem],
      ['server.key', material.keyPem],
    ] as const) {
      writeFileSync(join(dataDir, name), pem, { mode: 0o600 });
      own(join(dataDir, name));
    }
    const port = await freePort();
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        `ssl = on`,
        `ssl_cert_file = 'server.crt'`,
        `ssl_key_file = 'server.key'`,
        // A test cluster: durability buys nothing and costs seconds.
        `fsync = off`,
        `synchronous_commit = off`,
        `full_page_writes = off`,
        `max_connections = 30`,
        `shared_buffers = 16MB`,
        '',
      ].join('\n'),
    );
    const users = {
      scram: { user: 'stint_scram', password: `scram-${randomBytes(6).toString('hex')}-\u2168` },
      md5: { user: 'stint_md5', password: `md5-${randomBytes(6).toString('hex')}` },
      trust: { user: 'stint_trust' },
    };
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      hba([
        ['postgres', 'trust'],
        [users.scram.user, 'scram-sha-256'],
        [users.md5.user, 'md5'],
        [users.trust.user, 'trust'],
      ]),
    );
    await runPg(dir, 'pg_ctl', ['-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-s', 'start']).catch((error: unknown) => {
      let log = '';
      try {
        log = readFileSync(join(dir, 'server.log'), 'utf8');
      } catch {
        // No log: the server never got that far; the pg_ctl error says why.
      }
      throw new Error(`the test PostgreSQL cluster did not start: ${(error as Error).message}\n${log}`, { cause: error });
    });
    started = true;
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      // SCRAM is PostgreSQL 15's default password_encryption; MD5 has to be asked for.
      await admin.query(`CREATE ROLE ${users.scram.user} LOGIN PASSWORD ${admin.escapeLiteral(users.scram.password)}`);
      await admin.query(`SET password_encryption = 'md5'`);
      await admin.query(`CREATE ROLE ${users.md5.user} LOGIN PASSWORD ${admin.escapeLiteral(users.md5.password)}`);
      await admin.query(`CREATE ROLE ${users.trust.user} LOGIN`);
    } finally {
      await admin.end();
    }
    return { host: '127.0.0.1', port, database: 'postgres', users, tls: { caPem: material.caCertPem }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
