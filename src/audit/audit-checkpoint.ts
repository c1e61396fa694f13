import type { Logger } from 'pino';
import { StintError } from '../errors/stint-error.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import type { AuditLog } from './audit-log.ts';
import { signCheckpoint, type SigningKey } from './audit-signing-key.ts';

export { loadOrCreateSigningKey, type SigningKey } from './audit-signing-key.ts';

/** A signed statement "the chain's head at seq N had hash H at time T". */
export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
  readonly ts: number;
  readonly keyId: string;
  /** SPKI PEM of the signing key. */
  readonly publicKey: string;
  /** Ed25519 over canonicalJson({ seq, hash, ts }), base64. */
  readonly signature: string;
}

export interface AuditCheckpointerOptions {
  readonly store: Store;
  readonly log: Pick<AuditLog, 'onCommit' | 'flush'>;
  readonly key: SigningKey;
  readonly clock: Clock;
  /** Checkpoint after this many events committed by this node. */
  readonly everyEvents?: number;
  /** Checkpoint at least this often (if the head moved). */
  readonly everyMs?: number;
  readonly logger?: Pick<Logger, 'error'>;
}

/**
 * Signs the chain head now and then. Without checkpoints, someone with write
 * access to the store could rewrite an event and recompute every hash after
 * it; a signed checkpoint pins the hash at its seq, so such a rewrite shows.
 */
export class AuditCheckpointer {
  readonly #store: Store;
  readonly #log: Pick<AuditLog, 'onCommit' | 'flush'>;
  readonly #key: SigningKey;
  readonly #clock: Clock;
  readonly #everyEvents: number;
  readonly #everyMs: number;
  readonly #logger: Pick<Logger, 'error'> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #sinceLast = 0;
  /** Checkpoints are taken one at a time, in order. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: AuditCheckpointerOptions) {
    this.#store = options.store;
    this.#log = options.log;
    this.#key = options.key;
    this.#clock = options.clock;
    this.#everyEvents = Math.max(1, Math.floor(options.everyEvents ?? 1000));
    this.#everyMs = Math.max(1, Math.floor(options.everyMs ?? 60_000));
    this.#logger = options.logger;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#unsubscribe = this.#log.onCommit(({ count }) => {
      this.#sinceLast += count;
      if (this.#sinceLast >= this.#everyEvents) this.#background();
    });
    this.#timer = setInterval(() => this.#background(), this.#everyMs);
    // A checkpoint timer alone must not keep the process alive.
    this.#timer.unref();
  }

  /** Stops the timer and writes a final checkpoint covering everything appended so far. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#log.flush();
    await this.checkpointNow();
  }

  /** Signs the current head if it advanced since the last checkpoint (from any node); null if there was nothing new. */
  checkpointNow(): Promise<Checkpoint | null> {
    const next = this.#chain.then(() => this.#write());
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #background(): void {
    this.#sinceLast = 0;
    this.checkpointNow().catch((error: unknown) => this.#logger?.error({ err: error }, 'audit checkpoint failed'));
  }

  async #write(): Promise<Checkpoint | null> {
    try {
      const { db } = this.#store;
      const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
      if (head === undefined || head.seq === 0) return null;
      const last = await db.selectFrom('audit_checkpoints').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      if (last !== undefined && last.seq >= head.seq) return null;
      const ts = this.#clock.now();
      const checkpoint: Checkpoint = {
        seq: head.seq,
        hash: head.hash,
        ts,
        keyId: this.#key.keyId,
        publicKey: this.#key.publicKeyPem,
        signature: signCheckpoint(this.#key, { seq: head.seq, hash: head.hash, ts }),
      };
      // Another node may have signed the same head a moment ago; one checkpoint per seq is enough.
      const inserted = await db
        .insertInto('audit_checkpoints')
        .values({ seq: checkpoint.seq, hash: checkpoint.hash, ts, key_id: checkpoint.keyId, public_key: checkpoint.publicKey, signature: checkpoint.signature })
        .onConflict((oc) => oc.column('seq').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 ? checkpoint : null;
    } catch (error) {
      if (error instanceof StintError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StintError('STINT_ERR_AUDIT_UNAVAILABLE', `The audit checkpoint could not be written: ${reason}`, [], { cause: error });
    }
  }
}
