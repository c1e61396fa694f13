import { useState, type FormEvent } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import { ACTIONS, type Action } from '../../api/api-types.ts';
import { createRequest } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';

/** Ask for more access for a while; an approver decides. */
export function RequestAccessForm({ resources, onCreated }: { resources: readonly string[]; onCreated: () => void }) {
  const { http } = useAuth();
  const [resource, setResource] = useState(resources[0] ?? '');
  const [actions, setActions] = useState<Action[]>(['read']);
  const [duration, setDuration] = useState('4h');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [sent, setSent] = useState(false);

  const toggle = (action: Action) => setActions((current) => (current.includes(action) ? current.filter((a) => a !== action) : [...current, action]));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSent(false);
    createRequest(http, { resource: resource.trim(), actions, duration: duration.trim(), ...(reason.trim() === '' ? {} : { reason: reason.trim() }) }).then(
      () => {
        setBusy(false);
        setSent(true);
        setReason('');
        onCreated();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  return (
    <section className="panel" aria-label="Request access">
      <h2>Request access</h2>
      <form className="form" aria-label="Request access" onSubmit={submit}>
        <label>
          Resource
          <input type="text" list="known-resources" required value={resource} onChange={(e) => setResource(e.target.value)} />
        </label>
        <datalist id="known-resources">
          {resources.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <fieldset>
          <legend>Actions</legend>
          {ACTIONS.map((action) => (
            <label key={action} className="check">
              <input type="checkbox" checked={actions.includes(action)} onChange={() => toggle(action)} /> {action}
            </label>
          ))}
        </fieldset>
        <label>
          Duration
          <input type="text" required value={duration} onChange={(e) => setDuration(e.target.value)} aria-describedby="duration-hint" />
        </label>
        <p className="hint" id="duration-hint">
          For example 30m, 4h or 2d. The approver may shorten it.
        </p>
        <label>
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} rows={2} />
        </label>
        <button type="submit" className="primary" disabled={busy || actions.length === 0}>
          {busy ? 'Sending…' : 'Send request'}
        </button>
      </form>
      {sent ? (
        <p role="status" className="notice">
          Request sent. It appears under My requests; you will see the decision there.
        </p>
      ) : null}
      {error === null ? null : <ErrorPanel error={error} title="The request was not sent" />}
    </section>
  );
}
