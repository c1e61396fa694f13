import { useState } from 'react';
import type { AccessReportRow, Contractor } from '../../api/api-types.ts';
import { getAccessReport, listContractors } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { isAdmin } from '../../auth/roles.ts';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { TimeAgo } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { Link } from '../../router/router.tsx';
import { toMillis } from '../../time/instant.ts';
import { InviteForm } from './invite-form.tsx';

/** The latest use of any access per contractor, from the access report. */
function lastActivity(rows: readonly AccessReportRow[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const row of rows) {
    const at = toMillis(row.lastUsedAt);
    if (at !== null && at > (latest.get(row.contractor) ?? 0)) latest.set(row.contractor, at);
  }
  return latest;
}

export function ContractorsPage() {
  const { http, principal } = useAuth();
  const [status, setStatus] = useState<'active' | 'offboarded' | 'all'>('active');
  const contractors = useApi(() => listContractors(http, status), [http, status]);
  // Activity is a second call: when it fails the list still shows, with the column empty.
  const activity = useApi(async () => lastActivity(await getAccessReport(http)), [http]);
  useLiveRefresh(['contractor.changed', 'session.ended'], () => {
    contractors.reload();
    activity.reload();
  });

  const activityOf = (c: Contractor) => {
    if (activity.error !== null) return 'unavailable';
    const at = activity.data?.get(c.email);
    return <TimeAgo at={at ?? null} never="none yet" />;
  };

  return (
    <>
      <h1>Contractors</h1>
      {isAdmin(principal) ? <InviteForm onInvited={contractors.reload} /> : null}
      <Panel
        title="Contractors"
        state={contractors}
        actions={
          <label className="inline-label">
            Show
            <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
              <option value="active">active</option>
              <option value="offboarded">offboarded</option>
              <option value="all">all</option>
            </select>
          </label>
        }
      >
        {(list) =>
          list.length === 0 ? (
            <EmptyState title={status === 'active' ? 'No active contractors' : 'No contractors here'}>
              {isAdmin(principal) ? 'Invite one with the form above, or declare them in the policy files.' : 'An admin invites contractors or declares them in the policy files.'}
            </EmptyState>
          ) : (
            <Table
              caption="Contractors"
              rows={list}
              rowKey={(c) => c.email}
              columns={[
                { header: 'Contractor', cell: (c) => <Link to={`/contractors/${encodeURIComponent(c.email)}`}>{c.name === '' ? c.email : `${c.name} (${c.email})`}</Link> },
                { header: 'Company', cell: (c) => c.company || '—' },
                { header: 'Sponsor', cell: (c) => c.sponsor, secondary: true },
                { header: 'Roles', cell: (c) => c.roles.join(', '), secondary: true },
                { header: 'Engagement', cell: (c) => (c.status === 'offboarded' ? 'offboarded' : <Countdown to={c.untilAt} />) },
                { header: 'Last activity', cell: activityOf, secondary: true },
              ]}
            />
          )
        }
      </Panel>
    </>
  );
}
