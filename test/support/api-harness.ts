import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/app.ts';
import type { AuditLog } from '../../src/audit/audit-log.ts';
import { buildControlPlane, type ControlPlane } from '../../src/control/control-plane.ts';
import type { AccessState } from '../../src/control/access-state.ts';
import type { PolicyControl } from '../../src/control/policy-control.ts';
import type { SessionRegistry } from '../../src/sessions/session-registry.ts';
import type { GrantService } from '../../src/requests/grant-service.ts';
import type { RequestService } from '../../src/requests/request-service.ts';
import type { TokenService } from '../../src/identity/token-service.ts';
import type { PolicyFile } from '../../src/policy/policy-types.ts';
import type { StoreEngine } from '../../src/store/store.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { openTestStore, type TestStore } from './test-store.ts';

export interface ApiHarness {
  readonly app: FastifyInstance;
  /** Every service, for what the fields below do not name. */
  readonly plane: ControlPlane;
  readonly store: TestStore;
  readonly clock: ManualClock;
  readonly audit: AuditLog;
  readonly policy: PolicyControl;
  readonly tokens: TokenService;
  readonly access: AccessState;
  readonly sessions: SessionRegistry;
  readonly requests: RequestService;
  readonly grants: GrantService;
  readonly adminToken: string;
  /** Authorization header for a token. */
  bearer(token: string): { authorization: string };
  close(): Promise<void>;
}

/** A real API over a fresh store of the given engine, with the policy files applied and an admin token. */
export async function startApiHarness(
  engine: StoreEngine,
  files: readonly PolicyFile[],
  options: { bodyLimit?: number; consoleDir?: string; policySource?: () => Promise<readonly PolicyFile[]> } = {},
): Promise<ApiHarness> {
  const store = await openTestStore(engine);
  const clock = new ManualClock('2026-12-01T00:00:00Z');
  const logger = pino({ level: 'silent' });
  const plane = buildControlPlane({ store, clock, logger });
  const { audit, tokens, policy, access, sessions } = plane;
  await policy.apply(files, 'system:test');
  const admin = await tokens.ensureAdminToken({});
  if (admin.token === undefined) throw new Error('expected a fresh admin token');
  const app = buildApp({
    logger,
    services: {
      ...plane,
      publicUrl: 'http://stint.test',
      auditTrustedKeys: [],
      gateway: { postgres: { host: '127.0.0.1', port: 6432 }, caPem: null },
      ...(options.policySource === undefined ? {} : { policySource: options.policySource }),
    },
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.consoleDir === undefined ? {} : { consoleDir: options.consoleDir }),
  });
  await app.ready();
  return {
    app,
    plane,
    store,
    clock,
    audit,
    policy,
    tokens,
    access,
    sessions,
    requests: plane.requests,
    grants: plane.grants,
    adminToken: admin.token,
    bearer: (token) => ({ authorization: `Bearer ${token}` }),
    async close() {
      await app.close();
      plane.engagements.stop();
      await plane.webhooks.stop();
      plane.requests.stop();
      await sessions.stop(1000);
      await audit.close();
      await store.destroy();
    },
  };
}

export const POLICY_PATH = 'policy.yaml';

/** A policy whose contractors are owned by the files or by invites through the API. */
export function testPolicy(owner: 'files' | 'api', contractorsYaml = ''): PolicyFile[] {
  return [
    {
      path: POLICY_PATH,
      content: `version: 1
settings:
  contractors: ${owner}
resources:
  demo:
    kind: postgres
    address: 127.0.0.1:5432
    database: postgres
    credentials: { user: postgres }
    labels: { env: dev }
roles:
  readonly:
    grants:
      - resources: { labels: { env: dev } }
        actions: [read]
  readwrite:
    grants:
      - resources: { names: [demo] }
        actions: [read, write]
    max_session: 8h
staff:
  auditor@corp.example: { name: Ada, roles: [auditor] }
${contractorsYaml}`,
    },
  ];
}
