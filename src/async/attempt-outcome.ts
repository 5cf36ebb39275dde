import { isLambdaError } from '../domain/errors.js';
import type { AsyncResponse } from '../store/ports.js';

/** What one attempt at an asynchronous event came to. */
export type AttemptOutcome =
  | { kind: 'success'; response: AsyncResponse; executedVersion: string }
  /** The function ran and failed (an error, a timeout, a crash, out of memory): uses an attempt. */
  | { kind: 'function-error'; response: AsyncResponse; executedVersion: string; error: string }
  /** No concurrency (429): backs off without using an attempt. */
  | { kind: 'throttled'; response: AsyncResponse; error: string }
  /** Nimbus could not run it (5xx, the function not ready): backs off without using an attempt. */
  | { kind: 'platform-error'; response: AsyncResponse; error: string }
  /** The function (or qualifier) no longer exists: nothing will ever run it. */
  | { kind: 'gone'; error: string };

/** Sorts a failure to invoke (an exception, not a function error) as Lambda's async path does. */
export function classifyFailure(
  e: unknown,
): Extract<AttemptOutcome, { kind: 'throttled' | 'platform-error' | 'gone' }> {
  if (isLambdaError(e)) {
    const error = `${e.code}: ${e.message}`;
    if (e.code === 'TooManyRequestsException')
      return { kind: 'throttled', response: { statusCode: 429 }, error };
    if (e.code === 'ResourceNotFoundException') return { kind: 'gone', error };
    const statusCode =
      e.code === 'ResourceConflictException' ? 409 : e.code === 'ResourceNotReadyException' ? 502 : 500;
    return { kind: 'platform-error', response: { statusCode }, error };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { kind: 'platform-error', response: { statusCode: 500 }, error: `ServiceException: ${message}` };
}

/** `Unhandled: MyError: boom`, from the error JSON the runtime reported (first line only). */
export function describeFunctionError(errorType: string | undefined, payload: Buffer): string {
  let type = errorType;
  let message: string | undefined;
  try {
    const e = JSON.parse(payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof e.errorType === 'string') type = e.errorType;
    if (typeof e.errorMessage === 'string') message = e.errorMessage.split('\n')[0];
  } catch {
    message = payload.toString('utf8').slice(0, 200);
  }
  return `Unhandled: ${[type, message].filter(Boolean).join(': ') || 'the function failed'}`;
}
