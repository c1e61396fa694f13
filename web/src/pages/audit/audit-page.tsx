import { useState, type FormEvent } from 'react';
import { searchAudit } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { TimeAgo } from '../../components/time-ago.tsx';
import { usePaged } from '../../hooks/use-paged.ts';
import { AuditEventDetail } from './audit-event-detail.tsx';
import { EMPTY_FILTERS, toAuditQuery, type AuditFilterDraft } from './audit-filters.ts';
import { AuditTools } from './audit-tools.tsx';

const PAGE_SIZE = 50;

export function AuditPage() {
  const { http } = useAuth();
  const [draft, setDraft] = useState<AuditFilterDraft>(EMPTY_FILTERS);
  const [applied, setApplied] = useState<AuditFilterDraft>(EMPTY_FILTERS);
  const [open, setOpen] = useState<number | null>(null);
  const query = toAuditQuery(applied);
  const paged = usePaged(
    async (cursor) => {
      const page = await searchAudit(http, { ...query, limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
      return { items: page.events, nextCursor: page.nextCursor };
    },
    [http, JSON.stringify(query)],
  );

  const field = (key: keyof AuditFilterDraft) => ({ value: draft[key], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOpen(null);
    setApplied(draft);
  };

  return (
    <>
      <h1>Audit</h1>
      <form className="form form-grid" role="search" aria-label="Search the audit log" onSubmit={submit}>
        <label>
          Search audit events
          <input type="search" placeholder="words, an email, a table…" {...field('q')} />
        </label>
        <label>
          Actor
          <input type="text" {...field('actor')} />
        </label>
        <label>
          Resource
          <input type="text" {...field('resource')} />
        </label>
        <label>
          Code
          <input type="text" placeholder="e.g. STATEMENT_DENIED or AUTH_*" {...field('code')} />
        </label>
        <label>
          From
          <input type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" {...field('until')} />
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Search
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY_FILTERS);
              setApplied(EMPTY_FILTERS);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      <AuditTools since={query.since} until={query.until} />
      <section className="panel" aria-label="Audit events">
        <h2>Events</h2>
        {paged.error !== null && !paged.loaded ? (
          <ErrorPanel error={paged.error} title="Could not search the audit log" onRetry={paged.reload} />
        ) : !paged.loaded ? (
          <p role="status">Loading…</p>
        ) : paged.items.length === 0 ? (
          <EmptyState title="No events match">Loosen the filters or widen the time range.</EmptyState>
        ) : (
          <ol className="events" aria-label="Audit events, newest first">
            {paged.items.map((event) => (
                <li className="event" key={event.seq}>
                  <button type="button" className="event-row" aria-expanded={open === event.seq} onClick={() => setOpen(open === event.seq ? null : event.seq)}>
                    <span className="event-seq">#{event.seq}</span> <TimeAgo at={event.ts} /> <code>{event.code}</code> <span className="event-summary">{event.summary}</span>
                  </button>
                  {open === event.seq ? <AuditEventDetail event={event} /> : null}
                </li>
            ))}
          </ol>
        )}
        <LoadMore paged={paged} label="Load more events" />
      </section>
    </>
  );
}
