import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_SETTINGS, compilePolicy } from './policy-compile.ts';
import type { PolicyDocument } from './policy-schema.ts';

describe('compilePolicy', () => {
  it('fills in default settings', () => {
    expect(compilePolicy([{ version: 1 }]).settings).toEqual({
      contractorsOwner: 'files',
      inviteTtlMs: 72 * 3_600_000,
      tokenTtlMs: 30 * 86_400_000,
      defaultEngagementMs: 30 * 86_400_000,
      requestTtlMs: 3_600_000,
    });
    expect(compilePolicy([{ version: 1, settings: { token_ttl: '7d' } }]).settings).toEqual({ ...DEFAULT_POLICY_SETTINGS, tokenTtlMs: 7 * 86_400_000 });
  });

  it('maps deny to denies and max_session to maxSessionMs, normalising rules', () => {
    const document: PolicyDocument = {
      version: 1,
      resources: { demo: { kind: 'postgres', address: 'h:1' } },
      roles: {
        ops: {
          grants: [
            { resources: { names: ['demo', 'demo'] }, actions: ['admin', 'read', 'read'] },
            { resources: { names: ['demo'] }, actions: ['read', 'admin'] },
          ],
          deny: [{ resources: { labels: { env: 'prod' } }, actions: ['ddl'] }],
          max_session: '1h30m',
        },
        plain: { grants: [{ resources: { labels: { env: 'dev' } }, actions: ['read'] }] },
      },
    };
    const compiled = compilePolicy([document]);
    expect(compiled.roles).toEqual([
      { name: 'ops', grants: [{ resources: { names: ['demo'] }, actions: ['read', 'admin'] }], denies: [{ resources: { labels: { env: 'prod' } }, actions: ['ddl'] }], maxSessionMs: 5_400_000 },
      { name: 'plain', grants: [{ resources: { labels: { env: 'dev' } }, actions: ['read'] }], denies: [], maxSessionMs: null },
    ]);
    expect(compiled.resources).toEqual([{ name: 'demo', kind: 'postgres', address: 'h:1', labels: {} }]);
  });

  it('lower-cases emails, reads engagement ends as exclusive instants and sorts people', () => {
    const compiled = compilePolicy([
      {
        version: 1,
        contractors: {
          'Zed@Vendor.example': { name: 'Zed', sponsor: 'Bob@Corp.example', roles: ['b', 'a', 'b'], until: '2027-03-31' },
          'amy@vendor.example': { name: 'Amy', company: 'Vendor', sponsor: 'bob@corp.example', roles: ['a'], until: '2027-01-15T18:00:00Z' },
        },
        staff: { 'bob@corp.example': { roles: ['auditor', 'admin'], groups: ['ops', 'dba'] } },
      },
    ]);
    expect(compiled.contractors).toEqual([
      { email: 'amy@vendor.example', name: 'Amy', company: 'Vendor', sponsor: 'bob@corp.example', roles: ['a'], untilAt: Date.parse('2027-01-15T18:00:00Z') },
      { email: 'zed@vendor.example', name: 'Zed', company: '', sponsor: 'bob@corp.example', roles: ['a', 'b'], untilAt: Date.parse('2027-04-01T00:00:00Z') },
    ]);
    expect(compiled.staff).toEqual([{ email: 'bob@corp.example', roles: ['admin', 'auditor'], groups: ['dba', 'ops'] }]);
  });
});
