import type { Store } from './store.ts';

/**
 * The store's access change count (migration 005): it moves whenever a
 * contractor, grant or policy version is written, on any node. Read it before
 * rebuilding from the store; a later read with the same value means nothing
 * the rebuild read has changed since.
 */
export async function readAccessChanges(store: Pick<Store, 'db'>): Promise<number> {
  const row = await store.db.selectFrom('access_changes').select('n').where('id', '=', 1).executeTakeFirst();
  if (row === undefined) throw new Error('the access_changes row is missing');
  return Number(row.n);
}
