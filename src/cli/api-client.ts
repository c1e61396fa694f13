import { ERROR_CATALOGUE, type ErrorCode } from '../errors/error-catalogue.ts';
import { StintError, type ErrorDetail } from '../errors/stint-error.ts';
import { readCredentials } from './credentials-file.ts';

export const DEFAULT_URL = 'http://127.0.0.1:7070';

export interface ClientOptions {
  readonly url?: string | undefined;
  readonly token?: string | undefined;
}

type Query = Record<string, string | number | boolean | undefined>;

/** The CLI's only way to the server: the public HTTP API. */
export class ApiClient {
  readonly url: string;
  readonly #token: string | undefined;

  constructor(options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    const saved = readCredentials(env);
    // An empty variable counts as unset, so `STINT_TOKEN= stint ...` falls back to the saved token.
    this.url = (nonEmpty(options.url) ?? nonEmpty(env.STINT_URL) ?? saved?.url ?? DEFAULT_URL).replace(/\/$/, '');
    this.#token = nonEmpty(options.token) ?? nonEmpty(env.STINT_TOKEN) ?? saved?.token;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.#json<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown, options: { auth?: boolean } = {}): Promise<T> {
    return this.#json<T>('POST', path, body, undefined, options.auth);
  }

  delete<T>(path: string): Promise<T> {
    return this.#json<T>('DELETE', path);
  }

  /** The token this client sends, for handing to a database client (`stint connect --exec`). */
  token(): string | undefined {
    return this.#token;
  }

  /** Streams a response body (e.g. JSON Lines export) chunk by chunk. */
  async *stream(path: string, query?: Query, options: { auth?: boolean } = {}): AsyncGenerator<Uint8Array> {
    const response = await this.#fetch('GET', path, undefined, query, options.auth ?? true);
    if (!response.ok) throw await toError(response);
    if (response.body === null) return;
    for await (const chunk of response.body) yield chunk;
  }

  async #json<T>(method: string, path: string, body?: unknown, query?: Query, auth = true): Promise<T> {
    const response = await this.#fetch(method, path, body, query, auth);
    if (!response.ok) throw await toError(response);
    return (await response.json()) as T;
  }

  async #fetch(method: string, path: string, body: unknown, query: Query | undefined, auth: boolean): Promise<Response> {
    const target = new URL(this.url + path);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) target.searchParams.set(key, String(value));
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth) {
      if (this.#token === undefined || this.#token === '') throw new StintError('STINT_ERR_NO_TOKEN');
      headers.authorization = `Bearer ${this.#token}`;
    }
    try {
      return await fetch(target, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new StintError('STINT_ERR_SERVER_UNREACHABLE', `The Stint server at ${this.url} could not be reached.`, [], { cause: error });
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

async function toError(response: Response): Promise<StintError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: ErrorDetail[] } };
    const code = parsed.error?.code;
    if (code !== undefined && code in ERROR_CATALOGUE) {
      return new StintError(code as ErrorCode, parsed.error?.message, parsed.error?.details ?? []);
    }
  } catch {
    // Not one of our error bodies: fall through to a generic message.
  }
  return new StintError('STINT_ERR_INTERNAL', `The server answered HTTP ${response.status}: ${text.slice(0, 200)}`);
}
