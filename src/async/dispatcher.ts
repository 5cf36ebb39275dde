import type { EffectiveEventInvokeConfig } from '../domain/async-invoke.js';
import type { Clock, Timer } from '../domain/clock.js';
import { isLambdaError } from '../domain/errors.js';
import type { Release } from '../invoke/concurrency.js';
import type { InvokeRequest, InvokeResponse } from '../invoke/invoke-service.js';
import type { Logger } from '../observability/logger.js';
import type { AsyncEvent, AsyncEventStore, AsyncResponse } from '../store/ports.js';
import { type AttemptOutcome, classifyFailure, describeFunctionError, nextStep } from './attempt-outcome.js';
import { Finisher } from './finisher.js';
import type { DestinationMessage, ReservedConcurrency } from './ports.js';
import type { RetryPolicy } from './retry-policy.js';

export interface AsyncDispatcherOptions {
  store: AsyncEventStore;
  /** The EventInvokeConfig that applies to an event (read before every attempt). */
  config: (functionName: string, qualifier: string | undefined) => Promise<EffectiveEventInvokeConfig>;
  /** Runs an invocation through the sandbox path (InvokeService). */
  invoke: (req: InvokeRequest) => Promise<InvokeResponse>;
  /** Takes a concurrency slot or throws TooManyRequestsException (ConcurrencyLimiter). */
  acquire: (functionName: string) => Release;
  reserved: ReservedConcurrency;
  /** Delivers to a destination by ARN (DestinationRouter). */
  send: (arn: string, message: DestinationMessage) => Promise<void>;
  /** `DeadLetterConfig.TargetArn` of the version a qualifier names (undefined: `$LATEST`), if any. */
  deadLetterTarget: (functionName: string, qualifier: string | undefined) => Promise<string | undefined>;
  functionArn: (name: string, qualifier?: string) => string;
  policy: RetryPolicy;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How soon to look again when events are due but no concurrency is free. */
  capacityPollMs?: number;
  /** How long shutdown waits for running attempts before leaving them to the next start. */
  shutdownGraceMs?: number;
  /** How long succeeded events stay listed. */
  succeededRetentionMs?: number;
}

interface Lane {
  name: string;
  /** Earliest due time of its waiting events; undefined when none are waiting. */
  nextDue: number | undefined;
  running: number;
}

const CAPACITY_POLL_MS = 100;
const SHUTDOWN_GRACE_MS = 2_000;
const SUCCEEDED_RETENTION_MS = 3_600_000;
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Runs queued events: takes due events from the durable queue, within the account's concurrency,
 * round-robin across functions (one lane each), so a function with a flood of events cannot keep
 * another waiting for more than one turn. Every attempt goes through InvokeService with the
 * event's own request id; its outcome is recorded before the next step is taken:
 *
 *   queued ──claim──▶ in-flight ──success──────────────────────────▶ succeeded (OnSuccess)
 *                       │  ├─function error, attempts left──▶ retrying (1 min, 2 min)
 *                       │  ├─throttle / platform error──────▶ retrying (1 s … 5 min, attempts kept)
 *                       │  └─no attempts left / too old / reserved concurrency 0 ─▶ failed (OnFailure, DLQ)
 *                       └─ server died ──(next start)──▶ queued / retrying again (at-least-once)
 */
export class AsyncDispatcher {
  readonly name = 'async-dispatcher';
  readonly #lanes = new Map<string, Lane>();
  #order: string[] = [];
  #rr = 0;
  readonly #running = new Set<Promise<void>>();
  #pumping = false;
  #pumpAgain = false;
  /**
   * The account's concurrency was full at the last look: new events wait for a completion or the
   * poll instead of each trying (and failing) to take a slot.
   */
  #capacityBlocked = false;
  #timer?: Timer;
  #timerAt = Number.POSITIVE_INFINITY;
  #pruneTimer?: Timer;
  /** Events accepted before start() are only noted: start() first puts back what a dead server left. */
  #started = false;
  #closing = false;
  /** Set once shutdown stops waiting: late results are not recorded (the event runs again). */
  #abandoned = false;
  readonly #finisher: Finisher;

  constructor(private readonly o: AsyncDispatcherOptions) {
    this.#finisher = new Finisher({
      store: o.store,
      send: o.send,
      deadLetterTarget: o.deadLetterTarget,
      functionArn: o.functionArn,
      clock: o.clock,
      log: o.log,
    });
  }

  async start(): Promise<void> {
    const now = this.o.clock.now();
    const requeued = await this.o.store.requeueInFlight(now);
    if (requeued > 0) {
      this.o.log.warn(
        { requeued },
        `${requeued} asynchronous event(s) in flight at the last stop will run again`,
      );
    }
    for (const { functionName, dueAt } of await this.o.store.waitingFunctions())
      this.due(functionName, dueAt);
    this.#started = true;
    this.#schedulePrune();
    this.#pump();
  }

  /** An event of `functionName` became due at `dueAt` (accepted, retried, replayed). */
  due(functionName: string, dueAt: number): void {
    let lane = this.#lanes.get(functionName);
    if (!lane) {
      lane = { name: functionName, nextDue: undefined, running: 0 };
      this.#lanes.set(functionName, lane);
      this.#order.push(functionName);
    }
    if (lane.nextDue === undefined || dueAt < lane.nextDue) lane.nextDue = dueAt;
    if (!this.#started) return;
    if (dueAt <= this.o.clock.now() && !this.#capacityBlocked) this.#pump();
    else this.#arm();
  }

  /** Attempts running now (for status and tests). */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Stops taking events, gives running attempts a grace period, then leaves the rest in flight:
   * the next start puts them back in the queue. Writes what is pending before resolving.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#timer?.cancel();
    this.#pruneTimer?.cancel();
    const graceMs = this.o.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
    if (this.#running.size > 0 && graceMs > 0) {
      let timer: Timer | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = this.o.clock.setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...this.#running]), grace]);
      timer?.cancel();
    }
    this.#abandoned = true;
    await this.o.store.flush();
  }

  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void (async () => {
      try {
        do {
          this.#pumpAgain = false;
          await this.#fill();
        } while (this.#pumpAgain && !this.#closing);
      } catch (err) {
        this.o.log.error({ err }, 'the asynchronous event dispatcher failed; retrying shortly');
        this.#armAt(this.o.clock.now() + (this.o.capacityPollMs ?? CAPACITY_POLL_MS));
      } finally {
        this.#pumping = false;
      }
      this.#arm();
    })();
  }

  /** Starts due events until no lane has one or concurrency runs out. */
  async #fill(): Promise<void> {
    const blocked = new Set<Lane>();
    while (!this.#closing) {
      const now = this.o.clock.now();
      const next = this.#nextLane(now, blocked);
      if (!next) return;
      const { lane, index } = next;
      let slot: Release | undefined;
      // Reserved concurrency 0: the event goes straight to the failure path, without a slot.
      if (this.o.reserved.reservedFor(lane.name) !== 0) {
        try {
          slot = this.o.acquire(lane.name);
        } catch (e) {
          if (!isLambdaError(e) || e.code !== 'TooManyRequestsException') throw e;
          // The account is full: wait for a completion (or the poll). A per-function limit
          // blocks only this lane for this round.
          if (e.details.reason === 'ConcurrentInvocationLimitExceeded') {
            this.#capacityBlocked = true;
            return;
          }
          blocked.add(lane);
          continue;
        }
      }
      let event: AsyncEvent | undefined;
      try {
        event = await this.o.store.claimNext(lane.name, now);
      } catch (e) {
        slot?.();
        throw e;
      }
      if (!event) {
        slot?.();
        lane.nextDue = await this.o.store.nextDue(lane.name);
        this.#forgetIfIdle(lane);
        continue;
      }
      // The turn passes only when a lane was served: one that found no slot keeps its place.
      this.#rr = index + 1;
      this.#start(lane, event, slot);
    }
  }

  /** The next lane with a due event after the last one served (round-robin). */
  #nextLane(now: number, blocked: Set<Lane>): { lane: Lane; index: number } | undefined {
    const n = this.#order.length;
    for (let i = 0; i < n; i++) {
      const index = (this.#rr + i) % n;
      const lane = this.#lanes.get(this.#order[index]!);
      if (!lane || lane.nextDue === undefined || lane.nextDue > now || blocked.has(lane)) continue;
      return { lane, index };
    }
    return undefined;
  }

  #start(lane: Lane, event: AsyncEvent, slot: Release | undefined): void {
    lane.running++;
    const attempt = this.#attempt(event, slot)
      .catch((err: unknown) => {
        // A write failed (disk full, I/O error, or the store closing after shutdown gave up on
        // this attempt): the event stays in flight and runs again at the next start.
        if (this.#abandoned) return;
        this.o.log.error({ err, requestId: event.requestId }, 'recording an asynchronous attempt failed');
      })
      .finally(() => {
        lane.running--;
        this.#running.delete(attempt);
        this.#forgetIfIdle(lane);
        this.#capacityBlocked = false;
        if (!this.#closing) this.#pump();
      });
    this.#running.add(attempt);
  }

  async #attempt(event: AsyncEvent, slot: Release | undefined): Promise<void> {
    const o = this.o;
    let config: EffectiveEventInvokeConfig;
    try {
      config = await o.config(event.functionName, event.qualifier);
    } catch (e) {
      slot?.();
      throw e;
    }
    const expiresAt = event.enqueuedAt + o.policy.maxAgeMs(config.maximumEventAgeInSeconds);
    if (o.clock.now() >= expiresAt) {
      slot?.();
      return this.#finisher.finish(event, config, {
        condition: 'EventAgeExceeded',
        attempts: event.attempts,
        ...(event.lastResponse ? { response: event.lastResponse } : {}),
        lastError: `the event is older than MaximumEventAgeInSeconds (${config.maximumEventAgeInSeconds} s)`,
      });
    }
    if (!slot) {
      return this.#finisher.finish(event, config, {
        condition: 'RetriesExhausted',
        attempts: event.attempts,
        response: { statusCode: 429 },
        lastError: 'TooManyRequestsException: the function has reserved concurrency 0 (fully throttled)',
      });
    }
    const outcome = await this.#run(event, slot);
    if (this.#abandoned) return;
    const step = nextStep(event, outcome, config, o.policy, o.clock.now(), expiresAt);
    if (step.kind === 'finish') return this.#finisher.finish(event, config, step.finish);
    await o.store.retry(event.seq, step.retry);
    this.due(event.functionName, step.retry.dueAt);
  }

  async #run(event: AsyncEvent, slot: Release): Promise<AttemptOutcome> {
    try {
      const r = await this.o.invoke({
        ref: { name: event.functionName, ...(event.qualifier ? { qualifier: event.qualifier } : {}) },
        payload: event.payload,
        requestId: event.requestId,
        invocationType: 'Event',
        ...(event.traceId ? { traceId: event.traceId } : {}),
        slot,
      });
      const response: AsyncResponse = {
        statusCode: 200,
        payload: r.payload,
        ...(r.functionError ? { functionError: r.functionError } : {}),
      };
      if (r.functionError) {
        return {
          kind: 'function-error',
          response,
          executedVersion: r.executedVersion,
          error: describeFunctionError(r.errorType, r.payload),
        };
      }
      return { kind: 'success', response, executedVersion: r.executedVersion };
    } catch (e) {
      const outcome = classifyFailure(e);
      if (outcome.kind === 'platform-error' && !isLambdaError(e)) {
        this.o.log.error(
          { err: e, requestId: event.requestId },
          'unexpected error running an asynchronous event',
        );
      }
      return outcome;
    } finally {
      slot();
    }
  }

  #forgetIfIdle(lane: Lane): void {
    if (lane.nextDue !== undefined || lane.running > 0) return;
    this.#lanes.delete(lane.name);
    this.#order = this.#order.filter((n) => n !== lane.name);
  }

  /** Wakes up for the earliest future due time, or polls while due events wait for concurrency. */
  #arm(): void {
    if (this.#closing) return;
    const now = this.o.clock.now();
    let at = Number.POSITIVE_INFINITY;
    for (const lane of this.#lanes.values()) {
      if (lane.nextDue === undefined) continue;
      at = Math.min(
        at,
        lane.nextDue > now ? lane.nextDue : now + (this.o.capacityPollMs ?? CAPACITY_POLL_MS),
      );
    }
    this.#armAt(at);
  }

  #armAt(at: number): void {
    if (this.#closing || at === Number.POSITIVE_INFINITY) return;
    if (this.#timer && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.o.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#capacityBlocked = false;
        this.#pump();
      },
      Math.max(0, at - this.o.clock.now()),
    );
  }

  #schedulePrune(): void {
    if (this.#closing) return;
    this.#pruneTimer = this.o.clock.setTimeout(() => {
      const before = this.o.clock.now() - (this.o.succeededRetentionMs ?? SUCCEEDED_RETENTION_MS);
      this.o.store
        .pruneSucceeded(before)
        .catch((err: unknown) => this.o.log.warn({ err }, 'pruning succeeded asynchronous events failed'))
        .finally(() => this.#schedulePrune());
    }, PRUNE_INTERVAL_MS);
  }
}
