import type { ApiError } from '../api/api-error.ts';

/** An API failure as the viewer reads it: code, message, the fix, and a retry. */
export function ErrorPanel({ error, title = 'Could not load this', onRetry }: { error: ApiError; title?: string; onRetry?: () => void }) {
  return (
    <div className="error-panel" role="alert">
      <p className="error-title">{title}</p>
      <p>
        <code className="error-code">{error.code}</code> {error.message}
      </p>
      {error.fix === null ? null : <p className="error-fix">{error.fix}</p>}
      {error.details.length > 0 ? (
        <ul className="error-details">
          {error.details.map((d, i) => (
            <li key={i}>{d.field === undefined ? d.message : `${d.field}: ${d.message}`}</li>
          ))}
        </ul>
      ) : null}
      {onRetry === undefined ? null : (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
