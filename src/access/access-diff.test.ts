import { describe, expect, it } from 'vitest';
import type { AccessModel, RoleInfo } from './access-model.ts';
import { diffAccess } from './access-diff.ts';
import { buildAccessIndex } from './access-index.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const UNTIL = T0 + 86_400_000;

const reader = (labels: Record<string, string>, actions: RoleInfo['grants'][number]['actions'] = ['read']): RoleInfo => ({
  name: 'reader',
  grants: [{ resources: { labels }, actions }],
  denies: [],
  maxSessionMs: null,
});

const model = (role: RoleInfo, demoEnv = 'dev', emails = ['bob@x.example', 'alice@x.example']): AccessModel => ({
  resources: [
    { name: 'reporting', kind: 'postgres', labels: { env: 'dev' } },
    { name: 'demo', kind: 'postgres', labels: { env: demoEnv } },
  ],
  roles: [role],
  contractors: emails.map((email) => ({ email, roles: ['reader'], untilAt: UNTIL, status: 'active' as const })),
  grants: [],
});

describe('diffAccess', () => {
  it('reports nothing when access is the same', () => {
    expect(diffAccess(buildAccessIndex(model(reader({ env: 'dev' }))), buildAccessIndex(model(reader({ env: 'dev' }))), T0)).toEqual([]);
  });

  it('groups resources per action, gains before losses, by email', () => {
    const before = buildAccessIndex(model(reader({ env: 'dev' })));
    const after = buildAccessIndex(model(reader({ env: 'dev' }, ['write'])));
    expect(diffAccess(before, after, T0)).toEqual([
      { email: 'alice@x.example', direction: 'gained', action: 'write', resources: ['demo', 'reporting'] },
      { email: 'alice@x.example', direction: 'lost', action: 'read', resources: ['demo', 'reporting'] },
      { email: 'bob@x.example', direction: 'gained', action: 'write', resources: ['demo', 'reporting'] },
      { email: 'bob@x.example', direction: 'lost', action: 'read', resources: ['demo', 'reporting'] },
    ]);
  });

  it('sees a label change move a resource out of a selector', () => {
    const before = buildAccessIndex(model(reader({ env: 'dev' }), 'dev', ['alice@x.example']));
    const after = buildAccessIndex(model(reader({ env: 'dev' }), 'prod', ['alice@x.example']));
    expect(diffAccess(before, after, T0)).toEqual([{ email: 'alice@x.example', direction: 'lost', action: 'read', resources: ['demo'] }]);
  });

  it('counts contractors present on one side only', () => {
    const before = buildAccessIndex(model(reader({ env: 'dev' }), 'dev', ['alice@x.example']));
    const after = buildAccessIndex(model(reader({ env: 'dev' }), 'dev', ['carol@x.example']));
    expect(diffAccess(before, after, T0).map((c) => `${c.email} ${c.direction}`)).toEqual(['alice@x.example lost', 'carol@x.example gained']);
  });
});
