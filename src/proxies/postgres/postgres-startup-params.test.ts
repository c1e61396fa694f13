import { describe, expect, it } from 'vitest';
import { ALLOWED_STARTUP_SETTINGS, parseOptions, vetStartupParams } from './postgres-startup-params.ts';

const params = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

describe('vetStartupParams', () => {
  it('takes the resource from database, or from user as PostgreSQL does, and forwards allowed settings only', () => {
    const vetted = vetStartupParams(params({ user: 'a@x.example', database: 'demo', application_name: 'psql', client_encoding: 'UTF8', DateStyle: 'ISO' }));
    expect(vetted).toEqual({
      ok: true,
      user: 'a@x.example',
      database: 'demo',
      forward: new Map([
        ['application_name', 'psql'],
        ['client_encoding', 'UTF8'],
        ['DateStyle', 'ISO'],
      ]),
      protocolOptions: [],
    });
    expect(vetStartupParams(params({ user: 'demo' }))).toMatchObject({ ok: true, database: 'demo' });
    expect(vetStartupParams(params({ user: 'demo', database: '' }))).toMatchObject({ ok: true, database: 'demo' });
  });

  it('refuses a missing user with 28000', () => {
    expect(vetStartupParams(params({ database: 'demo' }))).toMatchObject({ ok: false, code: '28000', reason: 'BAD_STARTUP_PARAMETER', database: 'demo' });
  });

  it.each([
    [{ replication: 'database' }, '42501', 'REPLICATION_REFUSED'],
    [{ replication: 'true' }, '42501', 'REPLICATION_REFUSED'],
    [{ role: 'postgres' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ session_authorization: 'postgres' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ default_transaction_read_only: 'off' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ options: '-c role=postgres' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ options: '-crole=postgres' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ options: '--session-authorization=postgres' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ options: '-c search_path=x -c ROLE=postgres' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ options: '-d 5' }, '42501', 'BAD_STARTUP_PARAMETER'],
    [{ options: '-c' }, '28000', 'BAD_STARTUP_PARAMETER'],
    [{ options: '-c search_path' }, '28000', 'BAD_STARTUP_PARAMETER'],
  ])('refuses %j', (extra, code, reason) => {
    const vetted = vetStartupParams(params({ user: 'a@x.example', database: 'demo', ...extra }));
    expect(vetted).toMatchObject({ ok: false, code, reason, database: 'demo' });
  });

  it('accepts replication turned off, and settings in options in every spelling the server accepts', () => {
    const vetted = vetStartupParams(
      params({ user: 'u', database: 'd', replication: 'false', options: '-c search_path=a,b  -cstatement_timeout=5s --lock-timeout=1s -c application_name=my\\ app', TimeZone: 'UTC' }),
    );
    expect(vetted).toMatchObject({ ok: true });
    expect(vetted.ok && [...vetted.forward]).toEqual([
      ['search_path', 'a,b'],
      ['statement_timeout', '5s'],
      ['lock_timeout', '1s'],
      ['application_name', 'my app'],
      ['TimeZone', 'UTC'],
    ]);
  });

  it('collects _pq_ protocol options instead of forwarding them', () => {
    expect(vetStartupParams(params({ user: 'u', '_pq_.compression': 'on' }))).toMatchObject({ ok: true, forward: new Map(), protocolOptions: ['_pq_.compression'] });
  });

  it('matches allowed names case-insensitively, as the server does', () => {
    expect(vetStartupParams(params({ user: 'u', datestyle: 'ISO', TIMEZONE: 'UTC' }))).toMatchObject({ ok: true });
    for (const name of ALLOWED_STARTUP_SETTINGS) expect(vetStartupParams(params({ user: 'u', [name]: 'x' })), name).toMatchObject({ ok: true });
  });
});

describe('parseOptions', () => {
  it('splits on whitespace and keeps backslash-escaped characters', () => {
    expect(parseOptions('  -c application_name=a\\ b\\\\c ')).toEqual({ settings: [['application_name', 'a b\\c']] });
    expect(parseOptions('')).toEqual({ settings: [] });
  });
});
