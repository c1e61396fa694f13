import { Component, type ReactNode } from 'react';

interface State {
  readonly error: Error | null;
}

/**
 * Catches rendering failures so a bug in one page shows a message and a way
 * out instead of a blank screen. `resetKey` (the path) clears it on navigation.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidUpdate(previous: { resetKey?: string }): void {
    if (this.state.error !== null && previous.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="error-panel" role="alert">
        <p className="error-title">This page failed to display</p>
        <p>
          <code className="error-code">CONSOLE_RENDER_ERROR</code> {this.state.error.message}
        </p>
        <p className="error-fix">Reload the page; if it happens again, report it with the steps that led here.</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
