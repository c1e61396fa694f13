import { ApiError, SIGN_OUT_CODES, errorFromResponse, networkError } from './api-error.ts';

export type QueryValue = string | number | boolean | undefined | null;

/** The one place the console talks HTTP: bearer token, JSON in and out, errors as ApiError. */
export interface Http {
  get<T>(path: string, query?: Readonly<Record<string, QueryValue>>): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** For streams and downloads: the response after status mapping, body unread. */
  raw(path: string, init?: { signal?: AbortSignal; accept?: string }): Promise<Response>;
}

export interface HttpOptions {
  /** The bearer token; null for public calls (invite acceptance). */
  readonly token: string | null;
  readonly fetch?: typeof fetch;
  /** Called when the server says the token no longer works, before the error is thrown. */
  readonly onAuthFailure?: (error: ApiError) => void;
}

/** `/v1/x?a=1&b=two`, skipping undefined, null and empty values. */
export function withQuery(path: string, query: Readonly<Record<string, QueryValue>> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Path segments from user data (emails, ids) are always encoded. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

export function createHttp(options: HttpOptions): Http {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function send(method: string, path: string, init: { body?: unknown; signal?: AbortSignal; accept?: string }): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    if (options.token !== null) headers.authorization = `Bearer ${options.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(path, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
        // Tokens travel in the header only; never send cookies along.
        credentials: 'omit',
      });
    } catch (error) {
      if (init.signal?.aborted === true) throw error;
      throw networkError(error);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const error = errorFromResponse(response.status, text);
      if (response.status === 401 && SIGN_OUT_CODES.has(error.code)) options.onAuthFailure?.(error);
      throw error;
    }
    return response;
  }

  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await send(method, path, { body });
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({ code: 'CONSOLE_BAD_RESPONSE', status: response.status, message: `The answer to ${method} ${path} is not JSON.` });
    }
  }

  return {
    get: (path, query) => json('GET', withQuery(path, query)),
    post: (path, body) => json('POST', path, body ?? {}),
    delete: (path) => json('DELETE', path),
    raw: (path, init = {}) => send('GET', path, init),
  };
}
