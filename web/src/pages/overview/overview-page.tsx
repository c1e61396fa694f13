import { getOverview } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { TimeAgo } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { Link } from '../../router/router.tsx';

function Stat({ label, value, to }: { label: string; value: number; to: string }) {
  return (
    <Link to={to} className="stat">
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </Link>
  );
}

export function OverviewPage() {
  const { http } = useAuth();
  const overview = useApi(() => getOverview(http), [http]);
  useLiveRefresh(['session.started', 'session.ended', 'request.created', 'request.decided', 'grant.created', 'grant.ended', 'contractor.changed'], overview.reload);

  return (
    <>
      <h1>Overview</h1>
      <Panel title="At a glance" state={overview}>
        {(o) => (
          <div className="stats">
            <Stat label="active contractors" value={o.contractors.active} to="/contractors" />
            <Stat label="invited, not yet accepted" value={o.contractors.invited} to="/contractors" />
            <Stat label="live sessions" value={o.sessions.live} to="/sessions" />
            <Stat label="pending requests" value={o.requests.pending} to="/requests" />
          </div>
        )}
      </Panel>
      <Panel title="Ending soon" state={overview}>
        {(o) =>
          o.endingSoon.length === 0 ? (
            <EmptyState title="Nothing ends soon">No engagement, grant or token ends in the coming days.</EmptyState>
          ) : (
            <Table
              caption="Engagements, grants and tokens ending soon"
              rows={o.endingSoon}
              rowKey={(r) => `${r.kind}:${r.email}:${r.resource ?? ''}:${String(r.endsAt)}`}
              columns={[
                { header: 'What', cell: (r) => (r.kind === 'grant' ? `Grant on ${r.resource ?? '?'}` : r.kind === 'token' ? 'Token' : 'Engagement') },
                { header: 'Contractor', cell: (r) => <Link to={`/contractors/${encodeURIComponent(r.email)}`}>{r.email}</Link> },
                { header: 'Ends', cell: (r) => <Countdown to={r.endsAt} /> },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Recent denials" state={overview}>
        {(o) =>
          o.recentDenials.length === 0 ? (
            <EmptyState title="No recent denials">Nothing was denied lately.</EmptyState>
          ) : (
            <Table
              caption="Recent denials"
              rows={o.recentDenials}
              rowKey={(e) => String(e.seq)}
              columns={[
                { header: 'When', cell: (e) => <TimeAgo at={e.ts} /> },
                { header: 'Who', cell: (e) => e.actor },
                { header: 'Resource', cell: (e) => e.resource ?? '—', secondary: true },
                { header: 'Code', cell: (e) => <code>{e.code}</code>, secondary: true },
                { header: 'What', cell: (e) => e.summary },
              ]}
            />
          )
        }
      </Panel>
    </>
  );
}
