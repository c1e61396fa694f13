import { useState } from 'react';
import type { OffboardReport } from '../../api/api-types.ts';
import { getAccessReport, getContractor, listRequests, listSessions, searchAudit } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { hasRole, isAdmin } from '../../auth/roles.ts';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { DateTime, TimeAgo } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { Link } from '../../router/router.tsx';
import { RequestStatusText } from '../requests/request-status.tsx';
import { OffboardDialog } from './offboard-dialog.tsx';

function OffboardResult({ report }: { report: OffboardReport }) {
  const r = report.revoked;
  return (
    <div className="notice" role="status">
      {report.alreadyOffboarded
        ? `${report.email} was already offboarded; nothing more was revoked.`
        : `${report.email} is offboarded: ${r.tokens.length} token(s), ${r.grants.length} grant(s), ${r.requests.length} request(s) and ${r.invites.length} invite(s) revoked; ${r.sessionsEnded.length + r.sessionsKillRequested.length} live session(s) ended.`}
    </div>
  );
}

export function ContractorDetailPage({ email }: { email: string }) {
  const { http, principal } = useAuth();
  const contractor = useApi(() => getContractor(http, email), [http, email]);
  const access = useApi(() => getAccessReport(http, { contractor: email }), [http, email]);
  const sessions = useApi(() => listSessions(http, { state: 'all', email, limit: 50 }), [http, email]);
  const requests = useApi(async () => (await listRequests(http, { limit: 500 })).filter((r) => r.requester === email), [http, email]);
  const audit = useApi(() => (hasRole(principal, ['auditor']) ? searchAudit(http, { actor: email, limit: 50 }) : Promise.resolve(null)), [http, email, principal]);
  const [offboarding, setOffboarding] = useState(false);
  const [report, setReport] = useState<OffboardReport | null>(null);

  useLiveRefresh(['session.started', 'session.ended'], sessions.reload);
  useLiveRefresh(['request.created', 'request.decided', 'grant.created', 'grant.ended'], () => {
    requests.reload();
    access.reload();
  });
  useLiveRefresh(['contractor.changed'], contractor.reload);

  return (
    <>
      <p>
        <Link to="/contractors">← All contractors</Link>
      </p>
      <h1>{email}</h1>
      {report === null ? null : <OffboardResult report={report} />}
      <Panel
        title="Engagement"
        state={contractor}
        actions={
          isAdmin(principal) && contractor.data?.status === 'active' ? (
            <button type="button" className="danger" onClick={() => setOffboarding(true)}>
              Offboard…
            </button>
          ) : null
        }
      >
        {(c) => (
          <dl className="facts">
            <dt>Name</dt>
            <dd>{c.name || '—'}</dd>
            <dt>Company</dt>
            <dd>{c.company || '—'}</dd>
            <dt>Sponsor</dt>
            <dd>{c.sponsor}</dd>
            <dt>Roles</dt>
            <dd>{c.roles.join(', ') || 'none'}</dd>
            <dt>Status</dt>
            <dd>{c.status === 'offboarded' ? <>offboarded <TimeAgo at={c.offboardedAt} /></> : 'active'}</dd>
            <dt>Engagement ends</dt>
            <dd>
              <DateTime at={c.untilAt} /> {c.status === 'active' ? <Countdown to={c.untilAt} prefix="(in" ended="(ended" /> : null}
              {c.status === 'active' ? ')' : null}
            </dd>
            <dt>Declared in</dt>
            <dd>{c.source === 'files' ? 'policy files' : 'invite (API)'}</dd>
          </dl>
        )}
      </Panel>
      <Panel title="Access" state={access}>
        {(rows) =>
          rows.length === 0 ? (
            <EmptyState title="No access">They can reach no resource now.</EmptyState>
          ) : (
            <Table
              caption={`Access of ${email}`}
              rows={rows}
              rowKey={(r) => `${r.resource}:${r.via}`}
              columns={[
                { header: 'Resource', cell: (r) => r.resource },
                { header: 'Actions', cell: (r) => r.actions.join(', ') },
                { header: 'Via', cell: (r) => r.via, secondary: true },
                { header: 'Until', cell: (r) => <Countdown to={r.until} /> },
                { header: 'Last used', cell: (r) => <TimeAgo at={r.lastUsedAt} />, secondary: true },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Sessions" state={sessions}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title="No sessions">They have not connected yet.</EmptyState>
          ) : (
            <Table
              caption={`Sessions of ${email}`}
              rows={page.items}
              rowKey={(s) => s.id}
              columns={[
                { header: 'Session', cell: (s) => <Link to={`/sessions/${encodeURIComponent(s.id)}`}>{s.resource}</Link> },
                { header: 'Started', cell: (s) => <TimeAgo at={s.startedAt} /> },
                { header: 'State', cell: (s) => (s.endedAt === null ? <Countdown to={s.expiresAt} /> : `ended (${s.endReason ?? 'closed'})`) },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Requests" state={requests}>
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No requests">They have not asked for more access.</EmptyState>
          ) : (
            <Table
              caption={`Requests of ${email}`}
              rows={list}
              rowKey={(r) => r.id}
              columns={[
                { header: 'Resource', cell: (r) => `${r.resource}: ${r.actions.join(', ')}` },
                { header: 'Status', cell: (r) => <RequestStatusText request={r} /> },
                { header: 'Asked', cell: (r) => <TimeAgo at={r.createdAt} />, secondary: true },
                { header: 'Reason', cell: (r) => r.reason ?? '—', secondary: true },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Audit trail" state={audit}>
        {(page) =>
          page === null ? (
            <EmptyState title="Audit trail needs the auditor role">Ask an auditor, or use the Audit page with that role.</EmptyState>
          ) : page.events.length === 0 ? (
            <EmptyState title="No audit events">Nothing was recorded with them as actor.</EmptyState>
          ) : (
            <Table
              caption={`Audit events of ${email}`}
              rows={page.events}
              rowKey={(e) => String(e.seq)}
              columns={[
                { header: 'When', cell: (e) => <TimeAgo at={e.ts} /> },
                { header: 'Code', cell: (e) => <code>{e.code}</code> },
                { header: 'What', cell: (e) => e.summary },
              ]}
            />
          )
        }
      </Panel>
      {offboarding ? (
        <OffboardDialog
          email={email}
          onClose={() => setOffboarding(false)}
          onDone={(done) => {
            setOffboarding(false);
            setReport(done);
            contractor.reload();
            access.reload();
            sessions.reload();
            requests.reload();
          }}
        />
      ) : null}
    </>
  );
}
