import { useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import type { OffboardReport } from '../../api/api-types.ts';
import { offboardContractor } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { fetchHoldings, type Holdings } from './offboard-holdings.ts';

function Held({ holdings }: { holdings: Holdings }) {
  return (
    <div className="held">
      <p>Offboarding ends all of this at once:</p>
      <ul>
        <li>
          Access to {holdings.access.length === 0 ? 'no resources' : [...new Set(holdings.access.map((a) => `${a.resource} (${a.actions.join(', ')})`))].join('; ')}
        </li>
        <li>{holdings.tokens.length} access token(s)</li>
        <li>
          {holdings.grants.length} grant(s)
          {holdings.grants.length === 0 ? null : (
            <ul>
              {holdings.grants.map((g) => (
                <li key={g.id}>
                  {g.resource}: {g.actions.join(', ')}, <Countdown to={g.expiresAt} />
                </li>
              ))}
            </ul>
          )}
        </li>
        <li>
          {holdings.liveSessions.length} live session(s)
          {holdings.liveSessions.length === 0 ? null : ` on ${[...new Set(holdings.liveSessions.map((s) => s.resource))].join(', ')}`}
        </li>
        <li>{holdings.pendingRequests.length} pending request(s)</li>
        <li>{holdings.pendingInvites.length} pending invite(s)</li>
      </ul>
    </div>
  );
}

/**
 * Offboarding is immediate and cannot be undone from here: the dialog lists
 * what will end, and the admin must type the contractor's email to confirm.
 */
export function OffboardDialog({ email, onClose, onDone }: { email: string; onClose: () => void; onDone: (report: OffboardReport) => void }) {
  const { http } = useAuth();
  const holdings = useApi(() => fetchHoldings(http, email), [http, email]);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const matches = typed.trim().toLowerCase() === email.toLowerCase();

  const confirm = () => {
    if (!matches) return;
    setBusy(true);
    setError(null);
    offboardContractor(http, email, reason.trim()).then(
      (report) => {
        setBusy(false);
        onDone(report);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  return (
    <ConfirmDialog title={`Offboard ${email}`} confirmLabel="Offboard now" danger confirmDisabled={!matches} busy={busy} error={error} onConfirm={confirm} onCancel={onClose}>
      {holdings.error !== null ? (
        <ErrorPanel error={holdings.error} title="Could not list what they hold; offboarding still revokes everything" onRetry={holdings.reload} />
      ) : holdings.data === undefined ? (
        <p role="status">Listing what {email} holds…</p>
      ) : (
        <Held holdings={holdings.data} />
      )}
      <label>
        Type the email to confirm
        <input type="text" autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={email} />
      </label>
      <label>
        Reason (optional, shown to their clients and recorded)
        <input type="text" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </label>
    </ConfirmDialog>
  );
}
