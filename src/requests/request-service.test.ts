import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import { StintError } from '../errors/stint-error.ts';
import type { ManualClock } from '../time/clock.ts';
import { ALICE, AUDREY, BOB, CARL, DANA, DAVE, ERIN, HOUR, MINUTE, OPS, openRequestKit, T0, type RequestKit } from './request-test-kit.ts';

async function failure(work: Promise<unknown>): Promise<StintError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof StintError) return error;
    throw error;
  }
  throw new Error('expected a StintError');
}

for (const engine of STORE_ENGINES) {
  describe(`requests and approvals (${engine})`, () => {
    let kit: RequestKit;
    beforeEach(async () => {
      kit = await openRequestKit(engine);
    });
    afterEach(async () => kit.destroy());

    const decideWrite = (email: string, resource: string) => kit.plane.access.decide({ email, tokenExpiresAt: null }, resource, 'write');

    it('stays pending with one of two approvals, and grants from the second one on', async () => {
      const { requests } = kit.plane;
      const request = await requests.create(ALICE, { resource: 'billing', actions: ['write'], tables: ['invoices'], durationMs: 2 * HOUR, reason: 'TICKET-1' });
      expect(request).toMatchObject({ status: 'pending', approvals: [], minApprovals: 2, approvers: ['dana@corp.example', 'dave@corp.example'], expiresAt: T0 + HOUR });

      const first = await requests.approve(request.id, DANA);
      expect(first.grant).toBeNull();
      expect(first.request).toMatchObject({ status: 'pending', approvals: [{ approver: 'dana@corp.example' }] });
      expect(decideWrite('alice@vendor.example', 'billing').allow).toBe(false);
      expect((await failure(requests.approve(request.id, DANA))).code).toBe('STINT_ERR_ALREADY_APPROVED');

      const second = await requests.approve(request.id, DAVE);
      expect(second.request.status).toBe('approved');
      expect(second.grant).toMatchObject({ email: 'alice@vendor.example', resource: 'billing', actions: ['write'], tables: ['invoices'], startsAt: T0, expiresAt: T0 + 2 * HOUR, status: 'active' });
      const decision = decideWrite('alice@vendor.example', 'billing');
      expect(decision).toMatchObject({ allow: true, reason: 'ALLOW_GRANT', expiresAt: T0 + 2 * HOUR });

      const audit = await kit.audit('REQUEST_CREATED', 'REQUEST_APPROVAL_RECORDED', 'REQUEST_APPROVED', 'GRANT_CREATED', 'REQUEST_REFUSED');
      expect(audit.map((e) => `${e.code} ${e.actor}`)).toEqual([
        'REQUEST_CREATED alice@vendor.example',
        'REQUEST_APPROVAL_RECORDED dana@corp.example',
        'REQUEST_REFUSED dana@corp.example',
        'REQUEST_APPROVAL_RECORDED dave@corp.example',
        'REQUEST_APPROVED dave@corp.example',
        'GRANT_CREATED dave@corp.example',
      ]);
      expect(audit[0]?.summary).toContain('TICKET-1');
      expect(audit[4]?.data).toMatchObject({ approvers: ['dana@corp.example', 'dave@corp.example'], grant: second.grant?.id, reason: 'TICKET-1' });
      expect(kit.events.map((e) => e.type)).toEqual(['request.created', 'request.approved']);
      expect(kit.events[1]).toMatchObject({ approvedBy: ['dana@corp.example', 'dave@corp.example'], grant: { id: second.grant?.id } });
    });

    it('refuses self-approval and approvers the rule does not name, and audits each refusal', async () => {
      const { requests } = kit.plane;
      const request = await requests.create(ALICE, { resource: 'billing', actions: ['write'], durationMs: HOUR, reason: 'TICKET-2' });
      const self = await failure(requests.approve(request.id, ALICE));
      expect(self.code).toBe('STINT_ERR_SELF_APPROVAL');
      const erin = await failure(requests.approve(request.id, ERIN));
      expect(erin.code).toBe('STINT_ERR_NOT_APPROVER');
      expect(erin.message).toContain('eligible approvers: dana@corp.example, dave@corp.example');
      // An admin not named by the rule may not approve either.
      expect((await failure(requests.approve(request.id, OPS))).code).toBe('STINT_ERR_NOT_APPROVER');
      const refused = await kit.audit('REQUEST_REFUSED');
      expect(refused.map((e) => [e.actor, e.subject, e.data.operation, e.data.error])).toEqual([
        ['alice@vendor.example', request.id, 'approve', 'STINT_ERR_SELF_APPROVAL'],
        ['erin@corp.example', request.id, 'approve', 'STINT_ERR_NOT_APPROVER'],
        ['ops@corp.example', request.id, 'approve', 'STINT_ERR_NOT_APPROVER'],
      ]);
      expect((await requests.get(request.id, OPS)).status).toBe('pending');
    });

    it('refuses a duration beyond the rule maximum, saying the maximum, and lets approvers only shorten', async () => {
      const { requests } = kit.plane;
      const long = await failure(requests.create(ALICE, { resource: 'billing', actions: ['write'], durationMs: 5 * HOUR, reason: 'T' }));
      expect(long.code).toBe('STINT_ERR_DURATION_TOO_LONG');
      expect(long.message).toContain('ask for 4h or less');

      const request = await requests.create(ALICE, { resource: 'demo', actions: ['write'], durationMs: HOUR });
      expect((await failure(requests.approve(request.id, ERIN, { durationMs: 2 * HOUR }))).code).toBe('STINT_ERR_DURATION_TOO_LONG');
      const approved = await requests.approve(request.id, ERIN, { durationMs: 20 * MINUTE });
      expect(approved.grant?.expiresAt).toBe(T0 + 20 * MINUTE);
      expect(approved.request.approvals).toEqual([{ approver: 'erin@corp.example', at: T0, durationMs: 20 * MINUTE }]);
    });

    it('requires a reason where the rule says so, and refuses what no rule covers, listing what is requestable', async () => {
      const { requests } = kit.plane;
      expect((await failure(requests.create(ALICE, { resource: 'billing', actions: ['write'], durationMs: HOUR, reason: '  ' }))).code).toBe('STINT_ERR_REASON_REQUIRED');
      const none = await failure(requests.create(ALICE, { resource: 'demo', actions: ['admin'], durationMs: HOUR }));
      expect(none.code).toBe('STINT_ERR_NOT_REQUESTABLE');
      // ddl on billing is left out: a deny rule of Alice's roles forbids it whatever is granted.
      expect(none.message).toContain('Requestable: write on billing (at most 4h, 2 approvals, reason required); write on demo (at most 1h, 1 approval).');
      const unknown = await failure(requests.create(ALICE, { resource: 'nope', actions: ['write'], durationMs: HOUR }));
      expect(unknown.message).toMatch(/no resource named "nope"/);
      const denied = await failure(requests.create(ALICE, { resource: 'billing', actions: ['ddl'], durationMs: HOUR }));
      expect(denied.message).toMatch(/forbidden by a deny rule/);
      const staff = await failure(requests.create(DANA, { resource: 'demo', actions: ['write'], durationMs: HOUR }));
      expect(staff.code).toBe('STINT_ERR_FORBIDDEN');
      expect(await kit.store.db.selectFrom('access_requests').select('id').execute()).toEqual([]);
      expect((await kit.audit('REQUEST_REFUSED')).map((e) => e.data.error)).toEqual([
        'STINT_ERR_REASON_REQUIRED',
        'STINT_ERR_NOT_REQUESTABLE',
        'STINT_ERR_NOT_REQUESTABLE',
        'STINT_ERR_NOT_REQUESTABLE',
        'STINT_ERR_FORBIDDEN',
      ]);
    });

    it('denies with a reason, after which nothing can approve it', async () => {
      const { requests } = kit.plane;
      const request = await requests.create(ALICE, { resource: 'billing', actions: ['write'], durationMs: HOUR, reason: 'TICKET-3' });
      expect((await failure(requests.deny(request.id, DANA, ' '))).code).toBe('STINT_ERR_REASON_REQUIRED');
      expect((await failure(requests.deny(request.id, ERIN, 'no'))).code).toBe('STINT_ERR_NOT_APPROVER');
      const denied = await requests.deny(request.id, DANA, 'use the replica');
      expect(denied).toMatchObject({ status: 'denied', decidedBy: 'dana@corp.example', decisionReason: 'use the replica' });
      const closed = await failure(requests.approve(request.id, DAVE));
      expect(closed.code).toBe('STINT_ERR_REQUEST_CLOSED');
      expect(closed.message).toContain('is denied by dana@corp.example');
      expect(kit.events.at(-1)).toMatchObject({ type: 'request.denied', by: 'dana@corp.example', reason: 'use the replica' });
      expect((await kit.audit('REQUEST_DENIED'))[0]?.summary).toContain('use the replica');
    });

    it('lets only the requester cancel a pending request', async () => {
      const { requests } = kit.plane;
      const request = await requests.create(ALICE, { resource: 'demo', actions: ['write'], durationMs: HOUR });
      expect((await failure(requests.cancel(request.id, ERIN))).code).toBe('STINT_ERR_FORBIDDEN');
      expect((await failure(requests.cancel(request.id, BOB))).code).toBe('STINT_ERR_REQUEST_NOT_FOUND');
      expect((await requests.cancel(request.id, ALICE)).status).toBe('cancelled');
      expect((await failure(requests.cancel(request.id, ALICE))).code).toBe('STINT_ERR_REQUEST_CLOSED');
      expect((await failure(requests.approve(request.id, ERIN))).code).toBe('STINT_ERR_REQUEST_CLOSED');
      expect((await kit.audit('REQUEST_CANCELLED')).map((e) => e.actor)).toEqual(['alice@vendor.example']);
    });

    it('expires pending requests that lapsed while nothing watched, once', async () => {
      const { requests } = kit.plane;
      const request = await requests.create(ALICE, { resource: 'demo', actions: ['write'], durationMs: HOUR });
      (kit.plane.clock as ManualClock).advance(HOUR);
      await requests.sync();
      await requests.sync();
      expect((await requests.get(request.id, ALICE)).status).toBe('expired');
      expect((await kit.audit('REQUEST_EXPIRED')).map((e) => e.subject)).toEqual([request.id]);
      expect(kit.events.filter((e) => e.type === 'request.expired')).toHaveLength(1);
      expect((await failure(requests.approve(request.id, ERIN))).code).toBe('STINT_ERR_REQUEST_CLOSED');
    });

    it('shows contractors their own requests, approvers those they may approve, auditors and admins all', async () => {
      const { requests } = kit.plane;
      const billing = await requests.create(ALICE, { resource: 'billing', actions: ['write'], durationMs: HOUR, reason: 'T' });
      const demo = await requests.create(CARL, { resource: 'demo', actions: ['write'], durationMs: HOUR });
      const ids = async (actor: typeof ALICE) => (await requests.list(actor)).map((r) => r.id).sort();
      expect(await ids(ALICE)).toEqual([billing.id]);
      expect(await ids(CARL)).toEqual([demo.id]);
      expect(await ids(BOB)).toEqual([]);
      expect(await ids(DANA)).toEqual([billing.id]);
      expect(await ids(ERIN)).toEqual([demo.id]);
      expect(await ids(AUDREY)).toEqual([billing.id, demo.id].sort());
      expect(await ids(OPS)).toEqual([billing.id, demo.id].sort());
      expect((await failure(requests.get(billing.id, CARL))).code).toBe('STINT_ERR_REQUEST_NOT_FOUND');
      expect((await requests.get(billing.id, ERIN)).id).toBe(billing.id);
      await requests.approve(demo.id, ERIN);
      expect((await requests.list(ALICE, { pending: true })).map((r) => r.id)).toEqual([billing.id]);
      expect((await requests.list(ERIN, { pending: true })).map((r) => r.id)).toEqual([]);
    });
  });
}
