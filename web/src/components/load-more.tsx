import { useEffect, useRef } from 'react';
import type { PagedState } from '../hooks/use-paged.ts';
import { ErrorPanel } from './error-panel.tsx';

/**
 * Infinite scroll with a keyboard-friendly fallback: the next page loads when
 * the sentinel scrolls into view, and the "load more" button does the same
 * for keyboard users (and browsers without IntersectionObserver).
 */
export function LoadMore<T>({ paged, label }: { paged: PagedState<T>; label: string }) {
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasMore, loadMore, error } = paged;

  useEffect(() => {
    const node = sentinel.current;
    if (node === null || !hasMore || error !== null || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasMore, loadMore, error]);

  return (
    <div className="load-more">
      {error !== null && paged.loaded ? <ErrorPanel error={error} title="Could not load more" onRetry={loadMore} /> : null}
      {hasMore ? (
        <>
          <div ref={sentinel} aria-hidden="true" className="sentinel" />
          <button type="button" onClick={loadMore} disabled={paged.loading}>
            {paged.loading ? 'Loading…' : label}
          </button>
        </>
      ) : paged.loaded && paged.items.length > 0 ? (
        <p className="hint">End of the list.</p>
      ) : null}
    </div>
  );
}
