import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { StintError } from '../../errors/stint-error.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { credentialsPath } from '../credentials-file.ts';
import { formatInstant } from '../output.ts';

interface ConnectionSettings {
  resource: string;
  kind: string;
  host: string;
  port: number;
  database: string;
  user: string;
  actions: string[];
  expiresAt: number | null;
  tls: boolean;
}

/** Fetches the CA once and keeps it next to the saved credentials, for sslmode=verify-full. */
async function saveCa(ctx: CliContext, command: Command): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of clientFor(ctx, command).stream('/v1/ca', undefined, { auth: false })) chunks.push(chunk);
  } catch (error) {
    if (error instanceof StintError && error.code === 'STINT_ERR_NOT_FOUND') return null;
    throw error;
  }
  const path = join(dirname(credentialsPath(ctx.env)), 'ca.pem');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

function postgresEnv(settings: ConnectionSettings, caPath: string | null): Record<string, string> {
  return {
    PGHOST: settings.host,
    PGPORT: String(settings.port),
    PGDATABASE: settings.database,
    PGUSER: settings.user,
    PGSSLMODE: caPath === null ? 'prefer' : 'verify-full',
    ...(caPath === null ? {} : { PGSSLROOTCERT: caPath }),
  };
}

export function registerConnectCommands(program: Command, ctx: CliContext): void {
  program
    .command('connect <resource> [client-args...]')
    .description('Print ready-to-use connection settings for a resource, or start a client with them (arguments after -- go to the client)')
    .option('--exec <client>', 'start this client (e.g. psql) with the settings and your token')
    .option('--json', 'print the settings as JSON')
    .action(async (resource: string, clientArgs: string[], flags: { exec?: string; json?: boolean }, command: Command) => {
      const client = clientFor(ctx, command);
      const settings = await client.get<ConnectionSettings>(`/v1/connect/${encodeURIComponent(resource)}`);
      if (settings.kind !== 'postgres') throw new StintError('STINT_ERR_USAGE', `stint connect does not know how to connect to ${settings.kind} resources yet.`);
      const caPath = settings.tls ? await saveCa(ctx, command) : null;
      const env = postgresEnv(settings, caPath);
      if (flags.exec !== undefined) {
        const token = client.token();
        const child = spawn(flags.exec, clientArgs, { stdio: 'inherit', env: { ...ctx.env, ...env, ...(token === undefined ? {} : { PGPASSWORD: token }) } });
        ctx.exitCode = await new Promise<number>((resolve) => {
          child.once('error', (error) => {
            ctx.err(`error: could not start ${flags.exec ?? ''}: ${error.message}`);
            resolve(1);
          });
          child.once('exit', (code) => resolve(code ?? 1));
        });
        return;
      }
      const url = `postgresql://${encodeURIComponent(settings.user)}@${settings.host}:${settings.port}/${encodeURIComponent(settings.database)}?sslmode=${env.PGSSLMODE ?? 'prefer'}${caPath === null ? '' : `&sslrootcert=${encodeURIComponent(caPath)}`}`;
      if (flags.json === true) return printJson(ctx, { ...settings, url, env, caPath });
      ctx.out(
        [
          `${settings.resource} (${settings.kind}): ${settings.actions.join(', ')} until ${formatInstant(settings.expiresAt)}.`,
          '',
          `URL:  ${url}`,
          'Password: your Stint token (PGPASSWORD=$STINT_TOKEN, or paste it when asked).',
          '',
          ...Object.entries(env).map(([key, value]) => `export ${key}=${value}`),
          '',
          `Or run: stint connect ${settings.resource} --exec psql`,
        ].join('\n'),
      );
    });

  program
    .command('ca')
    .description('Print the CA certificate the gateway listeners present (for sslmode=verify-full)')
    .action(async (_flags: unknown, command: Command) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of clientFor(ctx, command).stream('/v1/ca', undefined, { auth: false })) chunks.push(chunk);
      ctx.out(Buffer.concat(chunks).toString('utf8'));
    });
}
