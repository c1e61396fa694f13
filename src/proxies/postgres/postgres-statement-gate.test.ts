import { beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../../access/access-model.ts';
import { NO_OBLIGATIONS, type Decision } from '../../access/decision.ts';
import { loadSqlParser } from '../../sql/classify-sql.ts';
import { StatementGate, type Decider } from './postgres-statement-gate.ts';

class FakeAccess implements Decider {
  allowed = new Set<Action>(['read']);
  expiries: Partial<Record<Action, number>> = {};
  readonly asked: Action[] = [];

  decide(_identity: unknown, resource: string, action: Action): Decision {
    this.asked.push(action);
    if (this.allowed.has(action)) {
      return { allow: true, reason: 'ALLOW_ROLE', message: `${action} on ${resource} is allowed`, obligations: NO_OBLIGATIONS, expiresAt: this.expiries[action] ?? 1000 };
    }
    return { allow: false, reason: 'DENY_NO_GRANT', message: `a@x.example has no grant for ${action} on ${resource}`, obligations: NO_OBLIGATIONS, expiresAt: null };
  }
}

let access: FakeAccess;
let gate: StatementGate;

beforeAll(async () => {
  await loadSqlParser();
});

function fresh(): void {
  access = new FakeAccess();
  gate = new StatementGate({ access, identity: { email: 'a@x.example', tokenExpiresAt: null, sessionStartedAt: 0 }, resource: 'demo' });
}

describe('StatementGate: simple queries', () => {
  it('allows a batch only when every statement is allowed, and names the first refused one', () => {
    fresh();
    const allowed = gate.judgeQuery('SELECT 1; SELECT * FROM t');
    expect(allowed.allow && allowed.statements.map((s) => [s.action, s.info.command, s.decision.reason])).toEqual([
      ['read', 'SELECT', 'ALLOW_ROLE'],
      ['read', 'SELECT', 'ALLOW_ROLE'],
    ]);
    const refused = gate.judgeQuery('SELECT 1; INSERT INTO t VALUES (1); DROP TABLE t');
    expect(refused).toMatchObject({ allow: false, action: 'write', info: { command: 'INSERT' } });
    expect(!refused.allow && refused.refusal).toEqual({
      code: '42501',
      message: 'permission denied by Stint: write on resource demo is not allowed for a@x.example (DENY_NO_GRANT)',
      detail: 'The statement (INSERT) needs write: a@x.example has no grant for write on demo.',
      hint: 'ask your sponsor for a role with write, or request access: stint request demo --action write',
      reason: 'DENY_NO_GRANT',
    });
  });

  it.each([
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'write'],
    ['EXPLAIN ANALYZE DELETE FROM t', 'write'],
    ['EXPLAIN DELETE FROM t', 'read'],
    ['SET ROLE postgres', 'unsafe'],
    ['CREATE TABLE x (a int)', 'ddl'],
  ])('judges %s as %s', (sql, action) => {
    fresh();
    access.allowed = new Set(['read', 'write', 'ddl', 'admin', 'unsafe']);
    const judged = gate.judgeQuery(sql);
    expect(judged.allow && judged.statements[0]!.action).toBe(action);
  });

  it('fails closed on text it cannot parse, with the parser position', () => {
    fresh();
    const judged = gate.judgeQuery('SELECT 1; SELEC 2');
    expect(judged).toMatchObject({ allow: false, refusal: { code: '42601', reason: 'DENY_UNPARSEABLE_SQL', position: 11 } });
    expect(gate.judgeQuery('SELECT 1\0; DROP TABLE t')).toMatchObject({ allow: false, refusal: { code: '42601' } });
  });

  it('judges EXECUTE by what was prepared, also earlier in the same text, and refuses unknown names', () => {
    fresh();
    access.allowed = new Set(['read', 'write']);
    const batch = gate.judgeQuery('PREPARE p AS DELETE FROM t; EXECUTE p');
    expect(batch.allow && batch.statements.map((s) => [s.info.command, s.action, s.runs?.text])).toEqual([
      ['PREPARE', 'write', undefined],
      ['EXECUTE', 'write', 'PREPARE p AS DELETE FROM t'],
    ]);
    // Confirmed by the server, the name keeps its meaning for later queries.
    gate.statements.commit(batch.allow ? batch.statements[0]!.prepare! : (undefined as never));
    access.allowed = new Set(['read']);
    expect(gate.judgeQuery('EXPLAIN ANALYZE EXECUTE p')).toMatchObject({ allow: false, action: 'write' });
    expect(gate.judgeQuery('EXPLAIN EXECUTE p')).toMatchObject({ allow: true });
    expect(gate.judgeQuery('EXECUTE nope')).toMatchObject({ allow: false, refusal: { code: '26000', message: 'prepared statement "nope" does not exist' } });
  });

  it('reads the name a DEALLOCATE forgets', () => {
    fresh();
    const names = (sql: string): (string | undefined)[] => {
      const judged = gate.judgeQuery(sql);
      return judged.allow ? judged.statements.map((s) => s.deallocate) : [];
    };
    expect(names('DEALLOCATE p; DEALLOCATE PREPARE "My ""Q"""; DEALLOCATE ALL; deallocate Upper')).toEqual(['p', 'My "Q"', undefined, 'upper']);
  });
});

describe('StatementGate: extended protocol', () => {
  it('decides at Parse, again at Bind and again at Execute', () => {
    fresh();
    access.allowed = new Set(['read', 'write']);
    const parsed = gate.judgeParse('ins', 'INSERT INTO t VALUES ($1)');
    expect(parsed).toMatchObject({ allow: true, statement: { class: 'write' } });
    gate.statements.commit(parsed.allow ? parsed.pending : (undefined as never));
    const bound = gate.judgeBind('', 'ins', [Buffer.from('1')], []);
    expect(bound).toMatchObject({ allow: true, portal: { class: 'write', statementName: 'ins' } });
    gate.portals.commit(bound.allow ? bound.pending : (undefined as never));
    expect(gate.judgeExecute('')).toMatchObject({ allow: true, statement: { action: 'write' } });
    access.allowed = new Set(['read']);
    expect(gate.judgeExecute('')).toMatchObject({ allow: false, refusal: { code: '42501' } });
    expect(gate.judgeBind('', 'ins', [], [])).toMatchObject({ allow: false, refusal: { code: '42501' } });
  });

  it('refuses several statements in one Parse, unknown statements and unknown portals', () => {
    fresh();
    expect(gate.judgeParse('', 'SELECT 1; SELECT 2')).toMatchObject({ allow: false, refusal: { code: '42601', message: 'cannot insert multiple commands into a prepared statement' } });
    expect(gate.judgeParse('', '')).toMatchObject({ allow: true, statement: { command: 'EMPTY' } });
    expect(gate.judgeBind('', 'missing', [], [])).toMatchObject({ allow: false, refusal: { code: '26000' } });
    expect(gate.judgeExecute('cursor')).toMatchObject({ allow: false, refusal: { code: '34000', message: 'portal "cursor" does not exist' } });
  });

  it('allows a fast-path function call (any function, by OID) only with unsafe, which admin does not imply', () => {
    fresh();
    access.allowed = new Set(['read', 'write', 'ddl', 'admin']);
    expect(gate.judgeFunctionCall(1598)).toMatchObject({ allow: false, action: 'unsafe', refusal: { code: '42501' } });
    access.allowed.add('unsafe');
    expect(gate.judgeFunctionCall(1598)).toMatchObject({ allow: true, statement: { action: 'unsafe', info: { command: 'FUNCTION CALL' } } });
  });
});

describe('StatementGate: session expiry', () => {
  it('lasts as long as the longest-lived allowed action, and is lost when none is left', () => {
    fresh();
    access.allowed = new Set(['read', 'write']);
    access.expiries = { read: 5000, write: 9000 };
    expect(gate.sessionExpiry()).toEqual({ expiresAt: 9000 });
    access.allowed = new Set();
    expect(gate.sessionExpiry()).toMatchObject({ lost: { reason: 'DENY_NO_GRANT' } });
  });
});
