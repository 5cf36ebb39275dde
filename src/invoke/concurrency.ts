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
 * what is left (the unreserved pool), of which `unreservedMinimum` can never be reserved.
 * Provisioned concurrency of a function without a reservation is carved out too ("Provisioned
 * concurrency counts towards a function's reserved concurrency and Regional quotas", AWS
 * provisioned-concurrency docs). It belongs to the version it keeps warm: invocations that execute
 * that version (directly or through an alias) run on it first and spill over to the unreserved
 * pool; invocations of `$LATEST` or of other versions never use it, so they cannot starve the
 * version they were not provisioned for. A synchronous invocation over its limit is throttled at once (429 TooManyRequestsException with
 * the `Reason`); asynchronous ones stay queued (the async dispatcher asks
 * {@link ConcurrencyLimiter.isFullyThrottled} and {@link ConcurrencyLimiter.available}).
 */
export class ConcurrencyLimiter {
  readonly #reserved = new Map<string, number>();
  /** Provisioned concurrency per function (all its versions and aliases): what it carves out. */
  readonly #provisioned = new Map<string, number>();
  /** Provisioned concurrency per function and version (`name:version`): who may run on it. */
  readonly #provisionedVersions = new Map<string, number>();
  readonly #perFunction = new Map<string, number>();
  /** Executions running on a version's provisioned share (`name:version`; no reservation). */
  readonly #onProvisioned = new Map<string, number>();
  readonly #throttles = new Map<string, number>();
  /** Concurrency carved out of the account: reservations, and provisioned without one. */
  #carvedTotal = 0;
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
    return this.accountLimit - this.#carvedTotal;
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

  /**
   * How many more invocations of the function could start now: of `version` when given (its
   * provisioned share counts), else of a version without provisioned concurrency.
   */
  available(functionName: string, version?: string): number {
    const reserved = this.#reserved.get(functionName);
    if (reserved !== undefined) return Math.max(0, reserved - this.inFlightFor(functionName));
    const provisioned = version === undefined ? 0 : this.#freeProvisioned(functionName, version);
    return provisioned + Math.max(0, this.unreservedLimit - this.#unreservedInFlight);
  }

  /**
   * Rejects a reservation AWS would reject: one that leaves less than the minimum unreserved.
   * `provisioned` is what the function has provisioned; a reservation cannot be below it.
   */
  checkReservation(functionName: string, reserved: number, provisioned = 0): void {
    const others = this.#carvedTotal - this.#carved(functionName);
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

  /**
   * Rejects provisioned concurrency AWS would reject for a function without a reservation: more
   * than the unreserved pool has, or so much that less than the minimum stays unreserved.
   * `total` is what all the function's versions and aliases would have.
   */
  checkProvisioned(functionName: string, total: number): void {
    if (this.#reserved.has(functionName)) return;
    const available = this.accountLimit - (this.#carvedTotal - this.#carved(functionName));
    if (total > available) {
      throw invalidParameter(
        `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${available}].`,
      );
    }
    if (available - total < this.unreservedMinimum) {
      throw invalidParameter(
        `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.unreservedMinimum}].`,
      );
    }
  }

  /** Sets (or with undefined, removes) a function's reservation; checked by the caller. */
  setReserved(functionName: string, reserved: number | undefined): void {
    this.#carvedTotal -= this.#carved(functionName);
    if (reserved === undefined) this.#reserved.delete(functionName);
    else this.#reserved.set(functionName, reserved);
    this.#carvedTotal += this.#carved(functionName);
  }

  /**
   * Sets a function's provisioned concurrency (checked by the caller): `total` over all its
   * versions and aliases (0 for none) is carved out of the account; `byVersion` says how much of
   * it each published version's invocations may run on (an alias's configuration goes to the
   * versions it points to). Executions already running keep their slots.
   */
  setProvisioned(
    functionName: string,
    total: number,
    byVersion: ReadonlyMap<string, number> = new Map(),
  ): void {
    this.#carvedTotal -= this.#carved(functionName);
    if (total > 0) this.#provisioned.set(functionName, total);
    else this.#provisioned.delete(functionName);
    this.#carvedTotal += this.#carved(functionName);
    const prefix = `${functionName}:`;
    for (const key of this.#provisionedVersions.keys()) {
      if (key.startsWith(prefix)) this.#provisionedVersions.delete(key);
    }
    if (total <= 0) return;
    for (const [version, count] of byVersion) {
      if (count > 0) this.#provisionedVersions.set(prefix + version, count);
    }
  }

  /** A deleted function's reservation and counters go with it. */
  forget(functionName: string): void {
    this.setReserved(functionName, undefined);
    this.setProvisioned(functionName, 0);
    this.#throttles.delete(functionName);
  }

  /**
   * A slot for one execution of `functionName`, or TooManyRequestsException. `version` is the
   * version that will run (as the alias resolved): its provisioned share is used first. Without
   * it (a slot taken before the event is known) only the unreserved pool is used.
   */
  acquire(functionName: string, version?: string): Release {
    const reserved = this.#reserved.get(functionName);
    const running = this.inFlightFor(functionName);
    const onProvisioned =
      reserved === undefined && version !== undefined && this.#freeProvisioned(functionName, version) > 0;
    if (
      reserved !== undefined
        ? running >= reserved
        : !onProvisioned && this.#unreservedInFlight >= this.unreservedLimit
    ) {
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
    return this.#take(functionName, onProvisioned ? version : undefined, reserved === undefined);
  }

  /**
   * A slot on the provisioned share of the version, when one is free (else undefined, nothing
   * counted): an asynchronous event, whose slot was taken before its version was known, moves
   * onto it and gives its unreserved slot back.
   */
  acquireProvisioned(functionName: string, version: string): Release | undefined {
    if (this.#reserved.has(functionName) || this.#freeProvisioned(functionName, version) <= 0) {
      return undefined;
    }
    return this.#take(functionName, version, true);
  }

  /** Counts one execution: on `provisionedVersion`'s share, else (unreserved) on the pool. */
  #take(functionName: string, provisionedVersion: string | undefined, unreserved: boolean): Release {
    const key = provisionedVersion === undefined ? undefined : `${functionName}:${provisionedVersion}`;
    const fromUnreserved = unreserved && key === undefined;
    this.#inFlight++;
    if (fromUnreserved) this.#unreservedInFlight++;
    if (key !== undefined) this.#onProvisioned.set(key, (this.#onProvisioned.get(key) ?? 0) + 1);
    this.#perFunction.set(functionName, this.inFlightFor(functionName) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      if (fromUnreserved) this.#unreservedInFlight--;
      if (key !== undefined) {
        const p = (this.#onProvisioned.get(key) ?? 1) - 1;
        if (p <= 0) this.#onProvisioned.delete(key);
        else this.#onProvisioned.set(key, p);
      }
      const n = this.inFlightFor(functionName) - 1;
      if (n <= 0) this.#perFunction.delete(functionName);
      else this.#perFunction.set(functionName, n);
    };
  }

  /** What a function takes out of the account: its reservation, else its provisioned concurrency. */
  #carved(functionName: string): number {
    return this.#reserved.get(functionName) ?? this.#provisioned.get(functionName) ?? 0;
  }

  #freeProvisioned(functionName: string, version: string): number {
    const key = `${functionName}:${version}`;
    return Math.max(0, (this.#provisionedVersions.get(key) ?? 0) - (this.#onProvisioned.get(key) ?? 0));
  }
}
