import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { WebhookDeliveriesTable } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery as listed (`stint webhooks deliveries`): everything but the body. */
export interface DeliveryView {
  readonly id: string;
  readonly webhook: string;
  readonly event: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAttemptAt: number | null;
  readonly deliveredAt: number | null;
  readonly failedAt: number | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
}

export interface NewDelivery {
  readonly webhook: string;
  readonly event: string;
  readonly body: string;
}

const ERROR_TEXT_LIMIT = 500;

export function newDeliveryId(): string {
  return `whd_${randomBytes(10).toString('hex')}`;
}

export function deliveryStatus(row: Pick<DeliveryRow, 'delivered_at' | 'failed_at'>): DeliveryStatus {
  if (row.delivered_at !== null) return 'delivered';
  return row.failed_at !== null ? 'failed' : 'pending';
}

function toView(row: Omit<DeliveryRow, 'body'>): DeliveryView {
  return {
    id: row.id,
    webhook: row.webhook,
    event: row.event,
    status: deliveryStatus(row),
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
  };
}

function capError(text: string): string {
  return text.length > ERROR_TEXT_LIMIT ? `${text.slice(0, ERROR_TEXT_LIMIT)}…` : text;
}

/**
 * The webhook_deliveries table: the durable queue between "an event happened"
 * and "a receiver has it". Claims are conditional updates on
 * `next_attempt_at`, so of several workers (nodes) exactly one sends each
 * attempt; a worker that dies mid-send leaves its claim to expire (the lease)
 * and another retries: delivery is at least once, and receivers de-duplicate
 * on the Stint-Delivery header.
 */
export class WebhookDeliveries {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async enqueue(deliveries: readonly NewDelivery[], now: number): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows = deliveries.map((delivery) => ({
      id: newDeliveryId(),
      webhook: delivery.webhook,
      event: delivery.event,
      body: delivery.body,
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    }));
    await this.#store.db.insertInto('webhook_deliveries').values(rows).execute();
    return rows.map((row) => row.id);
  }

  /** Pending deliveries whose next attempt is due, oldest first. */
  async due(now: number, limit: number): Promise<{ id: string; next_attempt_at: number }[]> {
    const rows = await this.#store.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'next_attempt_at'])
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.flatMap((row) => (row.next_attempt_at === null ? [] : [{ id: row.id, next_attempt_at: row.next_attempt_at }]));
  }

  /**
   * Takes one attempt of a delivery: moves its next attempt to the end of the
   * lease and counts the attempt, only if nobody moved it since `seenNextAt`
   * was read. Null when another worker got there first.
   */
  async claim(id: string, seenNextAt: number, leaseUntil: number): Promise<DeliveryRow | null> {
    const row = await this.#store.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ next_attempt_at: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('next_attempt_at', '=', seenNextAt)
      .where('delivered_at', 'is', null)
      .where('failed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : { ...row, attempts: Number(row.attempts) };
  }

  async delivered(id: string, at: number, status: number): Promise<void> {
    await this.#store.db
      .updateTable('webhook_deliveries')
      .set({ delivered_at: at, next_attempt_at: null, last_status: status, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  async retry(id: string, nextAt: number, status: number | null, error: string): Promise<void> {
    await this.#store.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: nextAt, last_status: status, last_error: capError(error) })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  async failed(id: string, at: number, status: number | null, error: string): Promise<void> {
    await this.#store.db
      .updateTable('webhook_deliveries')
      .set({ failed_at: at, next_attempt_at: null, last_status: status, last_error: capError(error) })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  /** Recent deliveries, newest first; `failed` keeps only those given up. */
  async list(filter: { failed?: boolean; webhook?: string; limit?: number } = {}): Promise<DeliveryView[]> {
    let query = this.#store.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'webhook', 'event', 'attempts', 'next_attempt_at', 'delivered_at', 'failed_at', 'last_status', 'last_error', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50);
    if (filter.failed === true) query = query.where('failed_at', 'is not', null);
    if (filter.webhook !== undefined) query = query.where('webhook', '=', filter.webhook);
    const rows = await query.execute();
    return rows.map(toView);
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    return this.#store.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
