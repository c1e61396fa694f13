import type { AuditEvent } from '../../api/api-types.ts';
import { DateTime } from '../../components/time-ago.tsx';

/** Everything recorded for one event, including its place in the hash chain. */
export function AuditEventDetail({ event }: { event: AuditEvent }) {
  return (
    <div className="event-detail">
      <dl className="facts">
        <dt>Sequence</dt>
        <dd>{event.seq}</dd>
        <dt>At</dt>
        <dd>
          <DateTime at={event.ts} precise />
        </dd>
        <dt>Code</dt>
        <dd>
          <code>{event.code}</code> ({event.outcome})
        </dd>
        <dt>Actor</dt>
        <dd>{event.actor}</dd>
        <dt>Resource</dt>
        <dd>{event.resource ?? '—'}</dd>
        <dt>Subject</dt>
        <dd>{event.subject ?? '—'}</dd>
        <dt>Summary</dt>
        <dd>{event.summary}</dd>
        {event.hash === undefined ? null : (
          <>
            <dt>Hash</dt>
            <dd>
              <code className="hash">{event.hash}</code>
            </dd>
            <dt>Previous hash</dt>
            <dd>
              <code className="hash">{event.prevHash}</code>
            </dd>
          </>
        )}
      </dl>
      <pre className="json" aria-label={`Data of event ${event.seq}`}>
        {JSON.stringify(event.data, null, 2)}
      </pre>
    </div>
  );
}
