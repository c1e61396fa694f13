import { useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import { cancelRequest, getMe } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { TimeAgo } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { Link } from '../../router/router.tsx';
import { formatSpan } from '../../time/instant.ts';
import { RequestStatusText } from '../requests/request-status.tsx';
import { ConnectionStrings } from './connection-strings.tsx';
import { RequestAccessForm } from './request-access-form.tsx';
import { cappedEnd, ResourceAccess } from './resource-access.tsx';

export function PortalPage() {
  const { http } = useAuth();
  const me = useApi(() => getMe(http), [http]);
  const [cancelError, setCancelError] = useState<ApiError | null>(null);
  useLiveRefresh(['request.created', 'request.decided', 'grant.created', 'grant.ended', 'session.started', 'session.ended', 'contractor.changed'], me.reload);

  const cancel = (id: string) => {
    setCancelError(null);
    cancelRequest(http, id).then(me.reload, (failure: unknown) => setCancelError(asApiError(failure)));
  };

  return (
    <>
      <h1>My access</h1>
      <Panel title="Engagement" state={me}>
        {(m) => (
          <p>
            {m.email}
            {m.company === undefined ? '' : ` (${m.company})`}: engagement <Countdown to={m.engagementEndsAt} />.
          </p>
        )}
      </Panel>
      <Panel title="My resources" state={me}>
        {(m) =>
          m.resources.length === 0 ? (
            <EmptyState title="No access yet">Request access below; an approver decides.</EmptyState>
          ) : (
            <div className="cards">
              {m.resources.map((r) => (
                <article className="card" key={r.name} aria-label={`Resource ${r.name}`}>
                  <h3>
                    {r.name} <span className="muted">({r.kind})</span>
                  </h3>
                  <p>
                    {r.actions.join(', ')} — <Countdown to={cappedEnd(r.expiresAt, [m.engagementEndsAt, m.tokenExpiresAt])} prefix="access ends in" />
                  </p>
                  <ResourceAccess resource={r} bounds={[m.engagementEndsAt, m.tokenExpiresAt]} />
                  <ConnectionStrings resource={r} caUrl={m.caUrl ?? null} />
                </article>
              ))}
            </div>
          )
        }
      </Panel>
      {me.data === undefined ? null : <RequestAccessForm resources={me.data.resources.map((r) => r.name)} onCreated={me.reload} />}
      <Panel title="My requests" state={me}>
        {(m) =>
          m.requests.length === 0 ? (
            <EmptyState title="No requests yet" />
          ) : (
            <>
              {cancelError === null ? null : <ErrorPanel error={cancelError} title="Could not withdraw the request" />}
              <Table
                caption="My requests"
                rows={m.requests}
                rowKey={(r) => r.id}
                columns={[
                  { header: 'What', cell: (r) => `${r.resource}: ${r.actions.join(', ')} for ${formatSpan(r.durationMs)}` },
                  { header: 'Status', cell: (r) => <RequestStatusText request={r} /> },
                  { header: 'Asked', cell: (r) => <TimeAgo at={r.createdAt} />, secondary: true },
                  {
                    header: 'Withdraw',
                    cell: (r) =>
                      r.status === 'pending' ? (
                        <button type="button" onClick={() => cancel(r.id)} aria-label={`Withdraw request for ${r.resource}`}>
                          Withdraw
                        </button>
                      ) : (
                        '—'
                      ),
                  },
                ]}
              />
            </>
          )
        }
      </Panel>
      <Panel title="My recent sessions" state={me}>
        {(m) =>
          m.sessions.length === 0 ? (
            <EmptyState title="No sessions yet">Connect with one of the strings above.</EmptyState>
          ) : (
            <Table
              caption="My recent sessions"
              rows={m.sessions}
              rowKey={(s) => s.id}
              columns={[
                { header: 'Resource', cell: (s) => <Link to={`/sessions/${encodeURIComponent(s.id)}`}>{s.resource}</Link> },
                { header: 'Started', cell: (s) => <TimeAgo at={s.startedAt} /> },
                { header: 'State', cell: (s) => (s.endedAt === null ? <Countdown to={s.expiresAt} /> : `ended (${s.endReason ?? 'closed'})`) },
              ]}
            />
          )
        }
      </Panel>
    </>
  );
}
