import { invalidParameter, LambdaError } from '../domain/errors.js';
import { UNRESERVED_CONCURRENCY_MIN } from '../domain/limits.js';

/** Gives back a concurrency slot; calling it twice is harmless. */
export type Release = () => void;

/** Seconds a throttled caller is told to wait (`Retry-After`). */
export const THROTTLE_RETRY_AFTER_SECONDS = 1;

/**
 * Concurrent executions, counted as Lambda counts them (lambda-reference §8, §2.5): an account
 * limit shared by all functions, from which reserved concurrency is carved out. A function with
 * a reservation runs at most that many at once and never competes for the rest; the others share
 * what is left (the unreserved pool), of which `unreservedMinimum` can never be reserved. A
 * synchronous invocation over its limit is throttled at once (429 TooManyRequestsException with
 * the `Reason`); asynchronous ones stay queued (the async dispatcher asks
 * {@link ConcurrencyLimiter.isFullyThrottled} and {@link ConcurrencyLimiter.available}).
 */
export class ConcurrencyLimiter {
  readonly #reserved = new Map<string, number>();
  readonly #perFunction = new Map<string, number>();
  readonly #throttles = new Map<string, number>();
  #reservedTotal = 0;
  #inFlight = 0;
  /** In flight for functions without a reservation. */
  #unreservedInFlight = 0;
  #throttleTotal = 0;
  /** Concurrency that must stay unreserved: AWS's 100, or the whole limit on a smaller account. */
  readonly unreservedMinimum: number;

  constructor(readonly accountLimit: number) {
    this.unreservedMinimum = Math.min(UNRESERVED_CONCURRENCY_MIN, accountLimit);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** What functions without a reservation share (`UnreservedConcurrentExecutions`). */
  get unreservedLimit(): number {
    return this.accountLimit - this.#reservedTotal;
  }

  get throttles(): number {
    return this.#throttleTotal;
  }

  inFlightFor(functionName: string): number {
    return this.#perFunction.get(functionName) ?? 0;
  }

  throttlesFor(functionName: string): number {
    return this.#throttles.get(functionName) ?? 0;
  }

  reservedFor(functionName: string): number | undefined {
    return this.#reserved.get(functionName);
  }

  /** Reserved concurrency 0: every invocation is throttled (async events go to the failure path). */
  isFullyThrottled(functionName: string): boolean {
    return this.#reserved.get(functionName) === 0;
  }

  /** How many more invocations of the function could start now. */
  available(functionName: string): number {
    const reserved = this.#reserved.get(functionName);
    if (reserved !== undefined) return Math.max(0, reserved - this.inFlightFor(functionName));
    return Math.max(0, this.unreservedLimit - this.#unreservedInFlight);
  }

  /**
   * Rejects a reservation AWS would reject: one that leaves less than the minimum unreserved.
   * `provisioned` is what the function has provisioned; a reservation cannot be below it.
   */
  checkReservation(functionName: string, reserved: number, provisioned = 0): void {
    const others = this.#reservedTotal - (this.#reserved.get(functionName) ?? 0);
    if (this.accountLimit - others - reserved < this.unreservedMinimum) {
      throw invalidParameter(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.unreservedMinimum}].`,
      );
    }
    if (reserved < provisioned) {
      throw invalidParameter(
        `Specified ReservedConcurrentExecutions for function is less than the function's provisioned concurrency [${provisioned}].`,
      );
    }
  }

  /** Sets (or with undefined, removes) a function's reservation; checked by the caller. */
  setReserved(functionName: string, reserved: number | undefined): void {
    this.#reservedTotal -= this.#reserved.get(functionName) ?? 0;
    if (reserved === undefined) this.#reserved.delete(functionName);
    else {
      this.#reserved.set(functionName, reserved);
      this.#reservedTotal += reserved;
    }
  }

  /** A deleted function's reservation and counters go with it. */
  forget(functionName: string): void {
    this.setReserved(functionName, undefined);
    this.#throttles.delete(functionName);
  }

  /** A slot for one execution of `functionName`, or TooManyRequestsException. */
  acquire(functionName: string): Release {
    const reserved = this.#reserved.get(functionName);
    const running = this.inFlightFor(functionName);
    if (reserved !== undefined ? running >= reserved : this.#unreservedInFlight >= this.unreservedLimit) {
      this.#throttleTotal++;
      this.#throttles.set(functionName, this.throttlesFor(functionName) + 1);
      throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.', {
        reason:
          reserved !== undefined
            ? 'ReservedFunctionConcurrentInvocationLimitExceeded'
            : 'ConcurrentInvocationLimitExceeded',
        retryAfterSeconds: THROTTLE_RETRY_AFTER_SECONDS,
      });
    }
    const fromUnreserved = reserved === undefined;
    this.#inFlight++;
    if (fromUnreserved) this.#unreservedInFlight++;
    this.#perFunction.set(functionName, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      if (fromUnreserved) this.#unreservedInFlight--;
      const n = this.inFlightFor(functionName) - 1;
      if (n <= 0) this.#perFunction.delete(functionName);
      else this.#perFunction.set(functionName, n);
    };
  }
}
