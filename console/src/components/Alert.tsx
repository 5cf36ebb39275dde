import type { ReactNode } from 'react';
import { asApiError } from '../api/errors';

/** An error as AWS words it: the error type, then the message. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = asApiError(error);
  return (
    <div className="alert alert-error" role="alert" data-testid="error">
      <strong>{title ?? e.code}</strong>
      {title ? <span className="code"> {e.code}</span> : null}
      <div>{e.message}</div>
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'success' }) {
  return <div className={`alert alert-${kind}`}>{children}</div>;
}

export function FieldError({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <div className="field-error" role="alert" data-testid="field-error">
      {message}
    </div>
  );
}
