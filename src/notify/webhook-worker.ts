import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit-event.ts';
import { showWebhookUrl } from '../policy/policy-plan-webhooks.ts';
import { resolveSecret } from '../policy/policy-secrets.ts';
import type { SecretRef, WebhookSpec } from '../policy/policy-types.ts';
import type { Clock } from '../time/clock.ts';
import type { DeliveryRow, WebhookDeliveries } from './webhook-deliveries.ts';
import { postWebhook, type WebhookSend } from './webhook-sender.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

export const DEFAULT_MAX_ATTEMPTS = 12;
const FIRST_RETRY_MS = 10_000;
const LONGEST_RETRY_MS = 3_600_000;

/**
 * Wait before attempt `attempt + 1`: 10 s doubling to at most 1 h, each with
 * ±20 % jitter so many deliveries failing together do not retry in lockstep.
 */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export interface WebhookWorkerDeps {
  readonly deliveries: WebhookDeliveries;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'error' | 'warn'>;
  /** Records deliveries given up (WEBHOOK_DELIVERY_FAILED). */
  readonly audit: AuditSink;
  /** The webhooks of the policy in force: URL, secret and format are read at each attempt. */
  readonly webhooks: () => readonly WebhookSpec[];
  /** Where env: references are read (default this process's environment). */
  readonly env?: NodeJS.ProcessEnv;
  /** How often to look for due deliveries (default 1 s); enqueueing also wakes the worker. */
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly backoff?: (attempt: number) => number;
  /** How long a claimed attempt is ours before another worker may retry it (default 60 s). */
  readonly leaseMs?: number;
  readonly batch?: number;
  readonly send?: WebhookSend;
}

/**
 * Sends queued deliveries: a setTimeout loop (unref'd, so it never keeps a
 * process alive) that claims due rows, POSTs each with its signature, and
 * records the outcome: delivered on a 2xx, else retried with backoff, and
 * given up (failed, audited) after the last attempt. It runs apart from every
 * request path; nothing waits for a receiver.
 */
export class WebhookWorker {
  readonly #deps: WebhookWorkerDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #started = false;

  constructor(deps: WebhookWorkerDeps) {
    this.#deps = deps;
  }

  /** Starts the loop; deliveries left pending by an earlier run (or another node) are picked up at once. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.kick();
  }

  /** Looks for due deliveries now rather than at the next poll. */
  kick(): void {
    if (!this.#started) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#running = this.#loop().finally(() => {
      this.#running = null;
      if (!this.#started) return;
      if (this.#again) {
        this.#again = false;
        this.kick();
        return;
      }
      this.#timer = setTimeout(() => this.kick(), this.#deps.pollMs ?? 1000);
      this.#timer.unref();
    });
  }

  /** Stops polling and waits for attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One pass: every due delivery (in batches) is attempted once. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const { deliveries, clock } = this.#deps;
    const now = clock.now();
    const due = await deliveries.due(now, this.#deps.batch ?? 20);
    const leaseUntil = now + (this.#deps.leaseMs ?? 60_000);
    const claimed: DeliveryRow[] = [];
    for (const row of due) {
      const taken = await deliveries.claim(row.id, row.next_attempt_at, leaseUntil);
      if (taken !== null) claimed.push(taken);
    }
    await Promise.all(claimed.map((row) => this.#attempt(row)));
    return claimed.length;
  }

  async #loop(): Promise<void> {
    try {
      // Keep going while full batches come back: a backlog drains without waiting for polls.
      let attempted = await this.runOnce();
      while (this.#started && attempted >= (this.#deps.batch ?? 20)) attempted = await this.runOnce();
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'webhook delivery pass failed');
    }
  }

  async #attempt(row: DeliveryRow): Promise<void> {
    const { deliveries, clock } = this.#deps;
    const spec = this.#deps.webhooks().find((webhook) => webhook.name === row.webhook);
    if (spec === undefined) {
      await this.#giveUp(row, null, `the webhook ${row.webhook} is no longer in the policy`);
      return;
    }
    let url: string;
    let secret: string | null;
    try {
      url = isRef(spec.url) ? resolveSecret(spec.url, this.#deps.env) : spec.url;
      secret = spec.secret === undefined ? null : resolveSecret(spec.secret, this.#deps.env);
    } catch (error) {
      await this.#failAttempt(row, null, error instanceof Error ? error.message : String(error));
      return;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Stint-Webhooks/1',
      [EVENT_HEADER]: row.event,
      [DELIVERY_HEADER]: row.id,
    };
    if (secret !== null) headers[SIGNATURE_HEADER] = signatureHeader(secret, row.body, Math.floor(clock.now() / 1000));
    const outcome = await (this.#deps.send ?? postWebhook)({ url, body: row.body, headers, timeoutMs: this.#deps.timeoutMs ?? 5000 });
    if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
      await deliveries.delivered(row.id, clock.now(), outcome.status);
      return;
    }
    // A URL kept in a secret reference must not come back through an error message.
    const error = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error.replaceAll(url, showWebhookUrl(spec.url));
    await this.#failAttempt(row, 'status' in outcome ? outcome.status : null, error);
  }

  async #failAttempt(row: DeliveryRow, status: number | null, error: string): Promise<void> {
    if (row.attempts >= (this.#deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      await this.#giveUp(row, status, error);
      return;
    }
    const wait = (this.#deps.backoff ?? defaultBackoff)(row.attempts);
    await this.#deps.deliveries.retry(row.id, this.#deps.clock.now() + wait, status, error);
  }

  async #giveUp(row: DeliveryRow, status: number | null, error: string): Promise<void> {
    await this.#deps.deliveries.failed(row.id, this.#deps.clock.now(), status, error);
    this.#deps.logger.warn({ delivery: row.id, webhook: row.webhook, attempts: row.attempts, error }, 'webhook delivery given up');
    await this.#deps.audit
      .append({
        code: 'WEBHOOK_DELIVERY_FAILED',
        actor: 'system:webhooks',
        subject: row.id,
        summary: `Delivery ${row.id} of ${row.event} to webhook ${row.webhook} was given up after ${row.attempts} attempt(s): ${error}.`,
        data: { delivery: row.id, webhook: row.webhook, event: row.event, attempts: row.attempts, lastStatus: status, lastError: error },
      })
      .catch((auditError: unknown) => this.#deps.logger.error({ err: auditError }, 'could not record a failed webhook delivery'));
  }
}

function isRef(value: string): value is SecretRef {
  return value.startsWith('env:') || value.startsWith('file:');
}
