import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplainResult } from '../../src/api/routes/explain-routes.ts';
import { startApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { runCli, startServe, type ServeProcess } from '../support/cli-harness.ts';

/**
 * `POST /v1/explain` through the real API, and `stint explain` through the
 * real binary: per statement, the classification and the decision the
 * gateway would make, with the rule or guardrail behind it.
 */

const ALICE = 'alice@vendor.example';
const BOB = 'bob@vendor.example';
const AUDITOR = 'auditor@corp.example';

const POLICY = `version: 1
settings:
  contractors: files
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
      - resources: { names: [demo] }
        actions: [read]
        mask: [public.orders.card]
  builder:
    grants:
      - resources: { names: [demo] }
        actions: [read, write, ddl]
contractors:
  ${ALICE}: { name: Alice, sponsor: ops@corp.example, roles: [readonly], until: 2099-01-01 }
  ${BOB}: { name: Bob, sponsor: ops@corp.example, roles: [builder], until: 2099-01-01 }
staff:
  ops@corp.example: { name: Ops, roles: [admin] }
  ${AUDITOR}: { name: Ada, roles: [auditor] }
guardrails:
  - resources: { names: [demo] }
    deny: [ddl]
    statement_timeout: 30s
`;

describe('POST /v1/explain', () => {
  let api: ApiHarness;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApiHarness('sqlite', [{ path: 'policy.yaml', content: POLICY }]);
    for (const [email, kind] of [[ALICE, 'contractor'], [BOB, 'contractor'], [AUDITOR, 'staff']] as const) {
      tokens[email] = (await api.tokens.create({ subject: email, kind, createdBy: 'system:test' })).token;
    }
  });

  afterAll(async () => {
    await api.close();
  });

  async function explain(token: string, body: Record<string, unknown>): Promise<{ status: number; json: ExplainResult & { error?: { code: string; message: string } } }> {
    const response = await api.app.inject({ method: 'POST', url: '/v1/explain', headers: api.bearer(token), payload: body });
    return { status: response.statusCode, json: response.json() };
  }

  it('explains each statement with its class, tables, masked columns and decision', async () => {
    const { status, json } = await explain(tokens[ALICE]!, { sql: 'SELECT id, card FROM orders; DELETE FROM orders WHERE id = 1; CREATE TABLE x (n int)', resource: 'demo' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ resource: 'demo', as: ALICE, allowed: false, masks: ['public.orders.card (redact)'] });
    const [select, remove, create] = json.statements;
    expect(select).toMatchObject({
      class: 'read',
      command: 'SELECT',
      tablesRead: ['orders'],
      maskedColumns: ['public.orders.card'],
      decision: { allow: true, reason: 'ALLOW_ROLE', rule: 'role readonly' },
    });
    expect(remove).toMatchObject({ class: 'write', tablesWritten: ['orders'], decision: { allow: false, reason: 'DENY_NO_GRANT' } });
    expect(remove?.decision.hint).toContain('stint request demo --action write');
    expect(create).toMatchObject({ class: 'ddl', decision: { allow: false } });
  });

  it('names the guardrail behind a refusal, and the statement_timeout and read-only limits a session would run under', async () => {
    const guarded = await explain(tokens[BOB]!, { sql: 'CREATE TABLE x (n int); SET statement_timeout = 0; SET statement_timeout = 5000; BEGIN READ WRITE', resource: 'demo' });
    expect(guarded.status).toBe(200);
    const [create, off, lower, readWrite] = guarded.json.statements;
    expect(create?.decision).toMatchObject({ allow: false, reason: 'DENY_GUARDRAIL_DDL', rule: 'guardrail #1 (names demo)' });
    expect(off?.decision).toMatchObject({ allow: false, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT', rule: 'guardrail #1 (names demo)' });
    expect(off?.decision.hint).toContain('scheduled job');
    expect(lower?.decision).toMatchObject({ allow: true });
    // Bob may change data: his sessions are not read-only.
    expect(readWrite?.decision).toMatchObject({ allow: true });

    const alice = await explain(tokens[ALICE]!, { sql: 'BEGIN READ WRITE', resource: 'demo' });
    expect(alice.json.statements[0]?.decision).toMatchObject({ allow: false, reason: 'DENY_READ_ONLY_SESSION' });
  });

  it('lets staff explain for a contractor, and contractors only for themselves', async () => {
    const forAlice = await explain(tokens[AUDITOR]!, { sql: 'SELECT 1', resource: 'demo', as: ALICE });
    expect(forAlice).toMatchObject({ status: 200, json: { as: ALICE, allowed: true } });
    expect(await explain(tokens[ALICE]!, { sql: 'SELECT 1', resource: 'demo', as: BOB })).toMatchObject({ status: 403, json: { error: { code: 'STINT_ERR_FORBIDDEN' } } });
    expect(await explain(tokens[ALICE]!, { sql: 'SELECT 1', resource: 'demo', as: ALICE })).toMatchObject({ status: 200 });
    expect(await explain(tokens[AUDITOR]!, { sql: 'SELECT 1', resource: 'demo' })).toMatchObject({ status: 400, json: { error: { code: 'STINT_ERR_BAD_REQUEST' } } });
  });

  it('refuses bad input: SQL it cannot parse, no statement, an unknown resource', async () => {
    const unparseable = await explain(tokens[ALICE]!, { sql: 'SELEC 1', resource: 'demo' });
    expect(unparseable).toMatchObject({ status: 400, json: { error: { code: 'STINT_ERR_BAD_REQUEST' } } });
    expect(unparseable.json.error?.message).toContain('cannot be parsed at character 1');
    expect(await explain(tokens[ALICE]!, { sql: '-- nothing', resource: 'demo' })).toMatchObject({ status: 400 });
    const unknown = await explain(tokens[ALICE]!, { sql: 'SELECT 1', resource: 'nowhere' });
    expect(unknown).toMatchObject({ status: 400 });
    expect(unknown.json.error?.message).toContain('no resource named "nowhere"');
  });
});

describe('stint explain', () => {
  let server: ServeProcess;
  let policyDir: string;
  let home: string;
  let alice: NodeJS.ProcessEnv;

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'stint-explain-policy-'));
    writeFileSync(join(policyDir, 'policy.yaml'), POLICY);
    server = await startServe(policyDir);
    home = mkdtempSync(join(tmpdir(), 'stint-explain-home-'));
    const admin = { STINT_URL: server.url, STINT_TOKEN: server.adminToken, STINT_CONFIG_DIR: home };
    const created = await runCli(['token', 'create', '--for', ALICE, '--json'], admin);
    expect(created.code, created.stderr).toBe(0);
    alice = { ...admin, STINT_TOKEN: (JSON.parse(created.stdout) as { token: string }).token };
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    rmSync(policyDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('prints each statement readably and exits 0 when all would be allowed', async () => {
    const result = await runCli(['explain', 'SELECT id, card FROM orders', '--resource', 'demo'], alice);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`The statement would be allowed for ${ALICE} on demo.`);
    expect(result.stdout).toContain('class:     read, SELECT');
    expect(result.stdout).toContain('masked:    public.orders.card');
    expect(result.stdout).toContain('decision:  allowed (ALLOW_ROLE by role readonly)');
  });

  it('exits 3 when any statement would be refused, saying why and what to do', async () => {
    const result = await runCli(['explain', 'SELECT 1; SET statement_timeout = 0', '--resource', 'demo'], alice);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain('1 of 2 statements would be refused');
    expect(result.stdout).toContain('decision:  REFUSED (DENY_GUARDRAIL_STATEMENT_TIMEOUT by guardrail #1 (names demo))');
    expect(result.stdout).toContain('scheduled job');

    const json = await runCli(['explain', 'DELETE FROM orders WHERE id = 1', '--resource', 'demo', '--json'], alice);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ allowed: false, statements: [{ class: 'write', decision: { allow: false, reason: 'DENY_NO_GRANT' } }] });
  });

  it('exits 2 on bad input', async () => {
    const unparseable = await runCli(['explain', 'SELEC 1', '--resource', 'demo'], alice);
    expect(unparseable.code).toBe(2);
    expect(unparseable.stderr).toContain('cannot be parsed');
    expect((await runCli(['explain', 'SELECT 1'], alice)).code).toBe(2);
    expect((await runCli(['explain', 'SELECT 1', '--resource', 'nowhere'], alice)).code).toBe(2);
  });
});
