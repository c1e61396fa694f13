import { useNow } from '../hooks/use-now.ts';
import { formatAbsolute, formatRelative, toMillis, type Instant } from '../time/instant.ts';

/** A past or future instant, relative ("5 min ago") with the exact time as title; refreshes every 30 s. */
export function TimeAgo({ at, never = 'never' }: { at: Instant | null | undefined; never?: string }) {
  const now = useNow(30_000);
  const ms = toMillis(at);
  if (ms === null) return <span>{never}</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatAbsolute(ms, true)}>
      {formatRelative(ms, now)}
    </time>
  );
}

/** The exact instant in the viewer's zone. */
export function DateTime({ at, precise = false }: { at: Instant | null | undefined; precise?: boolean }) {
  const ms = toMillis(at);
  if (ms === null) return <span>—</span>;
  return <time dateTime={new Date(ms).toISOString()}>{formatAbsolute(ms, precise)}</time>;
}
