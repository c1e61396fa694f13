import { sql } from 'kysely';
import type { AuditSink } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { recordOrUndo } from './identity-audit.ts';
import { hashSecret, looksLikeToken, newAccessToken, newTokenId } from './token-format.ts';
import { deleteTokenRow, findTokenByHash, insertTokenRow, isTokenLive, type TokenRow } from './token-rows.ts';

/** The subject of admin tokens made at startup. */
export const ADMIN_SUBJECT = 'admin';

const SYSTEM_ACTOR = 'system';

/** Any constant works: it only has to be the same on every node sharing the store. */
const BOOTSTRAP_LOCK_KEY = 7_346_011_001;

export interface AdminBootstrapDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
}

export interface AdminBootstrapResult {
  readonly created: boolean;
  /** The plaintext, only when a token was generated here; it is shown once and never again. */
  readonly token?: string;
  readonly id: string;
}

/**
 * Makes sure the server can be administered.
 *
 * With STINT_ADMIN_TOKEN (`envToken`), that token is registered once (by its
 * hash) and recognised on every restart and every node; it is never echoed.
 * Without it, a token is generated only when no live admin token exists, and
 * its plaintext is returned once for the operator to keep.
 */
export async function ensureAdminToken(deps: AdminBootstrapDeps, options: { envToken?: string }): Promise<AdminBootstrapResult> {
  return options.envToken === undefined ? ensureGenerated(deps) : ensureFromEnv(deps, options.envToken);
}

async function ensureFromEnv(deps: AdminBootstrapDeps, envToken: string): Promise<AdminBootstrapResult> {
  if (!looksLikeToken(envToken)) {
    throw new StintError('STINT_ERR_CONFIG', 'STINT_ADMIN_TOKEN is not a Stint token: it must be "stint_" followed by 43 base64url characters (32 random bytes).');
  }
  const now = deps.clock.now();
  const db = deps.store.db;
  const hash = hashSecret(envToken);
  const existing = await findTokenByHash(db, hash);
  if (existing !== undefined) return { created: false, id: usableEnvToken(existing, now).id };

  const id = newTokenId();
  try {
    await insertTokenRow(db, {
      id,
      hash,
      subject: ADMIN_SUBJECT,
      subject_kind: 'admin',
      created_at: now,
      created_by: SYSTEM_ACTOR,
      expires_at: null,
      label: 'STINT_ADMIN_TOKEN',
    });
  } catch (error) {
    // Another node registered the same token between our read and our insert (the hash is unique).
    const raced = await findTokenByHash(db, hash);
    if (raced === undefined) throw error;
    return { created: false, id: usableEnvToken(raced, now).id };
  }
  await recordOrUndo(
    deps.audit,
    {
      code: 'ADMIN_TOKEN_BOOTSTRAPPED',
      actor: SYSTEM_ACTOR,
      subject: ADMIN_SUBJECT,
      summary: `Admin token ${id} registered from STINT_ADMIN_TOKEN.`,
      data: { tokenId: id, source: 'env' },
    },
    () => deleteTokenRow(db, id),
  );
  return { created: true, id };
}

/** A token given in the environment must be a live admin token; a revoked one stays revoked. */
function usableEnvToken(row: TokenRow, now: number): TokenRow {
  if (row.subject_kind !== 'admin') {
    throw new StintError('STINT_ERR_CONFIG', `STINT_ADMIN_TOKEN is the token ${row.id} of ${row.subject} (${row.subject_kind}), not an admin token; set it to a new value.`);
  }
  if (!isTokenLive(row, now)) {
    throw new StintError('STINT_ERR_CONFIG', `The admin token in STINT_ADMIN_TOKEN (${row.id}) was revoked or has expired; set STINT_ADMIN_TOKEN to a new value.`);
  }
  return row;
}

async function ensureGenerated(deps: AdminBootstrapDeps): Promise<AdminBootstrapResult> {
  const now = deps.clock.now();
  const db = deps.store.db;
  // Check and create under one lock, so nodes starting together make one token, not one each.
  // On SQLite the single connection already serialises transactions.
  const outcome = await db.transaction().execute(async (trx) => {
    if (deps.store.engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_KEY}::bigint)`.execute(trx);
    const live = await trx
      .selectFrom('tokens')
      .select('id')
      .where('subject_kind', '=', 'admin')
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (live !== undefined) return { created: false, id: live.id } as const;
    const { token, hash } = newAccessToken();
    const id = newTokenId();
    await insertTokenRow(trx, {
      id,
      hash,
      subject: ADMIN_SUBJECT,
      subject_kind: 'admin',
      created_at: now,
      created_by: SYSTEM_ACTOR,
      expires_at: null,
      label: 'bootstrap',
    });
    return { created: true, id, token } as const;
  });
  if (!outcome.created) return outcome;
  await recordOrUndo(
    deps.audit,
    {
      code: 'ADMIN_TOKEN_BOOTSTRAPPED',
      actor: SYSTEM_ACTOR,
      subject: ADMIN_SUBJECT,
      summary: `Admin token ${outcome.id} generated because no live admin token existed.`,
      data: { tokenId: outcome.id, source: 'generated' },
    },
    () => deleteTokenRow(db, outcome.id),
  );
  return outcome;
}
