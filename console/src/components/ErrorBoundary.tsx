import { Component, type ReactNode } from 'react';

interface State {
  error?: Error;
}

/** A page that fails to render says what failed, instead of leaving a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, State> {
  override state: State = {};

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(prev: { resetKey: string }): void {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="page">
        <div className="alert alert-error" role="alert" data-testid="error">
          <strong>This page failed to show.</strong>
          <div>{this.state.error.message}</div>
        </div>
        <button type="button" onClick={() => this.setState({ error: undefined })}>
          Try again
        </button>
      </div>
    );
  }
}
