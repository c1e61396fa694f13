/**
 * The `webhook.*` lines of a plan. A webhook URL often carries a credential in
 * its path (Slack's do), so a plan shows only its scheme and host, and says
 * that a secret reference changed without showing either reference.
 */
import type { PlanChange } from './policy-plan.ts';
import type { WebhookSpec } from './policy-types.ts';

export function diffWebhooks(next: readonly WebhookSpec[], previous: readonly WebhookSpec[]): PlanChange[] {
  const before = new Map(previous.map((webhook) => [webhook.name, webhook]));
  const changes: PlanChange[] = [];
  for (const webhook of next) {
    const old = before.get(webhook.name);
    if (old === undefined) {
      changes.push({ kind: 'webhook.added', subject: webhook.name, text: `webhook ${webhook.name}: ${describeWebhook(webhook)}` });
      continue;
    }
    const parts = webhookDifferences(old, webhook);
    if (parts.length > 0) changes.push({ kind: 'webhook.changed', subject: webhook.name, text: `webhook ${webhook.name}: ${parts.join('; ')}` });
  }
  const names = new Set(next.map((webhook) => webhook.name));
  for (const name of before.keys()) {
    if (!names.has(name)) changes.push({ kind: 'webhook.removed', subject: name, text: `webhook ${name}` });
  }
  return changes;
}

/** Scheme and host of a literal URL; for a reference, only that the URL comes from one. */
export function showWebhookUrl(url: string): string {
  if (url.startsWith('env:') || url.startsWith('file:')) return `a URL kept in ${url.startsWith('env:') ? 'an environment variable' : 'a file'}`;
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname !== '/' || parsed.search !== '' ? '/…' : '';
    return `${parsed.protocol}//${parsed.host}${hidden}`;
  } catch {
    return '(unreadable URL)';
  }
}

function describeWebhook(webhook: WebhookSpec): string {
  const signed = webhook.secret === undefined ? 'unsigned' : 'signed';
  return `${webhook.format} to ${showWebhookUrl(webhook.url)}, events ${webhook.events.join(', ')}, ${signed}`;
}

function webhookDifferences(before: WebhookSpec, after: WebhookSpec): string[] {
  const parts: string[] = [];
  if (before.url !== after.url) {
    const was = showWebhookUrl(before.url);
    const will = showWebhookUrl(after.url);
    parts.push(was === will ? 'URL changed' : `URL ${was} → ${will}`);
  }
  const was = new Set(before.events);
  const will = new Set(after.events);
  const added = after.events.filter((event) => !was.has(event));
  const removed = before.events.filter((event) => !will.has(event));
  if (added.length > 0) parts.push(`events added ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`events removed ${removed.join(', ')}`);
  if (before.format !== after.format) parts.push(`format ${before.format} → ${after.format}`);
  if (before.secret !== after.secret) {
    parts.push(after.secret === undefined ? 'no longer signed' : before.secret === undefined ? 'now signed' : 'secret reference changed');
  }
  return parts;
}
