import type { Command } from 'commander';
import pino from 'pino';
import { StintError } from '../../errors/stint-error.ts';
import { parseListenAddress } from '../../listen-address.ts';
import { startServer } from '../../server.ts';
import type { CliContext } from '../cli-context.ts';

interface ServeFlags {
  config?: string;
  data: string;
  store?: string;
  listenApi: string;
  publicUrl?: string;
  watch: boolean;
}

/** Secrets that must never reach a log line, whatever a component logs. */
const REDACT = ['token', '*.token', 'password', '*.password', 'code', '*.code', 'req.headers.authorization', 'headers.authorization'];

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Run the Stint server: loads and applies the policy files, watches them, serves the API')
    .option('--config <path>', 'policy file or directory (env STINT_CONFIG)')
    .option('--data <dir>', 'data directory: embedded store, keys (env STINT_DATA)', ctx.env.STINT_DATA ?? '.stint')
    .option('--store <url>', 'shared PostgreSQL store, postgres://... (env STINT_STORE); default: embedded SQLite in --data')
    .option('--listen-api <host:port>', 'API listen address (env STINT_LISTEN_API)', ctx.env.STINT_LISTEN_API ?? '127.0.0.1:7070')
    .option('--public-url <url>', 'how people reach the API, for invite links (env STINT_PUBLIC_URL)')
    .option('--no-watch', 'do not watch the policy files for changes')
    .action(async (flags: ServeFlags) => {
      const configPath = flags.config ?? ctx.env.STINT_CONFIG;
      if (configPath === undefined) {
        throw new StintError('STINT_ERR_USAGE', 'stint serve needs --config PATH (a policy file or directory) or STINT_CONFIG.');
      }
      const logger = pino({ level: ctx.env.STINT_LOG_LEVEL ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
      const server = await startServer({
        configPath,
        dataDir: flags.data,
        storeUrl: flags.store ?? ctx.env.STINT_STORE,
        listenApi: parseListenAddress(flags.listenApi, '--listen-api'),
        publicUrl: flags.publicUrl ?? ctx.env.STINT_PUBLIC_URL,
        adminToken: ctx.env.STINT_ADMIN_TOKEN,
        watch: flags.watch,
        logger,
      });
      ctx.out(banner(server.apiUrl, configPath, server.policyDigest, server.createdAdminToken));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}

function banner(apiUrl: string, configPath: string, digest: string, adminToken: string | null): string {
  const lines = [`Stint is serving on ${apiUrl} with policy ${configPath} (digest ${digest.slice(0, 12)}).`];
  if (adminToken !== null) {
    lines.push('', 'An admin token was created. It is shown only this once; store it safely:', `  export STINT_TOKEN=${adminToken}`);
  } else {
    lines.push('', 'Use your admin token (STINT_ADMIN_TOKEN, or the one printed at first start): export STINT_TOKEN=...');
  }
  lines.push(
    '',
    'Next, in another terminal:',
    `  export STINT_URL=${apiUrl}`,
    '  bin/stint invite alice@vendor.example --role readonly   # prints an invite code',
    '  bin/stint accept <code>                                # as the contractor: saves their token',
    '  bin/stint plan --config examples/quickstart             # policy diff; `bin/stint --help` for more',
  );
  return lines.join('\n');
}
