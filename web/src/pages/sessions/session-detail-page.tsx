import { getSession } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { DateTime } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';

export function SessionDetailPage({ id }: { id: string }) {
  const { http } = useAuth();
  const session = useApi(() => getSession(http, id), [http, id]);
  useLiveRefresh(['session.ended'], session.reload);

  return (
    <>
      <h1>Session {id}</h1>
      <Panel title="Session" state={session}>
        {(s) => (
          <>
            <dl className="facts">
              <dt>Contractor</dt>
              <dd>{s.contractor}</dd>
              <dt>Resource</dt>
              <dd>
                {s.resource} ({s.protocol})
              </dd>
              <dt>From</dt>
              <dd>{s.clientAddress ?? '—'}</dd>
              <dt>Started</dt>
              <dd>
                <DateTime at={s.startedAt} precise />
              </dd>
              <dt>{s.endedAt === null ? 'Ends' : 'Ended'}</dt>
              <dd>{s.endedAt === null ? <Countdown to={s.expiresAt} /> : <><DateTime at={s.endedAt} precise /> ({s.endReason ?? 'closed'})</>}</dd>
            </dl>
            <h3>Statements</h3>
            {s.statementsTruncated === true ? (
              <p className="hint">
                Only the first {s.statements.length} of {s.statementCount ?? 'many'} statements are listed; search the audit log for the rest.
              </p>
            ) : null}
            {s.statements.length === 0 ? (
              <EmptyState title="No statements recorded" />
            ) : (
              <Table
                caption="Statements and decisions"
                rows={s.statements}
                rowKey={(st, i) => `${i}:${String(st.at)}`}
                columns={[
                  { header: 'At', cell: (st) => <DateTime at={st.at} precise /> },
                  { header: 'Statement', cell: (st) => <code className="sql">{st.text}</code> },
                  {
                    header: 'Decision',
                    cell: (st) => (
                      <span className={`decision decision-${st.failed === true ? 'denied' : st.decision}`}>
                        {st.failed === true ? 'allowed, failed' : st.decision}
                        {st.reason === undefined ? '' : ` (${st.reason})`}
                        {st.message === undefined ? '' : `: ${st.message}`}
                      </span>
                    ),
                  },
                  { header: 'Rows', cell: (st) => (st.rows === undefined ? '—' : String(st.rows)), secondary: true },
                  { header: 'Time', cell: (st) => (st.durationMs === undefined ? '—' : `${st.durationMs} ms`), secondary: true },
                ]}
              />
            )}
          </>
        )}
      </Panel>
    </>
  );
}
