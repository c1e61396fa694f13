import { describe, expect, it } from 'vitest';
import { buildAccessIndex } from './access-index.ts';
import type { GuardrailRule } from './access-model.ts';
import {
  isTrueSetting,
  parseTimeoutMs,
  refusedBatch,
  refusedSettingChange,
  statementTimeoutLimit,
  type SessionSettingLimits,
  type SettingChangeShape,
  type SettingsShape,
} from './statement-session-settings.ts';
import { SETTING_REASONS } from './statement-session-settings.test-cases.ts';

const TIMEOUT: SessionSettingLimits = { statementTimeout: { ms: 60_000, guardrail: 'guardrail #1 (names demo)' } };
const HELD_AT_STARTUP: SessionSettingLimits = { readOnly: { resetKeepsReadOnly: true } };
const HELD_BY_SET: SessionSettingLimits = { readOnly: { resetKeepsReadOnly: false } };

const set = (name: string | undefined, value?: string, via: SettingChangeShape['via'] = 'set'): SettingsShape => ({
  command: via === 'reset' ? 'RESET' : via === 'set' ? 'SET' : 'SELECT',
  settings: [{ name, via, ...(value === undefined ? {} : { value }), ...(via === 'reset' ? { reset: true as const } : {}) }],
});

describe('statement_timeout values as PostgreSQL reads them', () => {
  it.each([
    ['5000', 5000],
    ['60s', 60_000],
    [' 1 min ', 60_000],
    ['1.5s', 1500],
    ['500us', 0.5],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0', 0],
  ])('%j is %d ms', (text, ms) => expect(parseTimeoutMs(text)).toBe(ms));

  it.each(['', '-1', '+5', '010', '0x10', '1e3', '5 S', '5sec', '1m', 'abc', '5s5'])('%j is not read with certainty', (text) => {
    expect(parseTimeoutMs(text)).toBeUndefined();
  });

  it('reads booleans the way the server does, true only for true', () => {
    for (const text of ['on', 'ON', 'true', 't', 'tru', 'yes', 'y', '1']) expect(isTrueSetting(text), text).toBe(true);
    for (const text of ['off', 'false', 'no', '0', 'of', 'o', '', 'onn']) expect(isTrueSetting(text), text).toBe(false);
  });
});

describe('refusedSettingChange', () => {
  const CASES: { name: string; statement: SettingsShape; limits: SessionSettingLimits; reason?: string; message?: string }[] = [
    { name: 'SET statement_timeout = 0', statement: set('statement_timeout', '0'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT', message: 'guardrail #1 (names demo)' },
    { name: 'a larger statement_timeout', statement: set('statement_timeout', '2min'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT', message: '1m' },
    { name: 'a plain number above the limit (ms)', statement: set('statement_timeout', '60001'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT' },
    { name: 'a value below 1 ms (rounds to off)', statement: set('statement_timeout', '500us'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT' },
    { name: 'an unreadable value', statement: set('statement_timeout', '0x10'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT' },
    { name: 'set_config with a value that is not a literal', statement: set('statement_timeout', undefined, 'set_config'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT', message: 'not a literal' },
    { name: 'set_config with a name that is not a literal', statement: set(undefined, '0', 'set_config'), limits: TIMEOUT, reason: 'DENY_GUARDRAIL_STATEMENT_TIMEOUT' },
    { name: 'lowering statement_timeout', statement: set('statement_timeout', '5s'), limits: TIMEOUT },
    { name: 'the limit itself', statement: set('statement_timeout', '60000'), limits: TIMEOUT },
    { name: 'set_config lowering it', statement: set('statement_timeout', '30s', 'set_config'), limits: TIMEOUT },
    { name: 'RESET statement_timeout (back to the startup value)', statement: set('statement_timeout', undefined, 'reset'), limits: TIMEOUT },
    { name: 'SET statement_timeout TO DEFAULT', statement: set('statement_timeout'), limits: TIMEOUT },
    { name: 'RESET ALL under a timeout', statement: set(undefined, undefined, 'reset'), limits: TIMEOUT },
    { name: 'other settings', statement: set('work_mem', '64MB'), limits: { ...TIMEOUT, ...HELD_AT_STARTUP } },
    { name: 'no limits at all', statement: set('statement_timeout', '0'), limits: {} },
    { name: 'default_transaction_read_only = off', statement: set('default_transaction_read_only', 'off'), limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION', message: 'stint request demo --action write' },
    { name: 'transaction_read_only = false', statement: set('transaction_read_only', 'false'), limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION' },
    { name: 'set_config of default_transaction_read_only', statement: set('default_transaction_read_only', 'off', 'set_config'), limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION' },
    { name: 'set_config of it with a value that is not a literal', statement: set('default_transaction_read_only', undefined, 'set_config'), limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION' },
    { name: 'BEGIN READ WRITE', statement: { command: 'BEGIN', setsReadWrite: true }, limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION', message: 'BEGIN ... READ WRITE' },
    { name: 'RESET of it when read-only was switched on by SET', statement: set('default_transaction_read_only', undefined, 'reset'), limits: HELD_BY_SET, reason: 'DENY_READ_ONLY_SESSION' },
    { name: 'RESET ALL when read-only was switched on by SET', statement: set(undefined, undefined, 'reset'), limits: HELD_BY_SET, reason: 'DENY_READ_ONLY_SESSION', message: 'RESET ALL' },
    { name: 'DISCARD ALL when read-only was switched on by SET', statement: { command: 'DISCARD', text: 'DISCARD ALL' }, limits: HELD_BY_SET, reason: 'DENY_READ_ONLY_SESSION' },
    { name: 'DISCARD PLANS when read-only was switched on by SET', statement: { command: 'DISCARD', text: 'DISCARD PLANS' }, limits: HELD_BY_SET },
    { name: 'RESET transaction_read_only', statement: set('transaction_read_only', undefined, 'reset'), limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION' },
    { name: 'RESET of it even when it was a startup parameter', statement: set('default_transaction_read_only', undefined, 'reset'), limits: HELD_AT_STARTUP, reason: 'DENY_READ_ONLY_SESSION', message: 'RESET default_transaction_read_only' },
    { name: 'RESET ALL when it was a startup parameter', statement: set(undefined, undefined, 'reset'), limits: HELD_AT_STARTUP },
    { name: 'RESET ALL flagged read-write when it was a startup parameter', statement: { ...set(undefined, undefined, 'reset'), setsReadWrite: true }, limits: HELD_AT_STARTUP },
    { name: 'turning read-only on', statement: set('default_transaction_read_only', 'on'), limits: HELD_BY_SET },
    { name: 'BEGIN READ WRITE with write access', statement: { command: 'BEGIN', setsReadWrite: true }, limits: TIMEOUT },
    { name: 'default_transaction_read_only = off with write access', statement: set('default_transaction_read_only', 'off'), limits: TIMEOUT },
  ];

  it.each(CASES)('$name', ({ statement, limits, reason, message }) => {
    const decision = refusedSettingChange(statement, limits, 'demo');
    if (reason === undefined) {
      expect(decision).toBeUndefined();
      return;
    }
    expect(decision).toMatchObject({ allow: false, reason, expiresAt: null });
    if (message !== undefined) expect(decision?.message).toContain(message);
  });

  it('covers every reason code it can give', () => {
    const covered = new Set(CASES.map((c) => c.reason));
    for (const reason of SETTING_REASONS) expect(covered.has(reason), reason).toBe(true);
  });

  it('tells the contractor what to do instead', () => {
    expect(refusedSettingChange(set('statement_timeout', '0'), TIMEOUT, 'demo')?.message).toBe(
      'SET statement_timeout = 0 would raise or turn off the statement_timeout of 1m that guardrail #1 (names demo) sets on demo; lowering it is allowed. Split the work into smaller statements, or ask your sponsor for a scheduled job',
    );
  });
});

describe('refusedBatch', () => {
  const text = (...commands: string[]): SettingsShape[] => commands.map((command) => ({ command }));

  it('refuses, in a session held read-only, a query text that goes on after ending a transaction', () => {
    expect(refusedBatch(text('SELECT', 'COMMIT', 'SELECT'), HELD_AT_STARTUP, 'demo')).toMatchObject({ index: 1, decision: { reason: 'DENY_READ_ONLY_SESSION' } });
    expect(refusedBatch(text('BEGIN', 'SELECT', 'ROLLBACK', 'BEGIN'), HELD_BY_SET, 'demo')?.decision.message).toContain('send the statements after ROLLBACK as a separate query');
    expect(refusedBatch(text('PREPARE TRANSACTION', 'SELECT'), HELD_AT_STARTUP, 'demo')).toBeDefined();
  });

  it('allows a text ending with its COMMIT, and any text in a session with write access', () => {
    expect(refusedBatch(text('BEGIN', 'SELECT', 'COMMIT'), HELD_AT_STARTUP, 'demo')).toBeUndefined();
    expect(refusedBatch(text('SELECT', 'SAVEPOINT', 'ROLLBACK TO SAVEPOINT', 'SELECT'), HELD_AT_STARTUP, 'demo')).toBeUndefined();
    expect(refusedBatch(text('SELECT', 'COMMIT', 'SELECT'), TIMEOUT, 'demo')).toBeUndefined();
  });
});

describe('statementTimeoutLimit', () => {
  const guardrail = (names: string[], statementTimeoutMs?: number): GuardrailRule => ({
    resources: { names },
    deny: [],
    requireApproval: [],
    block: [],
    ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
  });
  const index = buildAccessIndex({
    resources: [
      { name: 'demo', kind: 'postgres', labels: {} },
      { name: 'other', kind: 'postgres', labels: {} },
    ],
    roles: [],
    contractors: [],
    grants: [],
    guardrails: [guardrail(['demo', 'other'], 120_000), guardrail(['demo']), guardrail(['demo'], 30_000)],
  });

  it('takes the smallest limit among the guardrails on the resource, naming its guardrail', () => {
    expect(statementTimeoutLimit(index, 'demo')).toEqual({ ms: 30_000, guardrail: 'guardrail #3 (names demo)' });
    expect(statementTimeoutLimit(index, 'other')).toEqual({ ms: 120_000, guardrail: 'guardrail #1 (names demo, other)' });
    expect(statementTimeoutLimit(index, 'elsewhere')).toBeUndefined();
  });
});
