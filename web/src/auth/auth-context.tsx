import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { asApiError, type ApiError } from '../api/api-error.ts';
import type { Principal } from '../api/api-types.ts';
import { getWhoami } from '../api/endpoints.ts';
import { createHttp, type Http } from '../api/http-client.ts';
import { clearToken, loadToken, saveToken } from './token-store.ts';

export interface AuthState {
  /** 'checking' while a stored token is being verified on load. */
  readonly status: 'checking' | 'signed-out' | 'signed-in';
  readonly principal: Principal | null;
  /** Calls the API as the signed-in viewer (or anonymously when signed out). */
  readonly http: Http;
  /** Calls without any token, for public endpoints (invite acceptance). */
  readonly publicHttp: Http;
  /** Why the viewer was signed out, shown on the sign-in page. */
  readonly notice: ApiError | null;
  signIn: (token: string) => Promise<void>;
  signOut: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (state === null) throw new Error('useAuth needs an <AuthProvider> above it.');
  return state;
}

/** The signed-in principal; only for components rendered behind sign-in. */
export function usePrincipal(): Principal {
  const { principal } = useAuth();
  if (principal === null) throw new Error('usePrincipal is only for signed-in views.');
  return principal;
}

export function AuthProvider({ children, fetchImpl }: { children: ReactNode; fetchImpl?: typeof fetch }) {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [status, setStatus] = useState<AuthState['status']>(() => (loadToken() === null ? 'signed-out' : 'checking'));
  const [notice, setNotice] = useState<ApiError | null>(null);

  const signOut = useCallback(() => {
    clearToken();
    setToken(null);
    setPrincipal(null);
    setStatus('signed-out');
  }, []);

  const onAuthFailure = useCallback(
    (error: ApiError) => {
      setNotice(error);
      signOut();
    },
    [signOut],
  );

  const publicHttp = useMemo(() => createHttp({ token: null, ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) }), [fetchImpl]);
  const http = useMemo(() => createHttp({ token, onAuthFailure, ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) }), [token, onAuthFailure, fetchImpl]);

  // A token kept from earlier in this tab is checked once on load.
  useEffect(() => {
    if (status !== 'checking' || token === null) return;
    let current = true;
    getWhoami(http).then(
      (who) => {
        if (!current) return;
        setPrincipal(who);
        setStatus('signed-in');
      },
      (error: unknown) => {
        if (!current) return;
        setNotice(asApiError(error));
        signOut();
      },
    );
    return () => {
      current = false;
    };
  }, [status, token, http, signOut]);

  const signIn = useCallback(
    async (candidate: string) => {
      const trimmed = candidate.trim();
      // A token is checked before it is kept: a wrong one never reaches storage.
      const probe = createHttp({ token: trimmed, ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) });
      const who = await getWhoami(probe);
      saveToken(trimmed);
      setNotice(null);
      setToken(trimmed);
      setPrincipal(who);
      setStatus('signed-in');
    },
    [fetchImpl],
  );

  const value = useMemo<AuthState>(() => ({ status, principal, http, publicHttp, notice, signIn, signOut }), [status, principal, http, publicHttp, notice, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
