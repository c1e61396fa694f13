import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import { ALICE, ERIN, HOUR, MINUTE, openRequestKit, T0, type RequestKit } from '../requests/request-test-kit.ts';
import { ManualClock } from '../time/clock.ts';
import { buildAccessReport, type AccessReport, type AccessReportOptions } from './access-report.ts';
import { accessReportCsv } from './access-report-format.ts';

const DAY = 24 * HOUR;

for (const engine of STORE_ENGINES) {
  describe(`access report (${engine})`, () => {
    let kit: RequestKit;
    let clock: ManualClock;
    beforeEach(async () => {
      clock = new ManualClock(T0);
      kit = await openRequestKit(engine, { clock });
    });
    afterEach(async () => kit.destroy());

    async function report(options: AccessReportOptions = {}): Promise<AccessReport> {
      await kit.plane.access.refresh();
      const contractors = await kit.plane.contractors.list();
      return buildAccessReport({ store: kit.store, index: kit.plane.access.index(), contractors }, options, clock.now());
    }

    it('lists who reaches what, why and until when, with grants named by their request', async () => {
      const request = await kit.plane.requests.create(ALICE, { resource: 'demo', actions: ['write'], durationMs: HOUR });
      const { grant } = await kit.plane.requests.approve(request.id, ERIN);
      const result = await report();
      expect(result.rows.map((row) => [row.contractor, row.resource, row.actions.join(','), row.via, row.until])).toEqual([
        ['alice@vendor.example', 'billing', 'read', 'role:readonly', Date.parse('2099-04-01T00:00:00Z')],
        ['alice@vendor.example', 'demo', 'write', `request:${request.id}`, T0 + HOUR],
        ['alice@vendor.example', 'demo', 'read', 'role:readonly', Date.parse('2099-04-01T00:00:00Z')],
        ['bob@vendor.example', 'billing', 'read', 'role:readonly', Date.parse('2026-12-01T12:00:00Z')],
        ['bob@vendor.example', 'demo', 'read', 'role:readonly', Date.parse('2026-12-01T12:00:00Z')],
        ['carl@vendor.example', 'billing', 'read', 'role:billing-reader', Date.parse('2099-04-01T00:00:00Z')],
      ]);
      const granted = result.rows.find((row) => row.grantId !== null);
      expect(granted).toMatchObject({ grantId: grant?.id, requestId: request.id, masks: 'none', guardrails: 'none', name: 'Alice', company: 'Vendor', sponsor: 'ops@corp.example' });
      expect((await report({ contractor: 'CARL@vendor.example' })).rows.map((row) => row.via)).toEqual(['role:billing-reader']);
      expect((await report({ resource: 'demo' })).rows.map((row) => `${row.contractor} ${row.via}`)).toEqual([
        `alice@vendor.example request:${request.id}`,
        'alice@vendor.example role:readonly',
        'bob@vendor.example role:readonly',
      ]);
    });

    it('takes last use from sessions and flags unused access and engagements about to end', async () => {
      const session = await kit.plane.sessions.open(
        { protocol: 'postgres', contractor: ALICE.email, resource: 'demo', clientAddress: '127.0.0.1', tls: false, tokenId: 'tok_test', expiresAt: null },
        { terminate: () => undefined },
      );
      clock.advance(10 * MINUTE);
      await session.finish('client_closed');
      const soon = await report();
      const flags = (contractor: string, resource: string, r: AccessReport) => r.rows.find((row) => row.contractor === contractor && row.resource === resource)?.flags;
      expect(soon.rows.find((row) => row.contractor === ALICE.email && row.resource === 'demo')?.lastUsedAt).toBe(T0 + 10 * MINUTE);
      expect(soon.rows.find((row) => row.contractor === ALICE.email && row.resource === 'billing')?.lastUsedAt).toBeNull();
      expect(flags('bob@vendor.example', 'demo', soon)).toEqual(['engagement-ending']);
      expect(flags(ALICE.email, 'billing', soon)).toEqual([]);

      clock.advance(31 * DAY);
      const later = await report({ unusedDays: 30, endingDays: 0 });
      expect(flags(ALICE.email, 'billing', later)).toEqual(['unused']);
      expect(flags(ALICE.email, 'demo', later)).toEqual(['unused']);
      expect(flags(ALICE.email, 'demo', await report({ unusedDays: 40 }))).toEqual([]);
      // Bob's engagement is over: he reaches nothing, so he is not in the report.
      expect(later.rows.some((row) => row.contractor === 'bob@vendor.example')).toBe(false);
    });
  });
}

describe('access report CSV', () => {
  it('quotes what needs quoting and defuses cells a spreadsheet would run as formulas', () => {
    const csv = accessReportCsv({
      generatedAt: T0,
      unusedDays: 30,
      endingDays: 14,
      filters: { resource: null, contractor: null },
      rows: [
        {
          contractor: 'alice@vendor.example',
          name: 'Alice',
          company: '=HYPERLINK("x")',
          sponsor: 'ops@corp.example',
          resource: 'demo',
          actions: ['read', 'write'],
          via: 'role:readonly',
          grantId: null,
          requestId: null,
          until: T0,
          engagementEnd: T0,
          lastUsedAt: null,
          masks: 'none',
          guardrails: 'none',
          flags: ['unused', 'engagement-ending'],
        },
      ],
    });
    const [header, line] = csv.split('\r\n');
    expect(header).toBe('contractor,company,sponsor,resource,actions,why,until,last used,masks,guardrails,flags');
    expect(line).toBe(`alice@vendor.example,"'=HYPERLINK(""x"")",ops@corp.example,demo,read write,role:readonly,2026-12-01T00:00:00Z,never,none,none,unused engagement-ending`);
  });
});
