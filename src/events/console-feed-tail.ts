import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { ConsoleEvent, ConsoleEventType, ConsoleFeed } from './console-feed.ts';
import { dataRecord } from '../audit/audit-row.ts';

/**
 * Feeds the console with changes made on other nodes. The in-process bus only
 * hears this node; the audit log is the record every node writes to, so
 * tailing it (while someone is watching) catches sessions, requests, grants
 * and contractor changes wherever they happened — and moments the bus has no
 * event for, like a withdrawn request.
 */

/** Audit codes that change what a console shows, and the notice each becomes. */
const CODE_TO_TYPE: Readonly<Record<string, ConsoleEventType>> = {
  SESSION_STARTED: 'session.started',
  SESSION_ENDED: 'session.ended',
  REQUEST_CREATED: 'request.created',
  REQUEST_APPROVAL_RECORDED: 'request.decided',
  REQUEST_APPROVED: 'request.decided',
  REQUEST_DENIED: 'request.decided',
  REQUEST_CANCELLED: 'request.decided',
  REQUEST_EXPIRED: 'request.decided',
  GRANT_CREATED: 'grant.created',
  GRANT_REVOKED: 'grant.ended',
  GRANT_EXPIRED: 'grant.ended',
  CONTRACTOR_ADDED: 'contractor.changed',
  CONTRACTOR_UPDATED: 'contractor.changed',
  CONTRACTOR_REMOVED: 'contractor.changed',
  CONTRACTOR_OFFBOARDED: 'contractor.changed',
  INVITE_CREATED: 'contractor.changed',
  INVITE_ACCEPTED: 'contractor.changed',
  INVITE_REVOKED: 'contractor.changed',
};

const TAIL_CODES = Object.keys(CODE_TO_TYPE);
const BATCH = 500;

export interface TailedRow {
  readonly seq: number;
  readonly ts: number;
  readonly code: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly resource: string | null;
  readonly data: unknown;
}


function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The console notice for an audit row, or null when the row is not one the console shows. */
export function consoleEventFor(row: TailedRow): ConsoleEvent | null {
  const type = CODE_TO_TYPE[row.code];
  if (type === undefined) return null;
  const data = dataRecord(row.data);
  const resource = row.resource ?? undefined;
  let id: string | undefined;
  let email: string | undefined;
  switch (type) {
    case 'session.started':
    case 'session.ended':
      id = text(data.session) ?? row.subject ?? undefined;
      email = row.actor;
      break;
    case 'request.created':
      id = text(data.request) ?? row.subject ?? undefined;
      email = row.actor;
      break;
    case 'request.decided':
      id = text(data.request) ?? row.subject ?? undefined;
      // Without the requester the notice goes to staff only: contractors see only what names them.
      email = text(data.requester);
      break;
    case 'grant.created':
    case 'grant.ended':
      id = text(data.grant);
      email = row.subject ?? undefined;
      break;
    case 'contractor.changed':
      email = row.subject ?? undefined;
      break;
    default:
      break;
  }
  return {
    type,
    at: new Date(Number(row.ts)).toISOString(),
    ...(id === undefined ? {} : { id }),
    ...(email === undefined ? {} : { email: email.toLowerCase() }),
    ...(resource === undefined ? {} : { resource }),
  };
}

export class ConsoleFeedTail {
  readonly #store: Store;
  readonly #feed: ConsoleFeed;
  readonly #logger: Pick<Logger, 'error'>;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | null = null;
  #cursor: number | null = null;
  #polling = false;

  constructor(deps: { store: Store; feed: ConsoleFeed; logger: Pick<Logger, 'error'>; pollMs?: number }) {
    this.#store = deps.store;
    this.#feed = deps.feed;
    this.#logger = deps.logger;
    this.#pollMs = deps.pollMs ?? 1000;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => void this.pollOnce(), this.#pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One round: nothing while nobody watches; the first round with a watcher starts from now, not from history. */
  async pollOnce(): Promise<void> {
    if (this.#polling) return;
    if (this.#feed.listenerCount === 0) {
      this.#cursor = null;
      return;
    }
    this.#polling = true;
    try {
      if (this.#cursor === null) {
        const head = await this.#store.db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
        // PostgreSQL returns bigint aggregates as strings.
        this.#cursor = head?.seq === null || head?.seq === undefined ? 0 : Number(head.seq);
        return;
      }
      const rows = await this.#store.db
        .selectFrom('audit_events')
        .select(['seq', 'ts', 'code', 'actor', 'subject', 'resource', 'data'])
        .where('seq', '>', this.#cursor)
        .where('code', 'in', TAIL_CODES)
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      for (const row of rows) {
        this.#cursor = Math.max(this.#cursor, Number(row.seq));
        const event = consoleEventFor({ ...row, seq: Number(row.seq), ts: Number(row.ts) });
        if (event !== null) this.#feed.publishFromRecord(event);
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'console feed: reading the audit log failed');
    } finally {
      this.#polling = false;
    }
  }
}
