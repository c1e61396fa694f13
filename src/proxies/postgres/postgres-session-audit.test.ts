import { describe, expect, it } from 'vitest';
import { NO_OBLIGATIONS } from '../../access/decision.ts';
import { AUDIT_PARAM_BYTES, AUDIT_PARAM_COUNT, AUDIT_TEXT_BYTES, auditParams, auditText, statementAllowedEvent } from './postgres-session-audit.ts';

describe('statement audit records', () => {
  it('keeps short texts whole and cuts long ones with their length and hash', () => {
    expect(auditText('SELECT 1')).toEqual({ text: 'SELECT 1' });
    const long = `SELECT '${'é'.repeat(AUDIT_TEXT_BYTES)}'`;
    const cut = auditText(long);
    expect(cut).toMatchObject({ textTruncated: true, textBytes: Buffer.byteLength(long) });
    expect(Buffer.byteLength(cut.text as string)).toBeLessThanOrEqual(AUDIT_TEXT_BYTES);
    expect(long.startsWith(cut.text as string)).toBe(true);
    expect(cut.textSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records text parameters as text, binary ones as base64 or their size, and NULL as null', () => {
    const big = Buffer.alloc(AUDIT_PARAM_BYTES + 1, 1);
    expect(auditParams({ params: [Buffer.from('abc'), null, Buffer.from([1, 2]), big], paramFormats: [0, 0, 1, 1] })).toEqual({
      params: ['abc', null, { base64: 'AQI=' }, `<binary ${big.length} bytes>`],
    });
    expect(auditParams({ params: [Buffer.from([255])], paramFormats: [1] })).toEqual({ params: [{ base64: '/w==' }] });
    const text = auditParams({ params: [Buffer.from('x'.repeat(AUDIT_PARAM_BYTES + 10))], paramFormats: [] });
    expect(text.params).toEqual([`${'x'.repeat(AUDIT_PARAM_BYTES)}…[${AUDIT_PARAM_BYTES + 10} bytes]`]);
    const many = auditParams({ params: Array.from({ length: AUDIT_PARAM_COUNT + 5 }, () => Buffer.from('1')), paramFormats: [] });
    expect(many.params).toHaveLength(AUDIT_PARAM_COUNT);
    expect(many.paramCount).toBe(AUDIT_PARAM_COUNT + 5);
  });

  it('carries the classification, the decision reason and what an EXECUTE runs', () => {
    const event = statementAllowedEvent(
      { sessionId: 'ses_1', email: 'a@x.example', resource: 'demo' },
      {
        info: { class: 'read', command: 'EXECUTE', tablesRead: [], tablesWritten: [], functions: [], text: 'EXECUTE p', executes: 'p' },
        action: 'write',
        decision: { allow: true, reason: 'ALLOW_GRANT', message: '', obligations: NO_OBLIGATIONS, expiresAt: 1 },
        runs: { class: 'write', command: 'PREPARE', tablesRead: [], tablesWritten: ['t'], functions: [], text: 'PREPARE p AS DELETE FROM t', prepares: 'p' },
      },
      { via: 'simple', index: 0, of: 1 },
    );
    expect(event).toMatchObject({
      code: 'STATEMENT_ALLOWED',
      actor: 'a@x.example',
      resource: 'demo',
      subject: 'ses_1',
      summary: 'a@x.example ran EXECUTE (write) on demo: EXECUTE p → PREPARE p AS DELETE FROM t',
      data: { session: 'ses_1', class: 'write', statementClass: 'read', text: 'EXECUTE p', executes: { class: 'write', text: 'PREPARE p AS DELETE FROM t' }, reason: 'ALLOW_GRANT', index: 0, of: 1 },
    });
  });
});
