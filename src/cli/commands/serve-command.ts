import type { Command } from 'commander';
import pino from 'pino';
import { StintError } from '../../errors/stint-error.ts';
import { formatListenAddress, parseListenAddress } from '../../listen-address.ts';
import { startServer, type RunningServer } from '../../server.ts';
import type { CliContext } from '../cli-context.ts';

interface ServeFlags {
  config?: string;
  data: string;
  store?: string;
  listenApi: string;
  publicUrl?: string;
  watch: boolean;
  listenPostgres: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsName?: string[];
  allowPlaintextRemote?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
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
    .option('--listen-postgres <host:port|off>', 'PostgreSQL gateway listen address (env STINT_LISTEN_POSTGRES)', ctx.env.STINT_LISTEN_POSTGRES ?? '127.0.0.1:6432')
    .option('--tls-cert <file>', 'listener certificate (PEM); default: a local CA and certificate generated in --data (env STINT_TLS_CERT)')
    .option('--tls-key <file>', 'listener private key (PEM) for --tls-cert (env STINT_TLS_KEY)')
    .option('--tls-ca <file>', 'CA certificate clients verify --tls-cert with, served by `stint ca` (env STINT_TLS_CA)')
    .option('--tls-name <name>', 'extra DNS name or IP on the generated certificate (repeatable)', collect)
    .option('--allow-plaintext-remote', 'accept plain TCP from non-loopback clients (default: they must use TLS)')
    .action(async (flags: ServeFlags) => {
      const configPath = flags.config ?? ctx.env.STINT_CONFIG;
      if (configPath === undefined) {
        throw new StintError('STINT_ERR_USAGE', 'stint serve needs --config PATH (a policy file or directory) or STINT_CONFIG.');
      }
      const logger = pino({ level: ctx.env.STINT_LOG_LEVEL ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
      const tlsCert = flags.tlsCert ?? ctx.env.STINT_TLS_CERT;
      const tlsKey = flags.tlsKey ?? ctx.env.STINT_TLS_KEY;
      if ((tlsCert === undefined) !== (tlsKey === undefined)) {
        throw new StintError('STINT_ERR_USAGE', '--tls-cert and --tls-key go together: give both, or neither to use the generated local CA.');
      }
      const server = await startServer({
        configPath,
        dataDir: flags.data,
        storeUrl: flags.store ?? ctx.env.STINT_STORE,
        listenApi: parseListenAddress(flags.listenApi, '--listen-api'),
        publicUrl: flags.publicUrl ?? ctx.env.STINT_PUBLIC_URL,
        adminToken: ctx.env.STINT_ADMIN_TOKEN,
        watch: flags.watch,
        listenPostgres: flags.listenPostgres === 'off' ? null : parseListenAddress(flags.listenPostgres, '--listen-postgres'),
        tlsFiles: tlsCert === undefined || tlsKey === undefined ? undefined : { certPath: tlsCert, keyPath: tlsKey, caPath: flags.tlsCa ?? ctx.env.STINT_TLS_CA },
        tlsNames: flags.tlsName ?? [],
        allowPlaintextRemote: flags.allowPlaintextRemote === true,
        logger,
      });
      ctx.out(banner(server, configPath));
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

function banner(server: RunningServer, configPath: string): string {
  const { apiUrl, policyDigest: digest, createdAdminToken: adminToken } = server;
  const lines = [`Stint is serving on ${apiUrl} with policy ${configPath} (digest ${digest.slice(0, 12)}).`];
  if (server.postgres !== null) lines.push(`PostgreSQL gateway on ${formatListenAddress(server.postgres)} (TLS available; \`stint ca\` prints the CA).`);
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
    '  bin/stint accept <code>                                # as the contractor (no STINT_TOKEN set): saves their token',
    '  bin/stint connect demo --exec psql                      # as the contractor: psql through the gateway',
    '  bin/stint plan --config examples/quickstart             # policy diff; `bin/stint --help` for more',
  );
  return lines.join('\n');
}
