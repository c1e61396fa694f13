import type { AuditQuery } from '../../api/endpoints.ts';

export interface AuditFilterDraft {
  readonly q: string;
  readonly actor: string;
  readonly resource: string;
  readonly code: string;
  /** `datetime-local` values, in the viewer's zone. */
  readonly since: string;
  readonly until: string;
}

export const EMPTY_FILTERS: AuditFilterDraft = { q: '', actor: '', resource: '', code: '', since: '', until: '' };

/** A datetime-local value (viewer's zone) as an ISO instant; undefined when empty or unreadable. */
export function localToIso(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The form as API query parameters, leaving out what is empty. */
export function toAuditQuery(draft: AuditFilterDraft): AuditQuery {
  const pick = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const query: Record<string, string | undefined> = {
    q: pick(draft.q),
    actor: pick(draft.actor),
    resource: pick(draft.resource),
    code: pick(draft.code),
    since: localToIso(draft.since),
    until: localToIso(draft.until),
  };
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}
