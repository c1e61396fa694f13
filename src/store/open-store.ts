import { StintError } from '../errors/stint-error.ts';
import { openPostgresStore, redactUrl } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface StoreLocation {
  /** postgres://... selects the shared PostgreSQL store. */
  readonly url?: string | undefined;
  /** Data directory for the embedded SQLite store. */
  readonly dataDir: string;
}

/**
 * Opens (and migrates) the store named by the configuration, with an error
 * people can act on. `readonly` opens an existing store as it is (e.g. an
 * auditor's copy) without creating or migrating anything.
 */
export async function openStore(location: StoreLocation, options: { readonly?: boolean } = {}): Promise<Store> {
  const { url } = location;
  try {
    if (url !== undefined && url !== '') {
      if (!/^postgres(ql)?:\/\//.test(url)) {
        throw new StintError('STINT_ERR_CONFIG', `The store URL "${redactUrl(url)}" is not supported; use postgres://user@host:port/db or omit it for the embedded store.`);
      }
      return await openPostgresStore(url, { migrate: options.readonly !== true });
    }
    return await openSqliteStore(location.dataDir, options);
  } catch (error) {
    if (error instanceof StintError) throw error;
    const where = url !== undefined && url !== '' ? redactUrl(url) : location.dataDir;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StintError('STINT_ERR_STORE_UNAVAILABLE', `The store at ${where} cannot be opened: ${reason}`, [], { cause: error });
  }
}
