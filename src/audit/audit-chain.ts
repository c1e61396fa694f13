import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.ts';
import type { AuditOutcome } from './audit-event.ts';

/** The fields of an event the chain covers: everything except the hashes themselves. */
export interface ChainFields {
  readonly seq: number;
  readonly ts: number;
  readonly code: string;
  readonly outcome: AuditOutcome;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * hash = sha256hex(prevHash + '\n' + canonicalJson({ seq, ts, code, outcome, actor, resource, subject, summary, data })).
 *
 * The seq is inside the hash, so an event cannot be moved to another position
 * without its hash changing; the previous hash is outside the JSON so anyone
 * can recompute the chain with a one-line script.
 */
export function computeEventHash(prevHash: string, fields: ChainFields): string {
  return hashChainBody(prevHash, chainBody(fields, canonicalJson(fields.data)));
}

/**
 * The canonical JSON the hash covers, built around data that is already in
 * canonical form. The writer serialises `data` once for storage and reuses it
 * here instead of sorting it a second time; the keys below are written in
 * sorted order, so the result equals `canonicalJson({ ...fields })` exactly
 * (a property test holds the two together).
 */
export function chainBody(fields: Omit<ChainFields, 'data'>, dataJson: string): string {
  return (
    `{"actor":${JSON.stringify(fields.actor)},"code":${JSON.stringify(fields.code)},"data":${dataJson},` +
    `"outcome":${JSON.stringify(fields.outcome)},"resource":${JSON.stringify(fields.resource)},"seq":${JSON.stringify(fields.seq)},` +
    `"subject":${JSON.stringify(fields.subject)},"summary":${JSON.stringify(fields.summary)},"ts":${JSON.stringify(fields.ts)}}`
  );
}

export function hashChainBody(prevHash: string, body: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
