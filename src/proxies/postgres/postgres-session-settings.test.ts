import { describe, expect, it } from 'vitest';
import { NO_OBLIGATIONS } from '../../access/decision.ts';
import { ResponseTracker } from './postgres-session-responses.ts';
import { SessionSettings, unconfirmedReadOnly, upstreamStartupParams } from './postgres-session-settings.ts';
import { StatementGate } from './postgres-statement-gate.ts';
import { BackendFramer, commandComplete, errorResponse, parameterStatus, readyForQuery, type BackendFrame } from './postgres-wire.ts';

const LIMIT = { ms: 60_000, guardrail: 'guardrail #1 (names demo)' };
const frame = (bytes: Buffer): BackendFrame => new BackendFramer().push(bytes)[0]!;

describe('upstreamStartupParams', () => {
  const asked = new Map([
    ['application_name', 'psql'],
    ['Statement_Timeout', '0'],
    ['statement_timeout', '1d'],
  ]);

  it('replaces what the client asked for with the gateway’s limit and read-only mode, in any letter case', () => {
    expect([...upstreamStartupParams(asked, { statementTimeout: LIMIT, readOnly: true })]).toEqual([
      ['application_name', 'psql'],
      ['statement_timeout', '60000'],
      ['default_transaction_read_only', 'on'],
    ]);
  });

  it('passes the client’s settings on untouched when the gateway manages none', () => {
    expect(upstreamStartupParams(asked, { statementTimeout: undefined, readOnly: false })).toEqual(asked);
  });
});

describe('unconfirmedReadOnly', () => {
  const readOnly = { statementTimeout: undefined, readOnly: true };
  const reported = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('accepts a server that reports the session read-only, and asks nothing of a writable session', () => {
    expect(unconfirmedReadOnly(readOnly, reported({ server_version: '15.19', default_transaction_read_only: 'on' }))).toBeUndefined();
    expect(unconfirmedReadOnly({ statementTimeout: undefined, readOnly: false }, reported({ server_version: '15.19' }))).toBeUndefined();
  });

  it('fails closed when the server reports it off or, from PostgreSQL 14 on, does not report it at all', () => {
    expect(unconfirmedReadOnly(readOnly, reported({ server_version: '15.19', default_transaction_read_only: 'off' }))).toMatch(/reported default_transaction_read_only = off/);
    expect(unconfirmedReadOnly(readOnly, reported({ server_version: '16.2' }))).toMatch(/did not confirm .*pooler/);
    expect(unconfirmedReadOnly(readOnly, reported({}))).toMatch(/did not confirm/);
  });

  it('cannot check servers before 14, which do not report the setting', () => {
    expect(unconfirmedReadOnly(readOnly, reported({ server_version: '13.14' }))).toBeUndefined();
  });
});

describe('SessionSettings', () => {
  it('holds a session read-only from its start, and tells RESET ALL apart once switched by SET', () => {
    const settings = new SessionSettings({ statementTimeout: LIMIT, readOnly: true });
    expect(settings.limits()).toEqual({ statementTimeout: LIMIT, readOnly: { resetKeepsReadOnly: true } });
    expect(settings.wanted(false)).toBeUndefined();
    expect(settings.wanted(true)).toBe(false);
    settings.switching(false);
    // The gateway's own switch to off is expected, not a breach.
    expect(settings.report('default_transaction_read_only', 'off')).toBe('fine');
    settings.switched();
    expect(settings.limits()).toEqual({ statementTimeout: LIMIT });
    expect(settings.wanted(false)).toBe(true);
    settings.switching(true);
    settings.switched();
    expect(settings.limits().readOnly).toEqual({ resetKeepsReadOnly: true });
  });

  it('reports read-only turning off in a session it holds read-only, and nothing else', () => {
    const held = new SessionSettings({ statementTimeout: undefined, readOnly: true });
    expect(held.report('default_transaction_read_only', 'off')).toBe('lost');
    expect(held.report('Default_Transaction_Read_Only', 'false')).toBe('lost');
    expect(held.report('default_transaction_read_only', 'on')).toBe('fine');
    expect(held.report('TimeZone', 'UTC')).toBe('fine');
    const writer = new SessionSettings({ statementTimeout: undefined, readOnly: false });
    expect(writer.report('default_transaction_read_only', 'off')).toBe('fine');
    expect(writer.limits()).toEqual({});
  });
});

describe('the tracker and the gateway’s own query', () => {
  function setup(): { tracker: ResponseTracker; parameters: string[] } {
    const gate = new StatementGate({
      access: { decide: () => ({ allow: true, reason: 'ALLOW_ROLE', message: 'ok', obligations: NO_OBLIGATIONS, expiresAt: 1 }) },
      identity: { email: 'a@x.example', tokenExpiresAt: null },
      resource: 'demo',
    });
    const parameters: string[] = [];
    const tracker = new ResponseTracker({
      gate,
      status: 'I',
      hooks: { completed: () => undefined, failed: () => undefined, parameter: (name, value) => parameters.push(`${name}=${value}`) },
    });
    return { tracker, parameters };
  }

  it('swallows its whole answer and passes on its outcome', () => {
    const { tracker, parameters } = setup();
    const outcomes: (string | null)[] = [];
    tracker.expect({ kind: 'internal', done: (error) => outcomes.push(error) });
    for (const bytes of [commandComplete('SET'), parameterStatus('default_transaction_read_only', 'off'), readyForQuery('I')]) {
      expect(tracker.handle(frame(bytes))).toHaveLength(0);
    }
    expect(outcomes).toEqual([null]);
    expect(tracker.pending).toBe(0);
    // Parameters reported outside the gateway's own query reach the hook and the client.
    expect(tracker.handle(frame(parameterStatus('default_transaction_read_only', 'on')))).not.toHaveLength(0);
    expect(parameters).toEqual(['default_transaction_read_only=on']);
  });

  it('hands an error of its own query to it, never to the client', () => {
    const { tracker } = setup();
    const outcomes: (string | null)[] = [];
    tracker.expect({ kind: 'internal', done: (error) => outcomes.push(error) });
    expect(tracker.handle(frame(errorResponse({ severity: 'ERROR', code: '42704', message: 'unrecognized configuration parameter' })))).toHaveLength(0);
    expect(tracker.handle(frame(readyForQuery('I')))).toHaveLength(0);
    expect(outcomes).toEqual(['42704 unrecognized configuration parameter']);
  });
});
