import { useId, useState, type FormEvent } from 'react';
import { asApiError, type ApiError } from '../api/api-error.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { authMethods } from './auth-methods.ts';
import { useAuth } from './auth-context.tsx';

/** Sign in with an access token (admin, approver, auditor or contractor). */
export function SignInPage() {
  const { signIn, notice } = useAuth();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const hintId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === '') {
      setError(asApiError(new Error('Paste your access token first.')));
      return;
    }
    setBusy(true);
    setError(null);
    signIn(token).then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setError(asApiError(failure));
      },
    );
  };

  const others = authMethods().filter((method) => method.id !== 'token');
  return (
    <main className="sign-in" id="main">
      <h1>Sign in to Stint</h1>
      {notice === null ? null : <ErrorPanel error={notice} title="You were signed out" />}
      <form onSubmit={submit} className="form">
        <label htmlFor="token-input">Access token</label>
        <input
          id="token-input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={hintId}
          required
        />
        <p id={hintId} className="hint">
          Paste the token you were given (stint token create, or the one shown when you accepted an invite). It is kept in this tab only and
          cleared when you sign out or close the tab.
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error === null ? null : <ErrorPanel error={error} title="Sign-in failed" />}
      {others.map((method) => (
        <section key={method.id} className="other-method" aria-label={method.label}>
          <h2>{method.label}</h2>
          <p>{method.available ? null : method.note}</p>
        </section>
      ))}
    </main>
  );
}
