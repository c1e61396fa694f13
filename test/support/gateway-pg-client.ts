/**
 * node-postgres through a gateway harness, for tests that look at what a
 * contractor's own client sees: connect as a contractor with a fresh token,
 * and run SQL into an outcome instead of a thrown error.
 */
import pg from 'pg';
import type { GatewayHarness } from './gateway-harness.ts';

export type Outcome = { ok: true; rows: unknown[] } | { ok: false; code?: string; message: string; detail?: string; hint?: string };

export async function connectAs(harness: GatewayHarness, email: string, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const { token } = await harness.token(email);
  const client = new pg.Client({ ...harness.pgConfig(email, token), ...extra });
  // A session the gateway ends emits 'error' on an idle client; the test reads the outcome instead.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function runSql(client: pg.Client, query: string | pg.QueryConfig, values?: unknown[]): Promise<Outcome> {
  try {
    const result = typeof query === 'string' ? await client.query(query, values) : await client.query(query);
    return { ok: true, rows: result.rows };
  } catch (error) {
    const { code, message, detail, hint } = error as { code?: string; message: string; detail?: string; hint?: string };
    return {
      ok: false,
      message,
      ...(code === undefined ? {} : { code }),
      ...(detail === undefined ? {} : { detail }),
      ...(hint === undefined ? {} : { hint }),
    };
  }
}
