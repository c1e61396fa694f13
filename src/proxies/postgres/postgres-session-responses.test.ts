import { describe, expect, it } from 'vitest';
import { NO_OBLIGATIONS } from '../../access/decision.ts';
import type { StatementInfo } from '../../sql/sql-types.ts';
import { unknownPortal } from './postgres-errors.ts';
import type { RunningStatement } from './postgres-session-audit.ts';
import { ProtocolDesync, ResponseTracker } from './postgres-session-responses.ts';
import { StatementGate, type QueryStatement } from './postgres-statement-gate.ts';
import {
  BackendFramer,
  commandComplete,
  dataRow,
  emptyQueryResponse,
  errorResponse,
  parseErrorFields,
  readyForQuery,
  type BackendFrame,
  type TransactionStatus,
} from './postgres-wire.ts';
import { MessageWriter } from './postgres-wire-writer.ts';

const info = (text: string, cls: StatementInfo['class'] = 'read'): StatementInfo => ({ class: cls, command: text.split(' ')[0]!, tablesRead: [], tablesWritten: [], functions: [], text });
const running = (text: string): RunningStatement => ({ info: info(text), action: 'read', startedAt: 0, allowedSeq: 1 });
const frame = (bytes: Buffer): BackendFrame => new BackendFramer().push(bytes)[0]!;
const empty = (type: string): BackendFrame => frame(new MessageWriter().build(type));
const error = (code: string, severity = 'ERROR'): BackendFrame => frame(errorResponse({ severity, code, message: `error ${code}` }));
const ready = (status: TransactionStatus = 'I'): BackendFrame => frame(readyForQuery(status));
const complete = (tag: string): BackendFrame => frame(commandComplete(tag));
const copyIn = (): BackendFrame => frame(new MessageWriter().byte(0).uint16(0).build('G'));

function setup(): { tracker: ResponseTracker; gate: StatementGate; outcomes: string[] } {
  const gate = new StatementGate({
    access: { decide: () => ({ allow: true, reason: 'ALLOW_ROLE', message: 'ok', obligations: NO_OBLIGATIONS, expiresAt: 1 }) },
    identity: { email: 'a@x.example', tokenExpiresAt: null },
    resource: 'demo',
  });
  const outcomes: string[] = [];
  const tracker = new ResponseTracker({
    gate,
    status: 'I',
    hooks: {
      completed: (r, o) => outcomes.push(`ok ${r.info.text}: ${o.tag}${o.suspended === true ? ' (suspended)' : ''}`),
      failed: (r, f) => outcomes.push(`${f.executed ? 'failed' : 'not run'} ${r.info.text}: ${f.sqlstate ?? '-'}`),
    },
  });
  return { tracker, gate, outcomes };
}

function queryRuns(...texts: string[]): { statement: QueryStatement; running: RunningStatement }[] {
  return texts.map((text) => ({ statement: { info: info(text), action: 'read', decision: { allow: true, reason: 'ALLOW_ROLE', message: '', obligations: NO_OBLIGATIONS, expiresAt: 1 } }, running: running(text) }));
}

describe('ResponseTracker', () => {
  it('settles a simple query statement by statement, and marks what never ran after an error', () => {
    const { tracker, outcomes } = setup();
    tracker.expect({ kind: 'query', statements: queryRuns('SELECT 1', 'SELECT 2', 'SELECT 3'), next: 0, failed: false });
    expect(tracker.busy).toBe(true);
    for (const f of [frame(dataRow([Buffer.from('1')])), complete('SELECT 1'), error('22012'), ready('I')]) tracker.handle(f);
    expect(outcomes).toEqual(['ok SELECT 1: SELECT 1', 'failed SELECT 2: 22012', 'not run SELECT 3: -']);
    expect(tracker.busy).toBe(false);
  });

  it('replaces the error of a substituted statement with the refusal, in its place', () => {
    const { tracker } = setup();
    const refusal = unknownPortal('c1');
    tracker.expect({ kind: 'substitute', refusal, extended: true });
    tracker.syncForwarded();
    const replaced = tracker.handle(error('42601'));
    expect(parseErrorFields(frame(replaced))).toMatchObject({ code: '34000', message: 'portal "c1" does not exist' });
    tracker.handle(ready('I'));
    expect(tracker.busy).toBe(false);
  });

  it('skips to Sync after an extended-protocol error, abandoning what was pending', () => {
    const { tracker, gate, outcomes } = setup();
    const pending = gate.statements.propose('s1', info('SELECT 1'));
    tracker.expect({ kind: 'parse', pending });
    tracker.expect({ kind: 'execute', running: running('SELECT 1') });
    tracker.syncForwarded();
    tracker.handle(error('42P01'));
    expect(outcomes).toEqual(['not run SELECT 1: 42P01']);
    expect(gate.statements.lookup('s1')).toBeUndefined();
    tracker.handle(ready('I'));

    // With no Sync queued yet, the client's next messages are to be dropped until it sends one.
    tracker.expect({ kind: 'execute', running: running('SELECT 2') });
    tracker.handle(error('57014'));
    expect(outcomes.at(-1)).toBe('failed SELECT 2: 57014');
    expect(tracker.skippingToSync).toBe(true);
    tracker.syncForwarded();
    expect(tracker.skippingToSync).toBe(false);
    tracker.handle(ready('I'));
  });

  it('confirms names on ParseComplete, BindComplete and CloseComplete, and forgets portals at the end of a transaction', () => {
    const { tracker, gate } = setup();
    tracker.expect({ kind: 'parse', pending: gate.statements.propose('s', info('SELECT 1')) });
    tracker.expect({ kind: 'bind', pending: gate.portals.propose('p', { class: 'read', statementName: 's', statement: info('SELECT 1'), params: [], paramFormats: [] }) });
    tracker.expect({ kind: 'execute', running: running('SELECT 1') });
    tracker.syncForwarded();
    for (const f of [empty('1'), empty('2'), empty('s')]) tracker.handle(f);
    expect(gate.statements.size).toBe(1);
    expect(gate.portals.size).toBe(1);
    tracker.handle(ready('T'));
    expect(gate.portals.size).toBe(1);
    tracker.expect({ kind: 'close', target: 'S', name: 's' });
    tracker.syncForwarded();
    tracker.handle(empty('3'));
    tracker.handle(ready('I'));
    expect(gate.statements.size).toBe(0);
    expect(gate.portals.size).toBe(0);
    expect(tracker.transactionStatus).toBe('I');
  });

  it('confirms PREPARE and DEALLOCATE from their command tags', () => {
    const { tracker, gate } = setup();
    const [prepare, deallocate] = queryRuns('PREPARE p AS SELECT 1', 'DEALLOCATE q');
    const handle = gate.statements.propose('p', info('PREPARE p AS SELECT 1'));
    gate.statements.commit(gate.statements.propose('q', info('PREPARE q AS SELECT 2')));
    tracker.expect({
      kind: 'query',
      statements: [
        { ...prepare!, statement: { ...prepare!.statement, prepare: handle } },
        { ...deallocate!, statement: { ...deallocate!.statement, deallocate: 'q' } },
      ],
      next: 0,
      failed: false,
    });
    for (const f of [complete('PREPARE'), complete('DEALLOCATE'), ready()]) tracker.handle(f);
    expect(gate.statements.lookup('p')).toMatchObject({ text: 'PREPARE p AS SELECT 1' });
    expect(gate.statements.lookup('q')).toBeUndefined();
  });

  it('knows the server ignores Sync during COPY FROM STDIN', () => {
    const { tracker, outcomes } = setup();
    tracker.expect({ kind: 'execute', running: running('COPY t FROM STDIN') });
    tracker.syncForwarded();
    tracker.handle(copyIn());
    expect(tracker.clientInCopy).toBe(true);
    tracker.copyEndForwarded();
    expect(tracker.clientInCopy).toBe(false);
    tracker.handle(complete('COPY 3'));
    expect(outcomes).toEqual(['ok COPY t FROM STDIN: COPY 3']);
    // The pipelined Sync was consumed by the copy; ReadyForQuery answers the client's next one.
    expect(() => tracker.handle(ready())).toThrow(ProtocolDesync);
  });

  it('treats answers the model cannot place as a desync', () => {
    const { tracker } = setup();
    expect(() => tracker.handle(empty('1'))).toThrow(ProtocolDesync);
    expect(() => tracker.handle(ready())).toThrow(ProtocolDesync);
    expect(() => tracker.handle(frame(emptyQueryResponse()))).toThrow(ProtocolDesync);
    tracker.expect({ kind: 'execute', running: running('COPY t FROM STDIN') });
    tracker.expect({ kind: 'parse', pending: { name: '', settled: false } });
    expect(() => tracker.handle(copyIn())).toThrow(/pipelined into COPY/);
  });

  it('relays notices, notifications and a FATAL from the server untouched', () => {
    const { tracker } = setup();
    const fatal = error('57P01', 'FATAL');
    expect(tracker.handle(fatal)).toBe(fatal.raw);
    expect(tracker.upstreamSentFatal).toBe(true);
  });
});
