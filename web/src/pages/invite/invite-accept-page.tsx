import { useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import type { AcceptedInvite } from '../../api/api-types.ts';
import { acceptInvite } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { CopyField } from '../../components/copy-button.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { DateTime } from '../../components/time-ago.tsx';
import { navigate } from '../../router/router.tsx';

/**
 * The landing page of an invite link. Opening it spends nothing: the invite is
 * used only when the contractor accepts, with the CLI or with the button here.
 */
export function InviteAcceptPage({ code }: { code: string }) {
  const { publicHttp, signIn } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [accepted, setAccepted] = useState<AcceptedInvite | null>(null);
  const link = globalThis.location.href;

  const accept = () => {
    setBusy(true);
    setError(null);
    acceptInvite(publicHttp, code).then(
      (result) => {
        setBusy(false);
        setAccepted(result);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  const continueIn = () => {
    if (accepted === null) return;
    setBusy(true);
    signIn(accepted.token).then(
      () => navigate('/portal', { replace: true }),
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  return (
    <div className="invite-page">
      <h1>You have been invited to Stint</h1>
      {accepted === null ? (
        <>
          <section className="panel" aria-label="Accept with the command line">
            <h2>With the command line</h2>
            <p>Run this; it prints your access token once and saves it for later stint commands:</p>
            <CopyField value={`stint accept ${link}`} label="Accept command" />
          </section>
          <section className="panel" aria-label="Accept in the browser">
            <h2>In the browser</h2>
            <p>The invite works once. Accepting here shows your token once; copy it before you leave the page.</p>
            <button type="button" className="primary" onClick={accept} disabled={busy}>
              {busy ? 'Accepting…' : 'Accept in browser'}
            </button>
          </section>
        </>
      ) : (
        <section className="panel" aria-label="Invite accepted">
          <h2>Welcome, {accepted.email}</h2>
          <p>
            Your roles: {accepted.roles.join(', ')}. Engagement until <DateTime at={accepted.untilAt} />.
          </p>
          <p>
            <strong>This token is shown only now.</strong> Copy it into your password manager; use it as the password when you connect.
          </p>
          <CopyField value={accepted.token} label="Your access token" />
          <button type="button" className="primary" onClick={continueIn} disabled={busy}>
            Continue to the console
          </button>
        </section>
      )}
      {error === null ? null : <ErrorPanel error={error} title="The invite could not be accepted" />}
    </div>
  );
}
