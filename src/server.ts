/**
 * The composition root: the only place that builds the store, the services and
 * the listeners and wires them together. Nothing registers itself by import.
 */
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { buildApp } from './api/app.ts';
import { AuditCheckpointer, loadOrCreateSigningKey } from './audit/audit-checkpoint.ts';
import { trustedPublicKeys } from './audit/audit-signing-key.ts';
import type { AuditLog } from './audit/audit-log.ts';
import { buildControlPlane } from './control/control-plane.ts';
import { ConsoleFeedTail } from './events/console-feed-tail.ts';
import type { PolicyControl } from './control/policy-control.ts';
import { StintError } from './errors/stint-error.ts';
import { formatListenAddress, type ListenAddress } from './listen-address.ts';
import { loadPolicyFromPath, watchPolicyPath } from './policy/policy-load.ts';
import { PostgresProxy } from './proxies/postgres/postgres-proxy.ts';
import { upstreamTargetFor } from './proxies/postgres/postgres-target.ts';
import { GatedRefresh } from './store/access-changes.ts';
import { openStore } from './store/open-store.ts';
import { systemClock, type Clock } from './time/clock.ts';
import { loadTlsFiles, type TlsFiles } from './tls/tls-files.ts';
import { DEFAULT_TLS_HOSTNAMES, DEFAULT_TLS_IPS, ensureTlsMaterial } from './tls/tls-material.ts';

export interface ServerOptions {
  readonly configPath: string;
  readonly dataDir: string;
  readonly storeUrl?: string | undefined;
  readonly listenApi: ListenAddress;
  /** How people reach the API (invite links); defaults to the listen address. */
  readonly publicUrl?: string | undefined;
  /** The PostgreSQL gateway listener; null turns it off. */
  readonly listenPostgres?: ListenAddress | null;
  /** Operator-provided listener certificate; without it a local CA and certificate are generated in the data directory. */
  readonly tlsFiles?: { readonly certPath: string; readonly keyPath: string; readonly caPath?: string | undefined } | undefined;
  /** Names the generated listener certificate carries (DNS names and IPs); default localhost, 127.0.0.1, ::1. */
  readonly tlsNames?: readonly string[];
  /** Accept plain TCP from non-loopback clients on protocol listeners (default: TLS required). */
  readonly allowPlaintextRemote?: boolean;
  /** STINT_ADMIN_TOKEN: an admin token chosen by automation instead of a generated one. */
  readonly adminToken?: string | undefined;
  /** Watch the policy files and apply changes (default true). */
  readonly watch?: boolean;
  /** How often to pick up policy versions applied by other nodes sharing the store. */
  readonly refreshMs?: number;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export interface RunningServer {
  readonly apiUrl: string;
  /** host:port of the PostgreSQL gateway, when listening. */
  readonly postgres: ListenAddress | null;
  /** Set only when this start created the first admin token: print it once. */
  readonly createdAdminToken: string | null;
  readonly policyDigest: string;
  close(): Promise<void>;
}

const SYSTEM_ACTOR = 'system:serve';
/**
 * The periodic refresh rebuilds only when the store's access change count
 * moved, and at least this often anyway: a safety net for a change made
 * behind the triggers' back (a table restored by hand), never the main path.
 */
const FULL_REFRESH_MS = 60_000;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  // Fail closed: an unreadable or invalid policy stops the start before anything listens.
  const initial = await loadPolicyFromPath(options.configPath);
  for (const warning of initial.warnings) logger.warn({ file: warning.file, line: warning.line, field: warning.field }, warning.message);

  const store = await openStore({ url: options.storeUrl, dataDir: options.dataDir });
  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  let closed = false;
  // Last built, first closed: listeners stop before the services they use, the store goes last.
  const closeAll = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const close of [...closers].reverse()) await close();
  };
  try {
    const signingKey = loadOrCreateSigningKey(options.dataDir);
    const plane = buildControlPlane({ store, clock, logger });
    const { audit, tokens, policy, access, sessions } = plane;
    closers.push(() => audit.close());
    const checkpointer = new AuditCheckpointer({ store, log: audit, key: signingKey, clock });
    checkpointer.start();
    closers.push(() => checkpointer.stop());

    await policy.refresh();
    // Subscribed before the start's own apply, so its policy.applied event is queued too; deliveries
    // left pending by an earlier run (here or on another node) go out now.
    plane.webhooks.start();
    closers.push(() => plane.webhooks.stop());

    await applyIfChanged(policy, options.configPath, logger);
    // Other nodes sharing the store apply policies and onboard contractors too; the store's change
    // count lets the periodic refresh skip the rebuild (and the re-judging of every live session) when
    // nothing changed.
    const refresher = new GatedRefresh({
      store,
      clock,
      fullEveryMs: FULL_REFRESH_MS,
      refresh: async () => {
        await policy.refresh();
        await access.refresh();
      },
    });
    await refresher.rebuild();
    sessions.start();
    // Requests and grants that lapsed while no server ran are recorded now; the rest get exact timers.
    await plane.requests.start();
    closers.push(() => plane.requests.stop());
    closers.push(() => sessions.stop());
    // Engagements that ended while no server ran are offboarded now; the others get exact timers.
    await plane.engagements.start();
    closers.push(() => plane.engagements.stop());
    const bootstrap = await tokens.ensureAdminToken(options.adminToken === undefined ? {} : { envToken: options.adminToken });

    const tlsMaterial = await listenerTls(options);
    let postgres: ListenAddress | null = null;
    if (options.listenPostgres !== null) {
      const listen = options.listenPostgres ?? DEFAULT_POSTGRES_LISTEN;
      const proxy = new PostgresProxy({
        access,
        tokens,
        audit,
        sessions,
        clock,
        logger,
        tls: { key: tlsMaterial.keyPem, cert: tlsMaterial.certPem },
        allowPlaintextRemote: options.allowPlaintextRemote ?? false,
        upstreamTarget: (resource) => upstreamTargetFor(resource),
      });
      postgres = await proxy.listen(listen.host, listen.port);
      closers.push(() => proxy.close());
    }

    // Known once the API listens: with port 0 the listen address alone would put ":0" into invite links.
    let boundApiUrl: string | null = null;
    const app = buildApp({
      logger,
      services: {
        ...plane,
        get publicUrl() {
          return options.publicUrl ?? boundApiUrl ?? `http://${formatListenAddress(options.listenApi)}`;
        },
        auditTrustedKeys: trustedPublicKeys(options.dataDir),
        gateway: { postgres: postgres === null ? null : advertised(postgres, options.publicUrl), caPem: tlsMaterial.caCertPem ?? null },
        policySource: async () => (await loadPolicyFromPath(options.configPath)).files,
      },
    });
    await app.listen({ host: options.listenApi.host, port: options.listenApi.port });
    closers.push(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.listenApi.port;
    const apiUrl = `http://${formatListenAddress({ host: options.listenApi.host, port })}`;
    boundApiUrl = apiUrl;

    // Live console views on this node also hear about changes made on other nodes, through the audit log.
    const feedTail = new ConsoleFeedTail({ store, feed: plane.feed, logger });
    feedTail.start();
    closers.push(() => feedTail.stop());

    if (options.watch !== false) {
      const watcher = watchPolicyPath(options.configPath, () => void reloadFromDisk(policy, options.configPath, audit, logger));
      closers.push(() => watcher.close());
    }
    const refreshTimer = setInterval(
      () => void refresher.tick().catch((error: unknown) => logger.error({ err: error }, 'policy refresh failed')),
      options.refreshMs ?? 2000,
    );
    refreshTimer.unref();
    closers.push(() => clearInterval(refreshTimer));

    await audit.append({
      code: 'SERVER_STARTED',
      actor: SYSTEM_ACTOR,
      summary: `Stint server started on ${apiUrl} with policy ${policy.current()?.digest.slice(0, 12) ?? 'none'}.`,
      data: { apiUrl, postgres: postgres === null ? null : formatListenAddress(postgres), store: store.engine, storeLocation: store.location, pid: process.pid },
    });
    closers.push(() =>
      audit.append({ code: 'SERVER_STOPPED', actor: SYSTEM_ACTOR, summary: `Stint server on ${apiUrl} stopped.`, data: { pid: process.pid } }).then(() => undefined),
    );

    return {
      apiUrl,
      postgres,
      createdAdminToken: bootstrap.created ? (bootstrap.token ?? null) : null,
      policyDigest: policy.current()?.digest ?? initial.digest,
      close: closeAll,
    };
  } catch (error) {
    await closeAll().catch((closeError: unknown) => logger.error({ err: closeError }, 'error while shutting down after a failed start'));
    throw error;
  }
}

export const DEFAULT_POSTGRES_LISTEN: ListenAddress = { host: '127.0.0.1', port: 6432 };

/** The listener certificate: the operator's files, or a CA and certificate generated into the data directory. */
async function listenerTls(options: ServerOptions): Promise<TlsFiles> {
  if (options.tlsFiles !== undefined) return loadTlsFiles(options.tlsFiles.certPath, options.tlsFiles.keyPath, options.tlsFiles.caPath);
  const names = options.tlsNames ?? [];
  const ips = names.filter((name) => isIP(name) !== 0);
  const hostnames = names.filter((name) => isIP(name) === 0);
  return ensureTlsMaterial(options.dataDir, {
    hostnames: [...DEFAULT_TLS_HOSTNAMES, ...hostnames],
    ips: [...DEFAULT_TLS_IPS, ...ips],
  });
}

/** What clients should dial: a wildcard bind address is replaced by the public host name. */
function advertised(listen: ListenAddress, publicUrl: string | undefined): ListenAddress {
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  if (!wildcard) return listen;
  const host = publicUrl === undefined ? 'localhost' : new URL(publicUrl).hostname;
  return { host, port: listen.port };
}

/** Applies the files when they differ from the running state; a no-op restart writes nothing. */
async function applyIfChanged(policy: PolicyControl, configPath: string, logger: Logger): Promise<void> {
  const loaded = await loadPolicyFromPath(configPath);
  const plan = await policy.plan(loaded.files);
  if (!plan.hasChanges) return;
  const result = await policy.apply(loaded.files, SYSTEM_ACTOR);
  logger.info({ digest: result.digest, version: result.version, changes: result.changes.length }, 'policy applied');
}

/** On a change on disk: apply a valid policy; refuse an invalid one and keep the last good policy in force. */
async function reloadFromDisk(policy: PolicyControl, configPath: string, audit: AuditLog, logger: Logger): Promise<void> {
  try {
    await applyIfChanged(policy, configPath, logger);
  } catch (error) {
    const stint = error instanceof StintError ? error : null;
    logger.error({ code: stint?.code, details: stint?.details }, `policy change refused, keeping the last good policy: ${stint?.message ?? String(error)}`);
    await audit
      .append({
        code: 'POLICY_RELOAD_REJECTED',
        actor: SYSTEM_ACTOR,
        summary: `Changed policy files at ${configPath} were refused; the last good policy stays in force.`,
        data: { code: stint?.code ?? 'STINT_ERR_INTERNAL', message: stint?.message ?? 'unexpected error', details: stint?.details.slice(0, 50) ?? [] },
      })
      .catch((auditError: unknown) => logger.error({ err: auditError }, 'could not record the refused policy change'));
  }
}
