import { describe, expect, it } from 'vitest';
import { errorResponseFor, errorResponseForWireError, isSqlState, SQLSTATE } from './postgres-errors.ts';
import { BackendFramer, parseErrorFields, WireProtocolError } from './postgres-wire.ts';

function readBack(bytes: Buffer): ReturnType<typeof parseErrorFields> {
  const frames = new BackendFramer().push(bytes);
  expect(frames).toHaveLength(1);
  expect(frames[0]!.type).toBe('E');
  return parseErrorFields(frames[0]!);
}

describe('SQLSTATE constants', () => {
  it('are the codes PostgreSQL documents for each condition', () => {
    expect(SQLSTATE).toEqual({
      invalid_password: '28P01',
      invalid_authorization_specification: '28000',
      invalid_catalog_name: '3D000',
      insufficient_privilege: '42501',
      protocol_violation: '08P01',
      connection_failure: '08006',
      admin_shutdown: '57P01',
      query_canceled: '57014',
      feature_not_supported: '0A000',
      too_many_connections: '53300',
      read_only_sql_transaction: '25006',
      character_not_in_repertoire: '22021',
      internal_error: 'XX000',
      syntax_error: '42601',
      invalid_sql_statement_name: '26000',
      invalid_cursor_name: '34000',
    });
    for (const code of Object.values(SQLSTATE)) expect(isSqlState(code)).toBe(true);
  });
});

describe('errorResponseFor', () => {
  it('builds an ERROR by default with every field given', () => {
    const parsed = readBack(
      errorResponseFor({
        code: SQLSTATE.insufficient_privilege,
        message: 'DELETE without WHERE is blocked',
        detail: 'rule no-unbounded-delete',
        hint: 'add a WHERE clause',
      }),
    );
    expect(parsed).toMatchObject({
      severity: 'ERROR',
      localizedSeverity: 'ERROR',
      code: '42501',
      message: 'DELETE without WHERE is blocked',
      detail: 'rule no-unbounded-delete',
      hint: 'add a WHERE clause',
    });
  });

  it('builds a FATAL when asked and leaves out absent fields', () => {
    const parsed = readBack(errorResponseFor({ code: SQLSTATE.invalid_password, message: 'token rejected', fatal: true }));
    expect(parsed.severity).toBe('FATAL');
    expect([...parsed.fields.keys()]).toEqual(['S', 'V', 'C', 'M']);
  });

  it('carries a 1-based position when given, as psql expects for its caret', () => {
    const parsed = readBack(errorResponseFor({ code: SQLSTATE.syntax_error, message: 'syntax error at or near "SELEC"', position: 1 }));
    expect(parsed).toMatchObject({ severity: 'ERROR', code: '42601', message: 'syntax error at or near "SELEC"' });
    expect(parsed.fields.get('P')).toBe('1');
  });

  it.each(['', '2801', '28p01', '28P011', 'ABCD!'])('refuses the malformed SQLSTATE %j', (code) => {
    expect(() => errorResponseFor({ code, message: 'x' })).toThrow(RangeError);
  });

  it('turns a WireProtocolError into a FATAL with its SQLSTATE', () => {
    const error = new WireProtocolError('unsupported frontend protocol 2.0', SQLSTATE.feature_not_supported);
    const parsed = readBack(errorResponseForWireError(error));
    expect(parsed).toMatchObject({ severity: 'FATAL', code: '0A000', message: 'unsupported frontend protocol 2.0' });
    expect(new WireProtocolError('x').sqlstate).toBe('08P01');
  });
});
