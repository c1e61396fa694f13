import { useState, type FormEvent } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import type { CreatedInvite } from '../../api/api-types.ts';
import { createInvite } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { CopyField } from '../../components/copy-button.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';

/** Splits "analyst, support" into role names, dropping blanks and repeats. */
export function parseRoles(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map((r) => r.trim()).filter((r) => r !== ''))];
}

/** Invite a contractor; on success the single-use link is shown once, ready to copy. */
export function InviteForm({ onInvited }: { onInvited?: (invite: CreatedInvite) => void }) {
  const { http } = useAuth();
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [invite, setInvite] = useState<CreatedInvite | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    createInvite(http, { email: email.trim(), roles: parseRoles(roles), until }).then(
      (created) => {
        setBusy(false);
        setInvite(created);
        setEmail('');
        setRoles('');
        setUntil('');
        onInvited?.(created);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  return (
    <section className="panel" aria-label="Invite a contractor">
      <h2>Invite a contractor</h2>
      <form className="form form-inline" onSubmit={submit}>
        <label>
          Email
          <input type="email" name="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Roles
          <input type="text" name="roles" required placeholder="e.g. analyst" value={roles} onChange={(e) => setRoles(e.target.value)} aria-describedby="invite-roles-hint" />
        </label>
        <label>
          Engagement ends
          <input type="date" name="until" value={until} onChange={(e) => setUntil(e.target.value)} aria-describedby="invite-until-hint" />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Create invite'}
        </button>
      </form>
      <p className="hint" id="invite-roles-hint">
        Role names from the policy, separated by commas.
      </p>
      <p className="hint" id="invite-until-hint">
        Through that day (UTC); leave empty for the policy&apos;s default engagement.
      </p>
      {error === null ? null : <ErrorPanel error={error} title="The invite was not created" />}
      {invite === null ? null : (
        <div className="invite-result" role="status">
          <p>
            Invite for <strong>{invite.email}</strong> ({invite.roles.join(', ')}). Send this link; it works once and{' '}
            <Countdown to={invite.expiresAt} prefix="expires in" ended="has expired" />. It is not shown again.
          </p>
          <CopyField value={invite.url} label="Invite link" />
        </div>
      )}
    </section>
  );
}
