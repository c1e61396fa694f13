/**
 * Test support: a fetch stand-in that answers by "METHOD /path" and records
 * every call, so component tests mock the API at its boundary only.
 */
import type { Principal } from '../api/api-types.ts';

export interface MockCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type MockAnswer = { status: number; json?: unknown; text?: string } | { json: unknown };
export type MockHandler = (call: MockCall) => MockAnswer | Promise<MockAnswer>;

export interface FetchMock {
  readonly fetch: typeof fetch;
  readonly calls: MockCall[];
  callsTo(method: string, path: string): MockCall[];
  on(key: string, handler: MockHandler): void;
}

export const ok = (json: unknown): MockAnswer => ({ status: 200, json });
export const fail = (status: number, code: string, message: string, fix = ''): MockAnswer => ({ status, json: { error: { code, message, fix, details: [] } } });

export function createFetchMock(routes: Record<string, MockHandler> = {}): FetchMock {
  const table = new Map(Object.entries(routes));
  const calls: MockCall[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://console.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const call: MockCall = { method, path: url.pathname, query: url.searchParams, headers, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const handler = table.get(`${method} ${url.pathname}`);
    if (handler === undefined) return jsonResponse(404, { error: { code: 'STINT_ERR_NOT_FOUND', message: `No route ${method} ${url.pathname}.`, fix: '', details: [] } });
    const answer = await handler(call);
    const status = 'status' in answer ? answer.status : 200;
    if ('text' in answer && answer.text !== undefined) return new Response(answer.text, { status });
    return jsonResponse(status, answer.json);
  };
  return {
    fetch: fetchImpl,
    calls,
    callsTo: (method, path) => calls.filter((c) => c.method === method && c.path === path),
    on: (key, handler) => void table.set(key, handler),
  };
}

function jsonResponse(status: number, json: unknown): Response {
  return new Response(json === undefined ? '' : JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
}

export const principal = (email: string, apiRoles: Principal['apiRoles'], kind: Principal['kind'] = 'staff'): Principal => ({
  kind,
  email,
  tokenId: 'tok_test',
  tokenExpiresAt: null,
  apiRoles,
});
