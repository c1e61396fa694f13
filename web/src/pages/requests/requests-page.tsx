import { useState } from 'react';
import type { AccessRequest } from '../../api/api-types.ts';
import { listRequests } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { TimeAgo } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { formatSpan } from '../../time/instant.ts';
import { RequestCard } from './request-card.tsx';
import { RequestStatusText } from './request-status.tsx';

export function RequestsPage() {
  const { http } = useAuth();
  const pending = useApi(() => listRequests(http, { pending: true }), [http]);
  // Requests decided on this page stay in view with their outcome until the viewer leaves,
  // instead of vanishing from the queue the moment they are no longer pending.
  const [decidedHere, setDecidedHere] = useState<readonly AccessRequest[]>([]);
  const onChanged = (updated: AccessRequest) => {
    setDecidedHere((list) => [updated, ...list.filter((r) => r.id !== updated.id)]);
    reload();
  };
  const recent = useApi(async () => (await listRequests(http, { limit: 100 })).filter((r) => r.status !== 'pending'), [http]);
  const reload = () => {
    pending.reload();
    recent.reload();
  };
  useLiveRefresh(['request.created', 'request.decided', 'grant.created'], reload);

  return (
    <>
      <h1>Requests</h1>
      <Panel title="Waiting for a decision" state={pending}>
        {(list) => {
          const shown = [...list, ...decidedHere.filter((d) => d.status !== 'pending' && !list.some((r) => r.id === d.id))];
          return shown.length === 0 ? (
            <EmptyState title="No pending requests">New requests appear here as contractors make them.</EmptyState>
          ) : (
            <div className="cards">
              {shown.map((r) => (
                <RequestCard key={r.id} request={r} onChanged={onChanged} />
              ))}
            </div>
          );
        }}
      </Panel>
      <Panel title="Decided" state={recent}>
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No decided requests yet" />
          ) : (
            <Table
              caption="Decided requests"
              rows={list}
              rowKey={(r) => r.id}
              columns={[
                { header: 'Who', cell: (r) => r.requester },
                { header: 'What', cell: (r) => `${r.resource}: ${r.actions.join(', ')} for ${formatSpan(r.durationMs)}` },
                { header: 'Outcome', cell: (r) => <RequestStatusText request={r} /> },
                { header: 'Reason given', cell: (r) => r.reason ?? '—', secondary: true },
                { header: 'Decided', cell: (r) => <TimeAgo at={r.decidedAt} />, secondary: true },
              ]}
            />
          )
        }
      </Panel>
    </>
  );
}
