/**
 * How a finished buffered invoke is reported: the result as `JSON.stringify(result ?? null)` to
 * `/response`, or the error (logged first as `Invoke Error`, as RIC does) to `/error`.
 */
import { jsonStringify } from './intrinsics.js';
import { logError } from './log-patch.js';
import type { RuntimeClient } from './runtime-client.js';

export type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

export const success = (result: unknown): Outcome => ({ ok: true, result });
export const failure = (error: unknown): Outcome => ({ ok: false, error });

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function serialize(result: unknown): string | Error {
  try {
    // `JSON.stringify` yields undefined for functions and symbols: nothing to send.
    return jsonStringify(result === undefined ? null : result) ?? '';
  } catch {
    return new Error('Unable to stringify response body');
  }
}

export async function reportOutcome(
  client: RuntimeClient,
  requestId: string,
  outcome: Outcome,
): Promise<void> {
  const body = outcome.ok ? serialize(outcome.result) : undefined;
  if (typeof body === 'string') return client.postInvocationResponse(requestId, body);
  const error = outcome.ok ? body : outcome.error;
  logError('Invoke Error', error);
  return client.postInvocationError(requestId, error);
}
