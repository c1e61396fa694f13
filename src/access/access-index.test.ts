import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type AccessModel, type Action, type RoleInfo } from './access-model.ts';
import { buildAccessIndex } from './access-index.ts';
import { mostGenerousBound } from './access-table.ts';
import { decide } from './decide.ts';
import { selectorMatches } from './resource-selector.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const UNTIL = T0 + 30 * 24 * HOUR;

const MODEL: AccessModel = {
  resources: [
    { name: 'reporting', kind: 'postgres', labels: { env: 'dev' } },
    { name: 'demo', kind: 'postgres', labels: { env: 'dev' } },
    { name: 'prod', kind: 'postgres', labels: { env: 'prod' } },
  ],
  roles: [
    { name: 'readonly', grants: [{ resources: { labels: { env: 'dev' } }, actions: ['read'] }], denies: [], maxSessionMs: null },
    { name: 'writer', grants: [{ resources: { names: ['demo'] }, actions: ['read', 'write'] }], denies: [], maxSessionMs: 8 * HOUR },
    { name: 'nowrite', grants: [], denies: [{ resources: { names: ['reporting'] }, actions: ['write'] }], maxSessionMs: null },
  ],
  contractors: [
    { email: 'alice@vendor.example', roles: ['readonly', 'writer'], untilAt: UNTIL, status: 'active' },
    { email: 'bob@vendor.example', roles: ['readonly', 'writer'], untilAt: UNTIL, status: 'active' },
    { email: 'carol@vendor.example', roles: ['readonly', 'nowrite'], untilAt: UNTIL, status: 'active' },
    { email: 'dave@vendor.example', roles: ['readonly'], untilAt: UNTIL, status: 'offboarded' },
    { email: 'Erin@Vendor.Example', roles: ['readonly'], untilAt: T0, status: 'active' },
  ],
  grants: [
    { id: 'g-2', email: 'alice@vendor.example', resource: 'prod', actions: ['read'], startsAt: T0, expiresAt: T0 + HOUR },
    { id: 'g-1', email: 'alice@vendor.example', resource: 'demo', actions: ['ddl', 'read'], startsAt: T0, expiresAt: T0 + HOUR },
    { id: 'g-3', email: 'carol@vendor.example', resource: 'reporting', actions: ['write'], startsAt: T0, expiresAt: T0 + HOUR },
    { id: 'g-4', email: 'alice@vendor.example', resource: 'prod', actions: ['write'], startsAt: T0 + HOUR, expiresAt: T0 + 2 * HOUR },
  ],
};

describe('buildAccessIndex', () => {
  const index = buildAccessIndex(MODEL);

  it('lists resource names sorted', () => {
    expect(index.resourceNames()).toEqual(['demo', 'prod', 'reporting']);
    expect(index.hasResource('demo')).toBe(true);
    expect(index.hasResource('Demo')).toBe(false);
  });

  it('reports effective access per resource with where it comes from', () => {
    expect(index.effectiveAccess('alice@vendor.example', T0)).toEqual([
      { resource: 'demo', actions: ['read', 'write', 'ddl'], via: ['role:readonly', 'role:writer', 'grant:g-1'] },
      { resource: 'prod', actions: ['read'], via: ['grant:g-2'] },
      { resource: 'reporting', actions: ['read'], via: ['role:readonly'] },
    ]);
  });

  it('drops grants outside their window', () => {
    expect(index.effectiveAccess('alice@vendor.example', T0 + HOUR)).toEqual([
      { resource: 'demo', actions: ['read', 'write'], via: ['role:readonly', 'role:writer'] },
      { resource: 'prod', actions: ['write'], via: ['grant:g-4'] },
      { resource: 'reporting', actions: ['read'], via: ['role:readonly'] },
    ]);
  });

  it('removes denied actions, even when a grant names them', () => {
    expect(index.effectiveAccess('carol@vendor.example', T0)).toEqual([
      { resource: 'demo', actions: ['read'], via: ['role:readonly'] },
      { resource: 'reporting', actions: ['read'], via: ['role:readonly'] },
    ]);
  });

  it('keeps one contractor’s grants out of a role set shared with another', () => {
    expect(index.effectiveAccess('bob@vendor.example', T0).map((a) => a.resource)).toEqual(['demo', 'reporting']);
    expect(decide(index, { email: 'bob@vendor.example', tokenExpiresAt: null }, 'demo', 'ddl', T0).reason).toBe('DENY_NO_GRANT');
  });

  it('gives offboarded, ended and unknown contractors nothing', () => {
    expect(index.effectiveAccess('dave@vendor.example', T0)).toEqual([]);
    expect(index.effectiveAccess('erin@vendor.example', T0)).toEqual([]);
    expect(index.effectiveAccess('erin@vendor.example', T0 - 1)).toHaveLength(2);
    expect(index.effectiveAccess('nobody@vendor.example', T0)).toEqual([]);
  });

  it('stores emails lower-cased', () => {
    expect(index.subjectEmails()).toContain('erin@vendor.example');
    expect(index.subject('ERIN@vendor.example')?.contractor.email).toBe('erin@vendor.example');
  });

  it('takes the most generous session bound', () => {
    expect(mostGenerousBound([])).toBeNull();
    expect(mostGenerousBound([HOUR, 4 * HOUR, 2 * HOUR])).toBe(4 * HOUR);
    expect(mostGenerousBound([HOUR, null])).toBeNull();
  });
});

const RESOURCE_NAMES = ['a', 'b', 'c', 'd'] as const;
const arbAction = fc.constantFrom<Action>(...ACTIONS);
const arbActions = fc.uniqueArray(arbAction, { minLength: 1, maxLength: 4 });
const arbSelector = fc.record(
  {
    names: fc.uniqueArray(fc.constantFrom(...RESOURCE_NAMES), { maxLength: 2 }),
    labels: fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('x', 'y'), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);
const arbRule = fc.record({ resources: arbSelector, actions: arbActions });
const arbRole = (name: string): fc.Arbitrary<RoleInfo> =>
  fc.record({
    name: fc.constant(name),
    grants: fc.array(arbRule, { maxLength: 3 }),
    denies: fc.array(arbRule, { maxLength: 2 }),
    maxSessionMs: fc.option(fc.constantFrom(HOUR, 2 * HOUR), { nil: null }),
  });
const arbModel: fc.Arbitrary<AccessModel> = fc.record({
  resources: fc.tuple(
    ...RESOURCE_NAMES.map((name) =>
      fc.record({
        name: fc.constant(name),
        kind: fc.constant('postgres'),
        labels: fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('x', 'y'), { maxKeys: 2 }),
      }),
    ),
  ),
  roles: fc.tuple(arbRole('r1'), arbRole('r2'), arbRole('r3')),
  contractors: fc.constant([]),
  grants: fc.array(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      email: fc.constant('alice@x.example'),
      resource: fc.constantFrom(...RESOURCE_NAMES),
      actions: arbActions,
      startsAt: fc.integer({ min: T0 - 2 * HOUR, max: T0 + 2 * HOUR }),
      expiresAt: fc.integer({ min: T0 - HOUR, max: T0 + 3 * HOUR }),
    }),
    { maxLength: 4 },
  ),
});

/** The rules written out the slow, obvious way, straight from the model. */
function naiveAllows(model: AccessModel, held: readonly string[], resource: string, action: Action, now: number): boolean {
  const info = model.resources.find((r) => r.name === resource)!;
  const covers = (rule: RoleInfo['grants'][number]): boolean => rule.actions.includes(action) && selectorMatches(rule.resources, info);
  const roles = model.roles.filter((r) => held.includes(r.name));
  if (roles.some((r) => r.denies.some(covers))) return false;
  if (roles.some((r) => r.grants.some(covers))) return true;
  return model.grants.some((g) => g.resource === resource && g.actions.includes(action) && g.startsAt <= now && now < g.expiresAt);
}

describe('effectiveAccess agrees with decide', () => {
  it('allows exactly the actions it reports, for any model', () => {
    fc.assert(
      fc.property(arbModel, fc.subarray(['r1', 'r2', 'r3', 'ghost']), fc.integer({ min: T0 - HOUR, max: T0 + 2 * HOUR }), (base, roles, now) => {
        const model: AccessModel = { ...base, contractors: [{ email: 'alice@x.example', roles, untilAt: UNTIL, status: 'active' }] };
        const index = buildAccessIndex(model);
        const effective = new Map(index.effectiveAccess('alice@x.example', now).map((a) => [a.resource, a.actions]));
        for (const resource of RESOURCE_NAMES) {
          for (const action of ACTIONS) {
            const decision = decide(index, { email: 'alice@x.example', tokenExpiresAt: null }, resource, action, now);
            expect(decision.allow, `${action} on ${resource}`).toBe(effective.get(resource)?.includes(action) ?? false);
            expect(decision.allow, `oracle: ${action} on ${resource}`).toBe(naiveAllows(model, roles, resource, action, now));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
