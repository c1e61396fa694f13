import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import { countRows, DAY, HOUR, openIdentityKit, T0, testPolicy, type IdentityKit } from './identity-test-kit.ts';
import type { AuthResult } from './principal.ts';
import { hashSecret, newAccessToken } from './token-format.ts';

const alice = { email: 'alice@vendor.example', name: 'Alice', company: 'Vendor', sponsor: 'bob@corp.example', roles: ['readonly'], untilAt: T0 + 10 * DAY };

function failureCode(result: AuthResult): string {
  return result.ok ? 'ok' : result.code;
}

for (const engine of STORE_ENGINES) {
  describe(`TokenService (${engine})`, () => {
    let kit: IdentityKit;
    beforeEach(async () => {
      kit = await openIdentityKit(engine);
      await kit.contractors.upsertFromFiles(alice, T0);
    });
    afterEach(async () => {
      await kit.destroy();
    });

    describe('create', () => {
      it('caps a contractor token at the engagement end', async () => {
        const capped = await kit.tokens.create({ subject: 'Alice@Vendor.Example', kind: 'contractor', createdBy: 'carol@corp.example' });
        // Policy token TTL is 30 days, the engagement ends in 10.
        expect(capped).toMatchObject({ subject: 'alice@vendor.example', kind: 'contractor', expiresAt: T0 + 10 * DAY });
        const short = await kit.tokens.create({ subject: alice.email, kind: 'contractor', ttlMs: 8 * HOUR, createdBy: 'carol@corp.example' });
        expect(short.expiresAt).toBe(T0 + 8 * HOUR);
        const event = kit.audit.ofCode('TOKEN_CREATED')[0]!;
        expect(event).toMatchObject({ actor: 'carol@corp.example', subject: alice.email, data: { tokenId: capped.id, expiresAt: T0 + 10 * DAY } });
      });

      it.each([
        ['unknown contractor', 'nobody@vendor.example', 'STINT_ERR_UNKNOWN_CONTRACTOR'],
        ['offboarded contractor', 'offboarded', 'STINT_ERR_CONTRACTOR_OFFBOARDED'],
        ['ended engagement', 'ended', 'STINT_ERR_ENGAGEMENT_ENDED'],
      ])('refuses a token for an %s, recorded first', async (_label, who, code) => {
        let subject = who;
        if (who === 'offboarded') {
          await kit.contractors.remove(alice.email, T0);
          subject = alice.email;
        }
        if (who === 'ended') {
          kit.clock.set(alice.untilAt);
          subject = alice.email;
        }
        await expect(kit.tokens.create({ subject, kind: 'contractor', createdBy: 'carol@corp.example' })).rejects.toMatchObject({ code });
        expect(kit.audit.codes()).toEqual(['TOKEN_CREATE_REFUSED']);
        expect(kit.audit.events[0]!.data).toMatchObject({ reason: code, kind: 'contractor' });
        expect(await countRows(kit, 'tokens')).toBe(0);
      });

      it('refuses a bad lifetime', async () => {
        await expect(kit.tokens.create({ subject: alice.email, kind: 'contractor', ttlMs: -1, createdBy: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_BAD_DURATION' });
        expect(kit.audit.codes()).toEqual(['TOKEN_CREATE_REFUSED']);
      });

      it('gives staff tokens their policy roles, and refuses people who are not staff', async () => {
        const staff = await kit.tokens.create({ subject: 'bob@corp.example', kind: 'staff', createdBy: 'carol@corp.example' });
        expect(staff.expiresAt).toBe(T0 + 30 * DAY);
        const result = await kit.tokens.authenticate(staff.token, { via: 'api', ip: '10.0.0.1' });
        expect(result).toEqual({
          ok: true,
          principal: { kind: 'staff', email: 'bob@corp.example', tokenId: staff.id, tokenExpiresAt: T0 + 30 * DAY, apiRoles: ['approver', 'auditor'] },
        });
        const refused = kit.tokens.create({ subject: alice.email, kind: 'staff', createdBy: 'carol@corp.example' });
        await expect(refused).rejects.toMatchObject({ code: 'STINT_ERR_UNKNOWN_CONTRACTOR' });
        await expect(refused).rejects.toThrow(/no contractor or staff member/);
      });

      it('needs an applied policy for staff tokens and default lifetimes', async () => {
        kit.setPolicy(null);
        await expect(kit.tokens.create({ subject: 'bob@corp.example', kind: 'staff', createdBy: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_POLICY_NOT_APPLIED' });
        await expect(kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_POLICY_NOT_APPLIED' });
        const explicit = await kit.tokens.create({ subject: alice.email, kind: 'contractor', ttlMs: HOUR, createdBy: 'x' });
        expect(explicit.expiresAt).toBe(T0 + HOUR);
      });

      it('issues admin tokens without expiry unless a TTL is given', async () => {
        const forever = await kit.tokens.create({ subject: 'admin', kind: 'admin', createdBy: 'system' });
        expect(forever.expiresAt).toBeNull();
        expect((await kit.tokens.create({ subject: 'admin', kind: 'admin', ttlMs: HOUR, createdBy: 'system' })).expiresAt).toBe(T0 + HOUR);
        kit.clock.advance(365 * DAY);
        const result = await kit.tokens.authenticate(forever.token, { via: 'api' });
        expect(result.ok && result.principal.apiRoles).toEqual(['admin']);
      });

      it('stores tokens only as hashes', async () => {
        const issued = [
          await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x', label: 'laptop' }),
          await kit.tokens.create({ subject: 'bob@corp.example', kind: 'staff', createdBy: 'x' }),
          await kit.tokens.create({ subject: 'admin', kind: 'admin', createdBy: 'x' }),
        ];
        const rows = await kit.store.db.selectFrom('tokens').selectAll().execute();
        expect(rows).toHaveLength(3);
        const stored = JSON.stringify(rows);
        for (const { token, id } of issued) {
          expect(stored).not.toContain(token);
          expect(stored).not.toContain(token.slice('stint_'.length));
          expect(rows.find((row) => row.id === id)!.hash).toBe(hashSecret(token));
        }
        expect(JSON.stringify(kit.audit.events)).not.toMatch(/stint_[A-Za-z0-9_-]{43}/);
      });
    });

    describe('authenticate', () => {
      it('authenticates a contractor and records it without the token', async () => {
        const { token, id } = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        const result = await kit.tokens.authenticate(token, { via: 'postgres', ip: '10.0.0.7' });
        expect(result).toEqual({
          ok: true,
          principal: { kind: 'contractor', email: alice.email, tokenId: id, tokenExpiresAt: T0 + 10 * DAY, apiRoles: ['contractor'] },
        });
        const event = kit.audit.ofCode('AUTH_SUCCEEDED')[0]!;
        expect(event).toMatchObject({ actor: alice.email, outcome: 'success', data: { tokenId: id, via: 'postgres', ip: '10.0.0.7' } });
        expect(JSON.stringify(event)).not.toContain(token);
      });

      it('refuses unknown, expired and revoked tokens with distinct codes', async () => {
        const expiring = await kit.tokens.create({ subject: alice.email, kind: 'contractor', ttlMs: HOUR, createdBy: 'x' });
        const revoked = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        await kit.tokens.revoke(revoked.id, { by: 'carol@corp.example', reason: 'laptop lost' });
        kit.clock.advance(HOUR);
        kit.audit.clear();

        const unknown = await kit.tokens.authenticate(newAccessToken().token, { via: 'api', ip: '192.0.2.9' });
        const garbage = await kit.tokens.authenticate('not-a-token', { via: 'api', ip: '192.0.2.9' });
        const expired = await kit.tokens.authenticate(expiring.token, { via: 'api', ip: '192.0.2.9' });
        const wasRevoked = await kit.tokens.authenticate(revoked.token, { via: 'api', ip: '192.0.2.9' });

        expect([unknown, garbage, expired, wasRevoked].map(failureCode)).toEqual([
          'STINT_ERR_TOKEN_INVALID',
          'STINT_ERR_TOKEN_INVALID',
          'STINT_ERR_TOKEN_EXPIRED',
          'STINT_ERR_TOKEN_REVOKED',
        ]);
        expect(kit.audit.codes()).toEqual(['AUTH_TOKEN_UNKNOWN', 'AUTH_TOKEN_UNKNOWN', 'AUTH_TOKEN_EXPIRED', 'AUTH_TOKEN_REVOKED']);
        expect(kit.audit.events.map((e) => e.actor)).toEqual(['anonymous@192.0.2.9', 'anonymous@192.0.2.9', alice.email, alice.email]);
        expect(kit.audit.events.every((e) => e.outcome === 'failure')).toBe(true);
        expect(kit.audit.events[3]!.data).toMatchObject({ tokenId: revoked.id, via: 'api', ip: '192.0.2.9' });
        expect(wasRevoked.ok === false && wasRevoked.message).toContain('laptop lost');
      });

      it('refuses the token of a contractor whose engagement ended or who was offboarded', async () => {
        const { token } = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        // The files shorten the engagement after the token was issued.
        await kit.contractors.upsertFromFiles({ ...alice, untilAt: T0 + DAY }, T0);
        kit.clock.set(T0 + DAY);
        expect(failureCode(await kit.tokens.authenticate(token, { via: 'api' }))).toBe('STINT_ERR_ENGAGEMENT_ENDED');

        await kit.contractors.upsertFromFiles(alice, T0 + DAY);
        expect(failureCode(await kit.tokens.authenticate(token, { via: 'api' }))).toBe('ok');
        await kit.contractors.remove(alice.email, T0 + DAY);
        expect(failureCode(await kit.tokens.authenticate(token, { via: 'api' }))).toBe('STINT_ERR_CONTRACTOR_OFFBOARDED');
        expect(kit.audit.codes().filter((c) => c.startsWith('AUTH_'))).toEqual(['AUTH_SUBJECT_INACTIVE', 'AUTH_SUCCEEDED', 'AUTH_SUBJECT_INACTIVE']);
      });

      it('refuses a staff token once the person is no longer staff', async () => {
        const { token } = await kit.tokens.create({ subject: 'bob@corp.example', kind: 'staff', createdBy: 'x' });
        kit.setPolicy({ ...testPolicy(), staff: [] });
        expect(failureCode(await kit.tokens.authenticate(token, { via: 'api' }))).toBe('STINT_ERR_TOKEN_INVALID');
        expect(kit.audit.codes().at(-1)).toBe('AUTH_SUBJECT_INACTIVE');
      });

      it('writes last_used_at at most once a minute', async () => {
        const { token, id } = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        const lastUsed = async (): Promise<number | null> => (await kit.store.db.selectFrom('tokens').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
        expect(await lastUsed()).toBeNull();
        await kit.tokens.authenticate(token, { via: 'api' });
        expect(await lastUsed()).toBe(T0);
        kit.clock.advance(59_000);
        await kit.tokens.authenticate(token, { via: 'api' });
        expect(await lastUsed()).toBe(T0);
        kit.clock.advance(1_000);
        await kit.tokens.authenticate(token, { via: 'api' });
        expect(await lastUsed()).toBe(T0 + 60_000);
      });

      it('fails closed when the attempt cannot be recorded', async () => {
        const { token } = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        kit.audit.failWhen(true);
        await expect(kit.tokens.authenticate(token, { via: 'api' })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        await expect(kit.tokens.authenticate(newAccessToken().token, { via: 'api' })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      });
    });

    describe('revoke and list', () => {
      it('revokes once, reports a repeat, and refuses unknown ids', async () => {
        const { id } = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        kit.clock.advance(1_000);
        const first = await kit.tokens.revoke(id, { by: 'carol@corp.example', reason: 'done' });
        expect(first).toMatchObject({ id, alreadyRevoked: false, revokedAt: T0 + 1_000, revokedBy: 'carol@corp.example', revokedReason: 'done' });
        const again = await kit.tokens.revoke(id, { by: 'someone@corp.example' });
        expect(again).toMatchObject({ alreadyRevoked: true, revokedBy: 'carol@corp.example' });
        expect(kit.audit.ofCode('TOKEN_REVOKED')).toHaveLength(1);
        await expect(kit.tokens.revoke('tok_0000000000000000', { by: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_NOT_FOUND' });
      });

      it('revokes every live token of a person and lists without hashes', async () => {
        const a = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        kit.clock.advance(1);
        const b = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x', label: 'ci' });
        await kit.tokens.create({ subject: alice.email, kind: 'contractor', ttlMs: 1_000, createdBy: 'x' });
        const other = await kit.tokens.create({ subject: 'bob@corp.example', kind: 'staff', createdBy: 'x' });
        kit.clock.advance(1_000);

        expect((await kit.tokens.list({ subject: 'ALICE@vendor.example' })).map((t) => t.id)).toEqual([a.id, b.id]);
        expect(await kit.tokens.list({ subject: alice.email, includeInactive: true })).toHaveLength(3);
        const listed = await kit.tokens.list({ includeInactive: true });
        expect(listed).toHaveLength(4);
        expect(listed.every((t) => !('hash' in t))).toBe(true);
        expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{64}/);

        expect(await kit.tokens.revokeAllFor('Alice@Vendor.Example', { by: 'carol@corp.example', reason: 'offboarded' })).toBe(2);
        expect(await kit.tokens.revokeAllFor(alice.email, { by: 'carol@corp.example' })).toBe(0);
        expect(kit.audit.ofCode('TOKEN_REVOKED')).toHaveLength(1);
        expect(kit.audit.ofCode('TOKEN_REVOKED')[0]!.data).toMatchObject({ count: 2, tokenIds: [a.id, b.id].sort() });
        expect((await kit.tokens.list()).map((t) => t.id)).toEqual([other.id]);
      });

      it('revokes inside a caller transaction, which decides whether it sticks', async () => {
        await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        kit.audit.clear();
        await expect(
          kit.store.db.transaction().execute(async (trx) => {
            expect(await kit.tokens.revokeAllFor(alice.email, { by: 'apply' }, trx)).toBe(1);
            throw new Error('apply failed');
          }),
        ).rejects.toThrow('apply failed');
        expect(await kit.tokens.list({ subject: alice.email })).toHaveLength(1);
        await kit.store.db.transaction().execute((trx) => kit.tokens.revokeAllFor(alice.email, { by: 'apply' }, trx));
        expect(await kit.tokens.list({ subject: alice.email })).toHaveLength(0);
        // The caller's own record covers it.
        expect(kit.audit.codes()).toEqual([]);
      });
    });

    describe('when the audit log refuses', () => {
      beforeEach(() => {
        kit.audit.failWhen(true);
      });

      it('creates nothing', async () => {
        await expect(kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        // A refusal that cannot be recorded is reported as the audit failure.
        await expect(kit.tokens.create({ subject: 'nobody@x.example', kind: 'contractor', createdBy: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        await expect(kit.tokens.ensureAdminToken()).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        await expect(kit.tokens.ensureAdminToken({ envToken: newAccessToken().token })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        expect(await countRows(kit, 'tokens')).toBe(0);
      });

      it('revokes nothing', async () => {
        kit.audit.failWhen(false);
        const { id } = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        kit.audit.failWhen(true);
        await expect(kit.tokens.revoke(id, { by: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        await expect(kit.tokens.revokeAllFor(alice.email, { by: 'x' })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        const rows = await kit.store.db.selectFrom('tokens').select(['revoked_at', 'revoked_by', 'revoked_reason']).execute();
        expect(rows).toEqual([
          { revoked_at: null, revoked_by: null, revoked_reason: null },
          { revoked_at: null, revoked_by: null, revoked_reason: null },
        ]);
      });
    });

    describe('ensureAdminToken', () => {
      it('generates one admin token, once, and again only when none is live', async () => {
        const first = await kit.tokens.ensureAdminToken();
        expect(first.created).toBe(true);
        const result = await kit.tokens.authenticate(first.token!, { via: 'api' });
        expect(result.ok && result.principal).toMatchObject({ kind: 'admin', apiRoles: ['admin'], tokenExpiresAt: null });
        const second = await kit.tokens.ensureAdminToken();
        expect(second).toEqual({ created: false, id: first.id });
        expect(kit.audit.ofCode('ADMIN_TOKEN_BOOTSTRAPPED').map((e) => e.actor)).toEqual(['system']);

        await kit.tokens.revoke(first.id, { by: 'carol@corp.example' });
        const third = await kit.tokens.ensureAdminToken();
        expect(third.created).toBe(true);
        expect(third.id).not.toBe(first.id);
      });

      it('makes exactly one token when several start at once', async () => {
        const results = await Promise.all(Array.from({ length: 8 }, () => kit.tokens.ensureAdminToken()));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.id)).size).toBe(1);
        expect(await countRows(kit, 'tokens')).toBe(1);
      });

      it('registers STINT_ADMIN_TOKEN once and never echoes it', async () => {
        const { token } = newAccessToken();
        const first = await kit.tokens.ensureAdminToken({ envToken: token });
        expect(first).toEqual({ created: true, id: expect.stringMatching(/^tok_/) as unknown });
        const again = await Promise.all([kit.tokens.ensureAdminToken({ envToken: token }), kit.tokens.ensureAdminToken({ envToken: token })]);
        expect(again).toEqual([
          { created: false, id: first.id },
          { created: false, id: first.id },
        ]);
        expect(await countRows(kit, 'tokens')).toBe(1);
        expect(kit.audit.ofCode('ADMIN_TOKEN_BOOTSTRAPPED')).toHaveLength(1);
        expect(JSON.stringify(kit.audit.events)).not.toContain(token);
        const result = await kit.tokens.authenticate(token, { via: 'api' });
        expect(result.ok && result.principal.apiRoles).toEqual(['admin']);
        // With an env token registered, a generated one is not needed.
        expect(await kit.tokens.ensureAdminToken()).toEqual({ created: false, id: first.id });
      });

      it('refuses an env token that is malformed, revoked, or not an admin token', async () => {
        await expect(kit.tokens.ensureAdminToken({ envToken: 'hunter2' })).rejects.toMatchObject({ code: 'STINT_ERR_CONFIG' });
        const env = newAccessToken().token;
        const { id } = await kit.tokens.ensureAdminToken({ envToken: env });
        await kit.tokens.revoke(id, { by: 'carol@corp.example' });
        const revoked = kit.tokens.ensureAdminToken({ envToken: env });
        await expect(revoked).rejects.toMatchObject({ code: 'STINT_ERR_CONFIG' });
        await expect(revoked).rejects.not.toThrow(env);
        const contractorToken = await kit.tokens.create({ subject: alice.email, kind: 'contractor', createdBy: 'x' });
        await expect(kit.tokens.ensureAdminToken({ envToken: contractorToken.token })).rejects.toMatchObject({ code: 'STINT_ERR_CONFIG' });
      });
    });
  });
}
