import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, type ApiError } from '../api/api-error.ts';

export interface PageResult<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null | undefined;
}

export interface PagedState<T> {
  readonly items: readonly T[];
  /** Null before the first page arrives. */
  readonly loaded: boolean;
  readonly loading: boolean;
  readonly error: ApiError | null;
  readonly hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * Cursor paging: the first page loads when `deps` change; `loadMore` appends
 * the next. A change of filters discards pages still in flight for the old ones.
 */
export function usePaged<T>(loadPage: (cursor: string | undefined) => Promise<PageResult<T>>, deps: readonly unknown[]): PagedState<T> {
  const [items, setItems] = useState<readonly T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const generation = useRef(0);
  const busy = useRef(false);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;

  const fetchPage = useCallback((from: string | undefined, append: boolean) => {
    const mine = append ? generation.current : ++generation.current;
    busy.current = true;
    setLoading(true);
    loadRef.current(from).then(
      (page) => {
        if (mine !== generation.current) return;
        busy.current = false;
        setItems((previous) => (append ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor ?? undefined);
        setLoaded(true);
        setLoading(false);
        setError(null);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        busy.current = false;
        setLoading(false);
        setError(asApiError(failure));
      },
    );
  }, []);

  const reload = useCallback(() => fetchPage(undefined, false), [fetchPage]);
  // The caller names what the first page depends on, as with useEffect.
  useEffect(reload, [reload, ...deps]);
  useEffect(() => () => void (generation.current += 1), []);

  const loadMore = useCallback(() => {
    if (cursor === undefined || busy.current) return;
    fetchPage(cursor, true);
  }, [cursor, fetchPage]);

  return { items, loaded, loading, error, hasMore: cursor !== undefined, loadMore, reload };
}
