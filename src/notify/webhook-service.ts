import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import { DOMAIN_EVENT_TYPES, type EventBus } from '../events/event-bus.ts';
import type { WebhookSpec } from '../policy/policy-types.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { envelopeOf, webhookBody, type NotifyEvent } from './webhook-body.ts';
import { WebhookDeliveries, type DeliveryView } from './webhook-deliveries.ts';
import { WebhookWorker, type WebhookWorkerDeps } from './webhook-worker.ts';

export interface WebhookServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'error' | 'warn'>;
  readonly audit: AuditSink;
  readonly events: EventBus;
  /** The webhooks of the policy in force. */
  readonly webhooks: () => readonly WebhookSpec[];
  /** Worker tuning (tests inject backoff, send, poll interval). */
  readonly worker?: Partial<Pick<WebhookWorkerDeps, 'env' | 'pollMs' | 'timeoutMs' | 'maxAttempts' | 'backoff' | 'leaseMs' | 'batch' | 'send'>>;
}

export interface QueuedDelivery {
  readonly webhook: string;
  readonly delivery: string;
}

/**
 * Outgoing webhooks: every domain event is written to the delivery queue in
 * the store for each webhook that wants it (a small insert, never an HTTP
 * call), and the worker sends the queue. `start` subscribes and starts the
 * worker; without it events are not queued, which is what one-off tools want.
 */
export class WebhookService {
  readonly deliveries: WebhookDeliveries;
  readonly worker: WebhookWorker;
  readonly #deps: WebhookServiceDeps;
  #unsubscribe: (() => void)[] = [];

  constructor(deps: WebhookServiceDeps) {
    this.#deps = deps;
    this.deliveries = new WebhookDeliveries(deps.store);
    this.worker = new WebhookWorker({ deliveries: this.deliveries, clock: deps.clock, logger: deps.logger, audit: deps.audit, webhooks: deps.webhooks, ...deps.worker });
  }

  start(): void {
    if (this.#unsubscribe.length === 0) {
      this.#unsubscribe = DOMAIN_EVENT_TYPES.map((type) => this.#deps.events.on(type, (event) => this.enqueue(event).then(() => undefined)));
    }
    this.worker.start();
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    await this.worker.stop();
  }

  /** Queues the event for every webhook that lists it (or "*"), then wakes the worker. */
  async enqueue(event: NotifyEvent, only?: readonly WebhookSpec[]): Promise<QueuedDelivery[]> {
    const targets = only ?? this.#deps.webhooks().filter((webhook) => webhook.events.includes('*') || webhook.events.includes(event.type));
    if (targets.length === 0) return [];
    const envelope = envelopeOf(event);
    const ids = await this.deliveries.enqueue(
      targets.map((webhook) => ({ webhook: webhook.name, event: event.type, body: webhookBody(envelope, webhook.format) })),
      this.#deps.clock.now(),
    );
    this.worker.kick();
    return targets.map((webhook, i) => ({ webhook: webhook.name, delivery: ids[i] ?? '' }));
  }

  /** `stint webhooks test [NAME]`: a test event through the same queue and worker as real events. */
  async test(name: string | undefined, by: string): Promise<QueuedDelivery[]> {
    const all = this.#deps.webhooks();
    const chosen = name === undefined ? all : all.filter((webhook) => webhook.name === name);
    if (chosen.length === 0) {
      const declared = all.length === 0 ? 'no webhooks are declared in the policy' : `declared webhooks: ${all.map((w) => w.name).join(', ')}`;
      throw new StintError('STINT_ERR_NOT_FOUND', name === undefined ? `There is nothing to test: ${declared}.` : `No webhook is named ${name}; ${declared}.`);
    }
    const queued: QueuedDelivery[] = [];
    for (const webhook of chosen) {
      queued.push(...(await this.enqueue({ type: 'webhook.test', at: this.#deps.clock.now(), webhook: webhook.name, by }, [webhook])));
    }
    await this.#deps.audit.append({
      code: 'WEBHOOK_TEST_REQUESTED',
      actor: by,
      subject: name ?? null,
      summary: `${by} queued a test event for webhook(s) ${chosen.map((w) => w.name).join(', ')}.`,
      data: { deliveries: queued.map((q) => ({ webhook: q.webhook, delivery: q.delivery })) },
    });
    return queued;
  }

  list(filter: { failed?: boolean; webhook?: string; limit?: number } = {}): Promise<DeliveryView[]> {
    return this.deliveries.list(filter);
  }
}
