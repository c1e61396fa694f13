/**
 * Non-fatal findings about webhooks: a secret or URL reference this process
 * cannot read, and plain http to a host other than this machine (bodies are
 * signed but readable on the way). The schema already rejected what cannot work.
 */
import { asRecord, type MergedPolicy } from './policy-merge.ts';
import { checkSecretRef, isSecretRef } from './policy-secrets.ts';
import type { PolicyWarning } from './policy-types.ts';
import { formatFieldPath, locate } from './policy-yaml.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function checkWebhooks(merged: MergedPolicy, env: NodeJS.ProcessEnv): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  for (const entry of merged.sections.webhooks.values()) {
    const webhook = asRecord(entry.value);
    if (webhook === undefined) continue;
    const warn = (field: string, message: string): void => {
      const path = ['webhooks', entry.rawKey, field];
      warnings.push({ file: entry.file.path, line: locate(entry.file, path).line, field: formatFieldPath(path), message });
    };
    for (const field of ['url', 'secret'] as const) {
      const value = webhook[field];
      if (typeof value !== 'string' || !isSecretRef(value)) continue;
      const problem = checkSecretRef(value, env);
      if (problem !== undefined) warn(field, `${problem} Deliveries to webhook "${entry.key}" will fail until it is.`);
    }
    const url = typeof webhook.url === 'string' && webhook.url.startsWith('http://') ? parseUrl(webhook.url) : null;
    if (url !== null && !LOOPBACK_HOSTS.has(url.hostname) && !url.hostname.startsWith('127.')) {
      warn('url', `Webhook "${entry.key}" posts over plain http to ${url.hostname}: bodies are signed but travel unencrypted; prefer https.`);
    }
  }
  return warnings;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
