import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { Store, StoreEngine } from '../../src/store/store.ts';

/** Every store suite loops over these, as Kysely's own tests loop over dialects. */
export const STORE_ENGINES: readonly StoreEngine[] = ['sqlite', 'postgres'];

export const TEST_PG_ADMIN_URL = process.env.STINT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore extends Store {
  /** Where the store lives, to reopen it (e.g. for offline verification). */
  readonly url: string | undefined;
  readonly dataDir: string;
  /** Closes the store and deletes everything it created. */
  destroy(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh, empty, migrated store of the given engine: its own temp dir or its own PostgreSQL database. */
export async function openTestStore(engine: StoreEngine): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stint-test-'));
  let url: string | undefined;
  let dbName: string | undefined;
  if (engine === 'postgres') {
    dbName = `stint_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await adminQuery(`CREATE DATABASE ${dbName}`);
    const base = new URL(TEST_PG_ADMIN_URL);
    base.pathname = `/${dbName}`;
    url = base.toString();
  }
  const store = await openStore({ url, dataDir });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await store.close();
  };
  return {
    engine: store.engine,
    db: store.db,
    location: store.location,
    url,
    dataDir,
    close,
    async destroy() {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName !== undefined) await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    },
  };
}
