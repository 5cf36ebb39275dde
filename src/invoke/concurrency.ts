import { LambdaError } from '../domain/errors.js';

/** Gives back a concurrency slot; calling it twice is harmless. */
export type Release = () => void;

/**
 * Concurrent executions, counted as Lambda counts them: an account-wide limit shared by all
 * functions. A synchronous invocation over the limit is throttled (429) at once.
 */
export class ConcurrencyLimiter {
  #inFlight = 0;
  readonly #perFunction = new Map<string, number>();

  constructor(readonly accountLimit: number) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  inFlightFor(functionName: string): number {
    return this.#perFunction.get(functionName) ?? 0;
  }

  /** A slot for one execution of `functionName`, or TooManyRequestsException. */
  acquire(functionName: string): Release {
    if (this.#inFlight >= this.accountLimit) {
      throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.', {
        reason: 'ConcurrentInvocationLimitExceeded',
        retryAfterSeconds: 1,
      });
    }
    this.#inFlight++;
    this.#perFunction.set(functionName, (this.#perFunction.get(functionName) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      const n = (this.#perFunction.get(functionName) ?? 1) - 1;
      if (n === 0) this.#perFunction.delete(functionName);
      else this.#perFunction.set(functionName, n);
    };
  }
}
