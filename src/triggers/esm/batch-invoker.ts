import type { FunctionRef } from '../../domain/arn.js';
import { isLambdaError } from '../../domain/errors.js';
import type { InvokeService } from '../../invoke/invoke-service.js';

/** What came of invoking a function with one batch. */
export type BatchOutcome =
  | { kind: 'ok'; payload: Buffer; requestId: string }
  | { kind: 'function-error'; errorType: string; errorMessage: string; requestId: string }
  /** No concurrency left (429): back off and try again. */
  | { kind: 'throttled'; message: string }
  /** The function cannot run now (missing, not active, no sandbox): back off and try again. */
  | { kind: 'unavailable'; errorType: string; message: string };

/** Invokes functions synchronously with batches, as Lambda does for poll-based sources. */
export type BatchInvoker = (ref: FunctionRef, payload: Buffer) => Promise<BatchOutcome>;

export function batchInvoker(invoke: InvokeService): BatchInvoker {
  return async (ref, payload) => {
    try {
      const r = await invoke.invoke({ ref, payload, invocationType: 'RequestResponse' });
      if (r.functionError) {
        return {
          kind: 'function-error',
          errorType: r.errorType ?? 'Unhandled',
          errorMessage: errorMessageOf(r.payload),
          requestId: r.requestId,
        };
      }
      return { kind: 'ok', payload: r.payload, requestId: r.requestId };
    } catch (e) {
      if (isLambdaError(e)) {
        if (e.code === 'TooManyRequestsException') return { kind: 'throttled', message: e.message };
        return { kind: 'unavailable', errorType: e.code, message: e.message };
      }
      throw e;
    }
  };
}

function errorMessageOf(payload: Buffer): string {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown };
    if (typeof v.errorMessage === 'string') return v.errorMessage;
  } catch {
    // not JSON
  }
  return payload.toString('utf8').slice(0, 256);
}
