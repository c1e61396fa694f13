import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

export type StoreEngine = 'sqlite' | 'postgres';

/**
 * The store every service reads and writes. Both engines expose the same
 * tables; the few engine-specific queries (full-text search, row locks) branch
 * on `engine`.
 */
export interface Store {
  readonly engine: StoreEngine;
  readonly db: Kysely<Database>;
  /** Where it lives, with any password removed: safe to log. */
  readonly location: string;
  close(): Promise<void>;
}

export const GENESIS_HASH = '0'.repeat(64);
