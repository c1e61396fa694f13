import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, type ApiError } from '../api/api-error.ts';

export interface ApiState<T> {
  readonly data: T | undefined;
  readonly error: ApiError | null;
  readonly loading: boolean;
  /** Fetches again, keeping the current data on screen until the answer comes. */
  reload: () => void;
}

/**
 * Runs `load` on mount and whenever `deps` change; the latest answer wins
 * (an older, slower answer never overwrites a newer one).
 */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(asApiError(failure));
        setLoading(false);
      },
    );
  }, []);

  // The caller names what the load depends on, as with useEffect.
  useEffect(run, [run, ...deps]);
  useEffect(() => () => void (generation.current += 1), []);

  return { data, error, loading, reload: run };
}
