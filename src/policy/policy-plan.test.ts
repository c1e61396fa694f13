import { describe, expect, it } from 'vitest';
import { formatPlan, planPolicy, type PlanChange, type PlanChangeKind } from './policy-plan.ts';
import type { CompiledPolicy, ContractorRecord, FileContractor, LoadedPolicy, RunningState } from './policy-types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-01T00:00:00Z');
/** `until: 2027-03-31` in the files: through that day, UTC. */
const UNTIL = Date.parse('2027-04-01T00:00:00Z');
const OLD_DIGEST = 'a'.repeat(64);
const NEW_DIGEST = 'b'.repeat(64);

const contractor = (email: string, roles: readonly string[], extra: Partial<FileContractor> = {}): FileContractor => ({
  email,
  name: email.slice(0, email.indexOf('@')),
  company: 'Vendor',
  sponsor: 'ops@corp.example',
  roles,
  untilAt: UNTIL,
  ...extra,
});

const BASE: CompiledPolicy = {
  settings: { contractorsOwner: 'files', inviteTtlMs: 72 * HOUR, tokenTtlMs: 30 * DAY, defaultEngagementMs: 30 * DAY },
  resources: [
    {
      name: 'demo',
      kind: 'postgres',
      labels: { env: 'dev' },
      address: '127.0.0.1:5432',
      database: 'postgres',
      credentials: { user: 'postgres', password: 'env:DEMO_PG_PASSWORD' },
    },
    { name: 'reporting', kind: 'postgres', labels: { env: 'dev' }, address: '10.0.0.9:5432' },
  ],
  roles: [
    { name: 'readonly', grants: [{ resources: { labels: { env: 'dev' } }, actions: ['read'] }], denies: [], maxSessionMs: null },
    { name: 'readwrite', grants: [{ resources: { names: ['demo'] }, actions: ['read', 'write'] }], denies: [], maxSessionMs: 8 * HOUR },
  ],
  contractors: [contractor('alice@vendor.example', ['readonly', 'readwrite']), contractor('bob@vendor.example', ['readonly'])],
  staff: [{ email: 'ops@corp.example', roles: ['admin'], groups: ['dba'] }],
};

const loaded = (compiled: CompiledPolicy): LoadedPolicy => ({ compiled, digest: NEW_DIGEST, files: [], warnings: [] });

const record = (fc: FileContractor, extra: Partial<ContractorRecord> = {}): ContractorRecord => ({
  ...fc,
  source: 'files',
  status: 'active',
  createdAt: NOW - DAY,
  updatedAt: NOW - DAY,
  offboardedAt: null,
  ...extra,
});

/** The server after BASE was applied. */
const RUNNING: RunningState = { applied: { digest: OLD_DIGEST, compiled: BASE }, contractors: BASE.contractors.map((c) => record(c)) };

const edit = (patch: Partial<CompiledPolicy>): CompiledPolicy => ({ ...BASE, ...patch });
const only = (changes: readonly PlanChange[], kinds: readonly PlanChangeKind[]): PlanChange[] => changes.filter((c) => kinds.includes(c.kind));
const edits = (changes: readonly PlanChange[]): PlanChange[] => changes.filter((c) => !c.kind.startsWith('access.'));
const [demo, reporting] = BASE.resources as [CompiledPolicy['resources'][number], CompiledPolicy['resources'][number]];
const [readonlyRole, readwriteRole] = BASE.roles as [CompiledPolicy['roles'][number], CompiledPolicy['roles'][number]];

describe('planPolicy', () => {
  it('adds everything on an empty server', () => {
    const plan = planPolicy(loaded(BASE), { applied: null, contractors: [] }, NOW);
    expect(plan.digest).toBe(NEW_DIGEST);
    expect(plan.previousDigest).toBeNull();
    expect(plan.hasChanges).toBe(true);
    expect(plan.changes.map((c) => `${c.kind} ${c.subject}`)).toEqual([
      'settings.changed settings',
      'resource.added demo',
      'resource.added reporting',
      'role.added readonly',
      'role.added readwrite',
      'staff.added ops@corp.example',
      'contractor.added alice@vendor.example',
      'contractor.added bob@vendor.example',
      'access.gained alice@vendor.example',
      'access.gained alice@vendor.example',
      'access.gained bob@vendor.example',
    ]);
    expect(plan.changes.map((c) => c.text)).toEqual([
      'settings: contractors owned by files; invite_ttl 3d; token_ttl 30d; default_engagement 30d; request_ttl 1h',
      'resource demo: postgres at 127.0.0.1:5432, database postgres, labels env=dev',
      'resource reporting: postgres at 10.0.0.9:5432, labels env=dev',
      'role readonly: grants read on env=dev',
      'role readwrite: grants read, write on demo; max_session 8h',
      'staff ops@corp.example: admin (groups dba)',
      'contractor alice@vendor.example: alice (Vendor), sponsor ops@corp.example, roles readonly, readwrite, until 2027-03-31',
      'contractor bob@vendor.example: bob (Vendor), sponsor ops@corp.example, roles readonly, until 2027-03-31',
      'alice@vendor.example gains read on demo, reporting',
      'alice@vendor.example gains write on demo',
      'bob@vendor.example gains read on demo, reporting',
    ]);
    expect(plan.contractorWrites).toEqual({ upsert: BASE.contractors, remove: [] });
  });

  it('reports no changes when the running state matches', () => {
    const plan = planPolicy({ ...loaded(BASE), digest: OLD_DIGEST }, RUNNING, NOW);
    expect(plan).toEqual({ digest: OLD_DIGEST, previousDigest: OLD_DIGEST, changes: [], hasChanges: false, contractorWrites: { upsert: [], remove: [] } });
    expect(formatPlan(plan)).toBe('No changes. The running state matches the files.\n');
  });

  const EDITS: readonly (readonly [string, CompiledPolicy, readonly PlanChange[]])[] = [
    [
      'settings changed',
      edit({ settings: { ...BASE.settings, inviteTtlMs: 48 * HOUR, tokenTtlMs: 7 * DAY } }),
      [{ kind: 'settings.changed', subject: 'settings', text: 'settings: invite_ttl 3d → 2d; token_ttl 30d → 7d' }],
    ],
    [
      'resource added',
      edit({ resources: [...BASE.resources, { name: 'audit', kind: 'postgres', labels: {}, address: '10.0.0.7:5432' }] }),
      [{ kind: 'resource.added', subject: 'audit', text: 'resource audit: postgres at 10.0.0.7:5432' }],
    ],
    ['resource removed', edit({ resources: [demo] }), [{ kind: 'resource.removed', subject: 'reporting', text: 'resource reporting' }]],
    [
      'resource address and database changed',
      edit({ resources: [{ ...demo, address: '10.0.0.5:5432', database: 'app' }, reporting] }),
      [{ kind: 'resource.changed', subject: 'demo', text: 'resource demo: address 127.0.0.1:5432 → 10.0.0.5:5432; database postgres → app' }],
    ],
    [
      'resource labels changed',
      edit({ resources: [demo, { ...reporting, labels: { env: 'prod', tier: 'gold' } }] }),
      [{ kind: 'resource.changed', subject: 'reporting', text: 'resource reporting: label env: dev → prod; label tier=gold added' }],
    ],
    [
      'resource credentials changed: only the reference is mentioned',
      edit({ resources: [{ ...demo, credentials: { user: 'postgres', password: 'file:/run/secrets/demo' } }, reporting] }),
      [{ kind: 'resource.changed', subject: 'demo', text: 'resource demo: credentials reference changed' }],
    ],
    [
      'role added',
      edit({ roles: [...BASE.roles, { name: 'auditor', grants: [], denies: [{ resources: { names: ['demo'] }, actions: ['ddl', 'write'] }], maxSessionMs: null }] }),
      [{ kind: 'role.added', subject: 'auditor', text: 'role auditor: denies write, ddl on demo' }],
    ],
    ['role removed', edit({ roles: [readonlyRole] }), [{ kind: 'role.removed', subject: 'readwrite', text: 'role readwrite' }]],
    [
      'role grants, denies and max_session changed',
      edit({
        roles: [
          readonlyRole,
          {
            ...readwriteRole,
            grants: [{ resources: { names: ['demo'] }, actions: ['read'] }],
            denies: [{ resources: { labels: { env: 'prod' } }, actions: ['admin'] }],
            maxSessionMs: null,
          },
        ],
      }),
      [
        {
          kind: 'role.changed',
          subject: 'readwrite',
          text: 'role readwrite: grants changed (added read on demo; removed read, write on demo); denies changed (added admin on env=prod); max_session 8h → unlimited',
        },
      ],
    ],
    [
      'role gains a rule',
      edit({ roles: [{ ...readonlyRole, grants: [{ resources: { names: ['demo'] }, actions: ['read'] }, ...readonlyRole.grants] }, readwriteRole] }),
      [{ kind: 'role.changed', subject: 'readonly', text: 'role readonly: grants changed (added read on demo)' }],
    ],
    [
      'staff added',
      edit({ staff: [...BASE.staff, { email: 'amy@corp.example', roles: ['approver', 'auditor'], groups: [] }] }),
      [{ kind: 'staff.added', subject: 'amy@corp.example', text: 'staff amy@corp.example: approver, auditor' }],
    ],
    ['staff removed', edit({ staff: [] }), [{ kind: 'staff.removed', subject: 'ops@corp.example', text: 'staff ops@corp.example' }]],
    [
      'staff changed',
      edit({ staff: [{ email: 'ops@corp.example', roles: ['auditor', 'admin'], groups: [] }] }),
      [{ kind: 'staff.changed', subject: 'ops@corp.example', text: 'staff ops@corp.example: roles admin → admin, auditor; groups dba → (none)' }],
    ],
    [
      'contractor changed',
      edit({ contractors: [BASE.contractors[0]!, contractor('bob@vendor.example', ['readonly'], { company: 'Other', untilAt: UNTIL + 30 * DAY })] }),
      [{ kind: 'contractor.changed', subject: 'bob@vendor.example', text: 'contractor bob@vendor.example: company Vendor → Other; until 2027-03-31 → 2027-04-30' }],
    ],
    [
      'contractor removed from the files',
      edit({ contractors: [BASE.contractors[0]!] }),
      [{ kind: 'contractor.removed', subject: 'bob@vendor.example', text: 'contractor bob@vendor.example: no longer in the files, so apply removes them' }],
    ],
  ];

  it.each(EDITS)('%s', (_name, desired, expected) => {
    const plan = planPolicy(loaded(desired), RUNNING, NOW);
    expect(edits(plan.changes)).toEqual(expected);
    expect(plan.previousDigest).toBe(OLD_DIGEST);
    expect(plan.hasChanges).toBe(true);
  });

  it('says when rules were only reordered', () => {
    const rules = [{ resources: { names: ['demo'] }, actions: ['read'] }, ...readonlyRole.grants] as const;
    const before = edit({ roles: [{ ...readonlyRole, grants: rules }, readwriteRole] });
    const after = edit({ roles: [{ ...readonlyRole, grants: [...rules].reverse() }, readwriteRole] });
    const plan = planPolicy(loaded(after), { ...RUNNING, applied: { digest: OLD_DIGEST, compiled: before } }, NOW);
    expect(plan.changes).toEqual([{ kind: 'role.changed', subject: 'readonly', text: 'role readonly: entries reordered, no effect on access' }]);
  });

  it('never shows secret references', () => {
    const desired = edit({ resources: [{ ...demo, credentials: { user: 'app', password: 'env:OTHER_SECRET' } }, reporting] });
    const text = formatPlan(planPolicy(loaded(desired), RUNNING, NOW));
    expect(text).not.toMatch(/OTHER_SECRET|DEMO_PG_PASSWORD|env:/);
    expect(text).toContain('credentials reference changed');
  });
});

describe('planPolicy: who owns contractors', () => {
  const carol = contractor('carol@x.example', ['readonly']);

  it('removes an API contractor as drift when the files own contractors', () => {
    const plan = planPolicy(loaded(BASE), { ...RUNNING, contractors: [...RUNNING.contractors, record(carol, { source: 'api' })] }, NOW);
    expect(plan.changes).toEqual([
      {
        kind: 'contractor.removed',
        subject: 'carol@x.example',
        text: 'contractor carol@x.example was added through the API; contractors are owned by the files, so apply removes them',
      },
      { kind: 'access.lost', subject: 'carol@x.example', text: 'carol@x.example loses read on demo, reporting' },
    ]);
    expect(plan.contractorWrites).toEqual({ upsert: [], remove: ['carol@x.example'] });
  });

  it('leaves an API contractor alone when the API owns contractors', () => {
    const desired = edit({ settings: { ...BASE.settings, contractorsOwner: 'api' } });
    const running: RunningState = {
      applied: { digest: OLD_DIGEST, compiled: desired },
      contractors: [...RUNNING.contractors, record(carol, { source: 'api' })],
    };
    const plan = planPolicy({ ...loaded(desired), digest: OLD_DIGEST }, running, NOW);
    expect(plan.changes).toEqual([]);
    expect(plan.contractorWrites).toEqual({ upsert: [], remove: [] });
  });

  it('still removes a files contractor missing from the files when the API owns contractors', () => {
    const desired = edit({ settings: { ...BASE.settings, contractorsOwner: 'api' }, contractors: [BASE.contractors[0]!] });
    const plan = planPolicy(loaded(desired), RUNNING, NOW);
    expect(plan.contractorWrites.remove).toEqual(['bob@vendor.example']);
  });

  it('takes over an API contractor the files declare', () => {
    const desired = edit({ contractors: [...BASE.contractors, carol] });
    const plan = planPolicy(loaded(desired), { ...RUNNING, contractors: [...RUNNING.contractors, record({ ...carol, roles: ['readwrite'] }, { source: 'api' })] }, NOW);
    expect(edits(plan.changes)).toEqual([
      {
        kind: 'contractor.changed',
        subject: 'carol@x.example',
        text: 'contractor carol@x.example: added through the API, now owned by the files; roles readwrite → readonly',
      },
    ]);
    expect(plan.contractorWrites).toEqual({ upsert: [carol], remove: [] });
    expect(only(plan.changes, ['access.gained', 'access.lost']).map((c) => c.text)).toEqual([
      'carol@x.example gains read on reporting',
      'carol@x.example loses write on demo',
    ]);
  });

  it('takes over an API contractor even when nothing else differs', () => {
    const desired = edit({ contractors: [...BASE.contractors, carol] });
    const plan = planPolicy(loaded(desired), { ...RUNNING, contractors: [...RUNNING.contractors, record(carol, { source: 'api' })] }, NOW);
    expect(plan.changes.map((c) => c.text)).toEqual(['contractor carol@x.example: added through the API, now owned by the files']);
    expect(plan.contractorWrites.upsert).toEqual([carol]);
  });

  it('ignores offboarded records unless the files declare them again', () => {
    const offboarded = record(carol, { status: 'offboarded', offboardedAt: NOW - HOUR });
    const ignored = planPolicy(loaded(BASE), { ...RUNNING, contractors: [...RUNNING.contractors, offboarded] }, NOW);
    expect(ignored.changes).toEqual([]);

    const again = planPolicy(loaded(edit({ contractors: [...BASE.contractors, carol] })), { ...RUNNING, contractors: [...RUNNING.contractors, offboarded] }, NOW);
    expect(again.changes.map((c) => `${c.kind}: ${c.text}`)).toEqual([
      'contractor.added: contractor carol@x.example: declared again after offboarding; carol (Vendor), sponsor ops@corp.example, roles readonly, until 2027-03-31',
      'access.gained: carol@x.example gains read on demo, reporting',
    ]);
    expect(again.contractorWrites.upsert).toEqual([carol]);
  });

  it('keeps a contractor offboarded while still declared until the files change their end', () => {
    // Alice was offboarded (by hand or at her engagement end) while BASE, which declares her, was in force.
    const contractors = RUNNING.contractors.map((r) => (r.email === 'alice@vendor.example' ? { ...r, status: 'offboarded' as const, offboardedAt: NOW - HOUR } : r));
    const unchanged = planPolicy(loaded(BASE), { ...RUNNING, contractors }, NOW);
    expect(unchanged.changes).toEqual([]);
    expect(unchanged.contractorWrites.upsert).toEqual([]);

    const extended = contractor('alice@vendor.example', ['readonly', 'readwrite'], { untilAt: UNTIL + 30 * DAY });
    const again = planPolicy(loaded(edit({ contractors: [extended, BASE.contractors[1]!] })), { ...RUNNING, contractors }, NOW);
    expect(again.changes.map((c) => c.kind)).toContain('contractor.added');
    expect(again.contractorWrites.upsert).toEqual([extended]);
  });
});

describe('planPolicy: access consequences', () => {
  it('shows actions a role change adds and removes', () => {
    const desired = edit({ roles: [readonlyRole, { ...readwriteRole, grants: [{ resources: { names: ['demo', 'reporting'] }, actions: ['read', 'ddl'] }] }] });
    const plan = planPolicy(loaded(desired), RUNNING, NOW);
    expect(only(plan.changes, ['access.gained', 'access.lost']).map((c) => c.text)).toEqual([
      'alice@vendor.example gains ddl on demo, reporting',
      'alice@vendor.example loses write on demo',
    ]);
  });

  it('shows a resource leaving a label selector', () => {
    const desired = edit({ resources: [demo, { ...reporting, labels: { env: 'prod' } }] });
    const plan = planPolicy(loaded(desired), RUNNING, NOW);
    expect(only(plan.changes, ['access.gained', 'access.lost'])).toEqual([
      { kind: 'access.lost', subject: 'alice@vendor.example', text: 'alice@vendor.example loses read on reporting' },
      { kind: 'access.lost', subject: 'bob@vendor.example', text: 'bob@vendor.example loses read on reporting' },
    ]);
  });

  it('shows a deny rule taking access away', () => {
    const desired = edit({ roles: [{ ...readonlyRole, denies: [{ resources: { names: ['demo'] }, actions: ['write'] }] }, readwriteRole] });
    const plan = planPolicy(loaded(desired), RUNNING, NOW);
    expect(only(plan.changes, ['access.lost']).map((c) => c.text)).toEqual(['alice@vendor.example loses write on demo']);
  });

  it('shows nothing for a contractor whose engagement already ended', () => {
    const ended = edit({ contractors: [BASE.contractors[0]!, contractor('bob@vendor.example', ['readonly', 'readwrite'], { untilAt: NOW })] });
    const running: RunningState = { ...RUNNING, contractors: [record(BASE.contractors[0]!), record(contractor('bob@vendor.example', ['readonly'], { untilAt: NOW }))] };
    const plan = planPolicy(loaded(ended), running, NOW);
    expect(plan.changes.map((c) => c.kind)).toEqual(['contractor.changed']);
  });
});

describe('planPolicy: determinism', () => {
  const reversed: CompiledPolicy = {
    ...BASE,
    resources: [...BASE.resources].reverse(),
    roles: [...BASE.roles].reverse(),
    contractors: [...BASE.contractors, contractor('aaron@vendor.example', ['readwrite'])].reverse(),
  };
  const forward: CompiledPolicy = { ...BASE, contractors: [...BASE.contractors, contractor('aaron@vendor.example', ['readwrite'])] };

  it('gives the same plan whatever the input order', () => {
    const a = planPolicy(loaded(forward), { applied: null, contractors: [] }, NOW);
    const b = planPolicy(loaded(reversed), { applied: null, contractors: [] }, NOW);
    expect(b).toEqual(a);
    const subjects = a.changes.filter((c) => c.kind === 'contractor.added').map((c) => c.subject);
    expect(subjects).toEqual(['aaron@vendor.example', 'alice@vendor.example', 'bob@vendor.example']);
    expect(a.contractorWrites.upsert.map((c) => c.email)).toEqual(subjects);
  });

  it('formats with markers and a summary line', () => {
    const desired = edit({
      resources: [{ ...demo, address: '10.0.0.5:5432' }, { name: 'audit', kind: 'postgres', labels: { env: 'dev' }, address: '10.0.0.7:5432' }],
      contractors: [BASE.contractors[0]!],
    });
    expect(formatPlan(planPolicy(loaded(desired), RUNNING, NOW))).toBe(
      [
        `Policy ${NEW_DIGEST.slice(0, 12)} (running ${OLD_DIGEST.slice(0, 12)})`,
        '',
        '  + resource audit: postgres at 10.0.0.7:5432, labels env=dev',
        '  ~ resource demo: address 127.0.0.1:5432 → 10.0.0.5:5432',
        '  - resource reporting',
        '  - contractor bob@vendor.example: no longer in the files, so apply removes them',
        '',
        'Access after apply:',
        '  + alice@vendor.example gains read on audit',
        '  - alice@vendor.example loses read on reporting',
        '  - bob@vendor.example loses read on demo, reporting',
        '',
        '4 changes: 1 to add, 1 to change, 2 to remove; access: 1 gained, 2 lost.',
        '',
      ].join('\n'),
    );
  });
});
