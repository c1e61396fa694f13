/**
 * The token lives in sessionStorage: it survives a reload but not the tab,
 * and is never written to localStorage or a cookie.
 */
const KEY = 'stint.token';

export function loadToken(): string | null {
  try {
    return globalThis.sessionStorage.getItem(KEY);
  } catch {
    // Storage can be disabled by the browser; the viewer then signs in per page load.
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    globalThis.sessionStorage.setItem(KEY, token);
  } catch {
    // See loadToken: without storage the token lives only in memory.
  }
}

export function clearToken(): void {
  try {
    globalThis.sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}
