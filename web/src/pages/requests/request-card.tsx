import { useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import type { AccessRequest } from '../../api/api-types.ts';
import { approveRequest, denyRequest } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { hasRole } from '../../auth/roles.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { TimeAgo } from '../../components/time-ago.tsx';
import { formatSpan } from '../../time/instant.ts';
import { RequestStatusText } from './request-status.tsx';

/** One request: what, why, for how long, approvals so far, and the approver's actions. */
/** `onChanged` receives the request as it now stands after a decision here. */
export function RequestCard({ request: r, onChanged }: { request: AccessRequest; onChanged: (updated: AccessRequest) => void }) {
  const { http, principal } = useAuth();
  const [shorter, setShorter] = useState('');
  const [denying, setDenying] = useState(false);
  const [denyReason, setDenyReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const mayDecide = r.status === 'pending' && hasRole(principal, ['approver']) && principal?.email !== r.requester;
  const approvedByMe = r.approvals.some((a) => a.approver === principal?.email);

  const act = (call: () => Promise<AccessRequest>) => {
    setBusy(true);
    setError(null);
    call().then(
      (updated) => {
        setBusy(false);
        setDenying(false);
        onChanged(updated);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  const label = `Request from ${r.requester} for ${r.resource}`;
  return (
    <article className="card" aria-label={label}>
      <h3>
        {r.requester} → {r.resource}: {r.actions.join(', ')}
      </h3>
      <dl className="facts">
        <dt>For</dt>
        <dd>{formatSpan(r.durationMs)}</dd>
        {r.tables.length === 0 ? null : (
          <>
            <dt>Tables</dt>
            <dd>{r.tables.join(', ')}</dd>
          </>
        )}
        <dt>Reason</dt>
        <dd>{r.reason ?? 'none given'}</dd>
        <dt>Asked</dt>
        <dd>
          <TimeAgo at={r.createdAt} />
        </dd>
        <dt>Status</dt>
        <dd>
          <RequestStatusText request={r} />
        </dd>
        <dt>Approved by</dt>
        <dd>{r.approvals.length === 0 ? 'nobody yet' : r.approvals.map((a) => `${a.approver} (${formatSpan(a.durationMs)})`).join(', ')}</dd>
        {r.status === 'pending' ? (
          <>
            <dt>May approve</dt>
            <dd>{r.approvers.length === 0 ? 'no approver under the policy in force' : r.approvers.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {mayDecide && !approvedByMe ? (
        <div className="actions">
          <label>
            Shorter duration (optional)
            <input type="text" value={shorter} onChange={(e) => setShorter(e.target.value)} placeholder={`e.g. 2h (asked ${formatSpan(r.durationMs)})`} size={14} />
          </label>
          <button type="button" className="primary" disabled={busy} onClick={() => act(async () => (await approveRequest(http, r.id, shorter.trim())).request)}>
            Approve
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => setDenying(true)}>
            Deny
          </button>
        </div>
      ) : mayDecide && approvedByMe ? (
        <p className="hint">You approved this; it waits for another approver.</p>
      ) : null}
      {denying ? (
        <form
          className="actions"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => denyRequest(http, r.id, denyReason.trim()));
          }}
        >
          <label>
            Reason for denial
            <input type="text" required value={denyReason} onChange={(e) => setDenyReason(e.target.value)} maxLength={1000} />
          </label>
          <button type="submit" className="danger" disabled={busy || denyReason.trim() === ''}>
            Confirm denial
          </button>
          <button type="button" onClick={() => setDenying(false)}>
            Keep pending
          </button>
        </form>
      ) : null}
      {error === null ? null : <ErrorPanel error={error} title="That did not work" />}
    </article>
  );
}
