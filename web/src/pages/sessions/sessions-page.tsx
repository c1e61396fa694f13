import { useState, type FormEvent } from 'react';
import type { Session } from '../../api/api-types.ts';
import { listSessions, type SessionQuery } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { isAdmin } from '../../auth/roles.ts';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { DateTime, TimeAgo } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { usePaged } from '../../hooks/use-paged.ts';
import { LoadMore } from '../../components/load-more.tsx';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { Link } from '../../router/router.tsx';
import { KillSessionButton } from './kill-session.tsx';

function History() {
  const { http } = useAuth();
  const [filters, setFilters] = useState<SessionQuery>({});
  const [draft, setDraft] = useState({ q: '', email: '', resource: '' });
  const paged = usePaged(
    async (cursor) => {
      const page = await listSessions(http, { ...filters, state: 'ended', limit: 50, ...(cursor === undefined ? {} : { cursor }) });
      return { items: page.items, nextCursor: page.nextCursor };
    },
    [http, filters],
  );
  useLiveRefresh(['session.ended'], paged.reload);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ q: draft.q.trim(), email: draft.email.trim(), resource: draft.resource.trim() });
  };

  return (
    <section className="panel" aria-label="Session history">
      <h2>History</h2>
      <form className="form form-inline" role="search" aria-label="Search sessions" onSubmit={search}>
        <label>
          Statement text
          <input type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </label>
        <label>
          Contractor email
          <input type="text" value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.target.value })} />
        </label>
        <label>
          Resource
          <input type="text" value={draft.resource} onChange={(e) => setDraft({ ...draft, resource: e.target.value })} />
        </label>
        <button type="submit">Search sessions</button>
      </form>
      {paged.error !== null && !paged.loaded ? (
        <ErrorPanel error={paged.error} title="Could not load session history" onRetry={paged.reload} />
      ) : !paged.loaded ? (
        <p role="status">Loading…</p>
      ) : paged.items.length === 0 ? (
        <EmptyState title="No ended sessions match">Sessions appear here when they end.</EmptyState>
      ) : (
        <Table
          caption="Ended sessions"
          rows={paged.items}
          rowKey={(s) => s.id}
          columns={[
            { header: 'Session', cell: (s) => <Link to={`/sessions/${encodeURIComponent(s.id)}`}>{`${s.contractor} on ${s.resource}`}</Link> },
            { header: 'Started', cell: (s) => <DateTime at={s.startedAt} /> },
            { header: 'Ended', cell: (s) => <TimeAgo at={s.endedAt} />, secondary: true },
            { header: 'Why', cell: (s) => s.endReason ?? '—', secondary: true },
            { header: 'Statements', cell: (s) => String(s.statements ?? '—'), secondary: true },
          ]}
        />
      )}
      <LoadMore paged={paged} label="Load more sessions" />
    </section>
  );
}

export function SessionsPage() {
  const { http, principal } = useAuth();
  const live = useApi(() => listSessions(http, { state: 'live', limit: 500 }), [http]);
  useLiveRefresh(['session.started', 'session.ended'], live.reload);
  const admin = isAdmin(principal);

  return (
    <>
      <h1>Sessions</h1>
      <Panel title="Live sessions" state={live}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title="No live sessions">Nobody is connected through the gateway right now.</EmptyState>
          ) : (
            <Table
              caption="Live sessions"
              rows={page.items}
              rowKey={(s) => s.id}
              columns={[
                { header: 'Contractor', cell: (s) => <Link to={`/sessions/${encodeURIComponent(s.id)}`}>{s.contractor}</Link> },
                { header: 'Resource', cell: (s) => s.resource },
                { header: 'Started', cell: (s) => <TimeAgo at={s.startedAt} />, secondary: true },
                { header: 'Ends', cell: (s) => <Countdown to={s.expiresAt} /> },
                { header: 'From', cell: (s) => s.clientAddress ?? '—', secondary: true },
                ...(admin ? [{ header: 'Kill', cell: (s: Session) => <KillSessionButton session={s} onKilled={live.reload} /> }] : []),
              ]}
            />
          )
        }
      </Panel>
      <History />
    </>
  );
}
