import type { ReactNode } from 'react';
import type { ApiState } from '../hooks/use-api.ts';
import { ErrorPanel } from './error-panel.tsx';

/**
 * A titled section that shows its own loading, error and content states, so
 * one failing endpoint leaves the rest of the page working.
 */
export function Panel<T>({ title, state, children, actions }: { title: string; state: ApiState<T>; children: (data: T) => ReactNode; actions?: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <div className="panel-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {state.error !== null ? (
        <ErrorPanel error={state.error} title={`Could not load ${title.toLowerCase()}`} onRetry={state.reload} />
      ) : state.data === undefined ? (
        <p className="loading" role="status">
          Loading…
        </p>
      ) : (
        children(state.data)
      )}
    </section>
  );
}
