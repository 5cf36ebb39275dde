import type { EffectiveEventInvokeConfig } from '../domain/async-invoke.js';
import { isLambdaError } from '../domain/errors.js';
import type { AsyncEvent, AsyncResponse, AsyncRetry } from '../store/ports.js';
import type { FinishInput } from './finisher.js';
import type { RetryPolicy } from './retry-policy.js';

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

/** After an attempt: try again at `retry.dueAt`, or end the event. */
export type NextStep = { kind: 'retry'; retry: AsyncRetry } | { kind: 'finish'; finish: FinishInput };

/**
 * Lambda's rules for what follows an attempt: a function error uses an attempt and waits 1, then
 * 2 minutes, until MaximumRetryAttempts are used; a throttle or platform error backs off without
 * using one; no wait goes past the event's expiry (the age check then ends it).
 */
export function nextStep(
  event: AsyncEvent,
  outcome: AttemptOutcome,
  config: EffectiveEventInvokeConfig,
  policy: RetryPolicy,
  now: number,
  expiresAt: number,
): NextStep {
  switch (outcome.kind) {
    case 'success':
      return {
        kind: 'finish',
        finish: {
          condition: 'Success',
          attempts: event.attempts + 1,
          response: outcome.response,
          executedVersion: outcome.executedVersion,
        },
      };
    case 'function-error': {
      const attempts = event.attempts + 1;
      if (attempts > config.maximumRetryAttempts) {
        return {
          kind: 'finish',
          finish: {
            condition: 'RetriesExhausted',
            attempts,
            response: outcome.response,
            executedVersion: outcome.executedVersion,
            lastError: outcome.error,
          },
        };
      }
      return {
        kind: 'retry',
        retry: {
          attempts,
          backoffs: event.backoffs,
          dueAt: Math.min(now + policy.retryDelayMs(attempts), expiresAt),
          lastError: outcome.error,
          lastResponse: outcome.response,
        },
      };
    }
    case 'throttled':
    case 'platform-error': {
      const backoffs = event.backoffs + 1;
      return {
        kind: 'retry',
        retry: {
          attempts: event.attempts,
          backoffs,
          dueAt: Math.min(now + policy.backoffDelayMs(backoffs), expiresAt),
          lastError: outcome.error,
          lastResponse: outcome.response,
        },
      };
    }
    case 'gone':
      return {
        kind: 'finish',
        finish: { condition: undefined, attempts: event.attempts, lastError: outcome.error },
      };
  }
}
