import {
  ASYNC_BACKOFF_MAX_SECONDS,
  ASYNC_BACKOFF_MIN_SECONDS,
  ASYNC_RETRY_DELAY_STEP_SECONDS,
} from '../domain/async-invoke.js';

/**
 * Lambda's retry timings for asynchronous events, multiplied by `scale` (the server's
 * `--async-delay-scale`, 1 in production) so tests and demos need not wait minutes.
 */
export class RetryPolicy {
  constructor(readonly scale = 1) {
    if (!(scale > 0)) throw new RangeError(`the async delay scale must be positive, got ${scale}`);
  }

  /** The wait after the `attempts`-th failed attempt: 1 minute after the first, 2 after the second. */
  retryDelayMs(attempts: number): number {
    return this.#ms(ASYNC_RETRY_DELAY_STEP_SECONDS * Math.max(1, attempts));
  }

  /** The wait after the `backoffs`-th throttle or platform error: 1 s, 2 s, 4 s, ... up to 5 min. */
  backoffDelayMs(backoffs: number): number {
    const exponent = Math.min(Math.max(0, backoffs - 1), 30);
    return this.#ms(Math.min(ASYNC_BACKOFF_MAX_SECONDS, ASYNC_BACKOFF_MIN_SECONDS * 2 ** exponent));
  }

  /** `MaximumEventAgeInSeconds` as a duration. */
  maxAgeMs(seconds: number): number {
    return this.#ms(seconds);
  }

  #ms(seconds: number): number {
    return Math.max(1, Math.round(seconds * 1000 * this.scale));
  }
}
