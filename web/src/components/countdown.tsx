import { useNow } from '../hooks/use-now.ts';
import { toMillis, formatAbsolute, formatSpan, type Instant } from '../time/instant.ts';

/**
 * "ends in 3 h 12 min", ticking every second; the exact time in the viewer's
 * zone is in the element's title and datetime.
 */
export function Countdown({ to, prefix = 'ends in', ended = 'ended', none = 'no end' }: { to: Instant | null; prefix?: string; ended?: string; none?: string }) {
  const now = useNow(1000);
  const at = toMillis(to);
  if (at === null) return <span className="countdown">{none}</span>;
  const left = at - now;
  const exact = formatAbsolute(at, true);
  return (
    <time className={left <= 0 ? 'countdown countdown-ended' : left < 15 * 60_000 ? 'countdown countdown-soon' : 'countdown'} dateTime={new Date(at).toISOString()} title={exact}>
      {left <= 0 ? ended : `${prefix} ${formatSpan(left)}`}
    </time>
  );
}
