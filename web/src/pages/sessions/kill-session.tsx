import { useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import type { Session } from '../../api/api-types.ts';
import { killSession } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';

/** The kill button and its confirmation; the session ends on whichever node holds it. */
export function KillSessionButton({ session, onKilled }: { session: Session; onKilled: () => void }) {
  const { http } = useAuth();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const confirm = () => {
    setBusy(true);
    setError(null);
    killSession(http, session.id, reason.trim()).then(
      () => {
        setBusy(false);
        setOpen(false);
        onKilled();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  return (
    <>
      <button type="button" className="danger" aria-label={`Kill session of ${session.contractor} on ${session.resource}`} onClick={() => setOpen(true)}>
        Kill
      </button>
      {open ? (
        <ConfirmDialog
          title="Kill this session?"
          confirmLabel="Kill session"
          danger
          busy={busy}
          error={error}
          onConfirm={confirm}
          onCancel={() => {
            setOpen(false);
            setError(null);
          }}
        >
          <p>
            {session.contractor}&apos;s connection to {session.resource} ends now; their client sees the reason. Their access stays: they may reconnect
            unless you also revoke it.
          </p>
          <label>
            Reason (optional, shown to the client)
            <input type="text" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </label>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
