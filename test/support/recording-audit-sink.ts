import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { AUDIT_CODES, type AuditCode } from '../../src/audit/audit-codes.ts';
import type { AuditEvent, AuditEventInput, AuditSink } from '../../src/audit/audit-event.ts';
import { StintError } from '../../src/errors/stint-error.ts';
import type { Database } from '../../src/store/database-schema.ts';
import { GENESIS_HASH } from '../../src/store/store.ts';
import { systemClock, type Clock } from '../../src/time/clock.ts';
import { canonicalJson } from '../../src/util/canonical-json.ts';

/**
 * An in-memory AuditSink for unit tests: it keeps every event it accepted and
 * can be told to refuse appends, to prove callers fail closed.
 */
export class RecordingAuditSink implements AuditSink {
  readonly #clock: Clock;
  readonly #events: AuditEvent[] = [];
  #refuse: ((event: AuditEventInput) => boolean) | null = null;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Every accepted event, oldest first. */
  get events(): readonly AuditEvent[] {
    return [...this.#events];
  }

  codes(): string[] {
    return this.#events.map((event) => event.code);
  }

  ofCode(code: AuditCode): AuditEvent[] {
    return this.#events.filter((event) => event.code === code);
  }

  /** Refuse every append (true), none (false), or those the predicate picks. */
  failWhen(refuse: boolean | ((event: AuditEventInput) => boolean)): void {
    this.#refuse = refuse === true ? () => true : refuse === false ? null : refuse;
  }

  clear(): void {
    this.#events.length = 0;
  }

  append(input: AuditEventInput): Promise<AuditEvent> {
    if (this.#refuse?.(input) === true) {
      return Promise.reject(new StintError('STINT_ERR_AUDIT_UNAVAILABLE', `The test audit sink refused ${input.code}.`));
    }
    const prevHash = this.#events.at(-1)?.hash ?? GENESIS_HASH;
    const body = {
      seq: this.#events.length + 1,
      ts: this.#clock.now(),
      code: input.code,
      outcome: AUDIT_CODES[input.code].outcome,
      actor: input.actor,
      resource: input.resource ?? null,
      subject: input.subject ?? null,
      summary: input.summary,
      // Round-trip like a store would, so a value that is not JSON shows up in tests.
      data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
    };
    const hash = createHash('sha256').update(`${prevHash}\n${canonicalJson(body)}`).digest('hex');
    const event: AuditEvent = { ...body, prevHash, hash };
    this.#events.push(event);
    return Promise.resolve(event);
  }

  /** For code that appends inside its own transaction; here the transaction plays no part. */
  appendWithin(_trx: Transaction<Database>, input: AuditEventInput): Promise<AuditEvent> {
    return this.append(input);
  }
}
