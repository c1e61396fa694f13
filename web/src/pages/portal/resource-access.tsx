import type { MyAccess, MyResource } from '../../api/api-types.ts';
import { Countdown } from '../../components/countdown.tsx';
import { toMillis, type Instant } from '../../time/instant.ts';

/**
 * The earliest of an end and the bounds over it (engagement end, token expiry):
 * access cannot outlive either. The server already caps what it sends; capping
 * again here keeps a stale or older answer from promising more time than the
 * engagement or token has left. Null only when nothing bounds it.
 */
export function cappedEnd(end: Instant | null, bounds: readonly (Instant | null | undefined)[]): number | null {
  let earliest: number | null = toMillis(end);
  for (const bound of bounds) {
    const at = toMillis(bound);
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest;
}

const SOURCE: Record<MyAccess['via'], string> = { role: 'through your role', grant: 'approved grant' };

/**
 * Each action on a resource with what allows it and its own countdown, so a
 * grant approved for an hour counts down on its own rather than hiding behind
 * the engagement's end.
 */
export function ResourceAccess({ resource, bounds }: { resource: MyResource; bounds: readonly (Instant | null | undefined)[] }) {
  return (
    <ul className="access-list" aria-label={`Access to ${resource.name}`}>
      {resource.access.map((a) => (
        <li key={a.action} aria-label={`${a.action} on ${resource.name}`}>
          <strong>{a.action}</strong>{' '}
          <span className="muted" title={a.grantId === undefined ? undefined : `grant ${a.grantId}`}>
            {SOURCE[a.via]}
          </span>{' '}
          — <Countdown to={cappedEnd(a.expiresAt, bounds)} />
        </li>
      ))}
    </ul>
  );
}
