import { randomBytes } from 'node:crypto';
import type { DomainEvent } from '../events/event-bus.ts';
import type { WebhookFormat } from '../policy/policy-types.ts';
import { formatDuration } from '../time/duration.ts';
import { isoString } from '../time/instant.ts';

/** Sent by `stint webhooks test` through the same queue and worker as real events. */
export interface WebhookTestEvent {
  readonly type: 'webhook.test';
  readonly at: number;
  readonly webhook: string;
  readonly by: string;
}

export type NotifyEvent = DomainEvent | WebhookTestEvent;

/** The JSON body of a `json` webhook: one envelope per event, the same for every webhook it goes to. */
export interface WebhookEnvelope {
  /** `evt_…`: the same event delivered to several webhooks keeps one id. */
  readonly id: string;
  readonly type: NotifyEvent['type'];
  /** When the event happened, ms since the epoch. */
  readonly at: number;
  /** One readable line (what Slack shows). */
  readonly summary: string;
  /** The event's own fields (instants in ms since the epoch). */
  readonly data: Readonly<Record<string, unknown>>;
}

export function newEventId(): string {
  return `evt_${randomBytes(10).toString('hex')}`;
}

export function envelopeOf(event: NotifyEvent, id: string = newEventId()): WebhookEnvelope {
  const { type, at, ...data } = event;
  return { id, type, at, summary: summaryOf(event), data };
}

/** The exact body POSTed to a webhook of the given format. */
export function webhookBody(envelope: WebhookEnvelope, format: WebhookFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(envelope);
    case 'slack':
      return JSON.stringify({ text: `Stint: ${envelope.summary}` });
  }
}

function on(actions: readonly string[], resource: string): string {
  return `${actions.join(', ')} on ${resource}`;
}

/** A readable line per event: who, what, where, until when, why. */
export function summaryOf(event: NotifyEvent): string {
  switch (event.type) {
    case 'request.created': {
      const { request } = event;
      const why = request.reason === null ? '' : `: ${request.reason}`;
      return `${request.requester} requests ${on(request.actions, request.resource)} for ${formatDuration(request.durationMs)} (request ${request.id})${why}.`;
    }
    case 'request.approved':
      return `Request ${event.request.id} of ${event.request.requester} for ${on(event.request.actions, event.request.resource)} was approved by ${event.approvedBy.join(', ')}; access until ${isoString(event.grant.expiresAt)} (grant ${event.grant.id}).`;
    case 'request.denied':
      return `Request ${event.request.id} of ${event.request.requester} for ${on(event.request.actions, event.request.resource)} was denied by ${event.by}: ${event.reason}.`;
    case 'request.expired':
      return `Request ${event.request.id} of ${event.request.requester} for ${on(event.request.actions, event.request.resource)} expired without enough approvals.`;
    case 'grant.expired':
      return `Grant ${event.grant.id} of ${event.grant.email} for ${on(event.grant.actions, event.grant.resource)} expired at ${isoString(event.grant.expiresAt)}.`;
    case 'grant.revoked':
      return `Grant ${event.grant.id} of ${event.grant.email} for ${on(event.grant.actions, event.grant.resource)} was revoked by ${event.by}: ${event.reason}.`;
    case 'contractor.offboarded': {
      const how = event.cause === 'engagement_ended' ? 'at the end of the engagement' : event.cause === 'policy_removed' ? `by a policy apply of ${event.by}` : `by ${event.by}`;
      return `${event.email} was offboarded ${how}: ${event.reason}.`;
    }
    case 'session.killed':
      return `Session ${event.session} of ${event.contractor} on ${event.resource} was ended by ${event.by}: ${event.reason}.`;
    case 'policy.applied':
      return `Policy ${event.digest.slice(0, 12)} was applied by ${event.by}: ${event.changes.length} change(s).`;
    case 'webhook.test':
      return `Test event for webhook ${event.webhook}, sent by ${event.by}.`;
  }
}
