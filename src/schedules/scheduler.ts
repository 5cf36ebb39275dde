import type { AccountScope } from '../domain/arn.js';
import type { Clock, Timer } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import type { ScheduleStore } from '../store/schedule-ports.js';
import {
  latestSlot,
  nextSlot,
  parseExpression,
  type ScheduleExpression,
  type SlotWindow,
} from './expression.js';
import type { PendingDelivery, Schedule } from './schedule.js';
import { scheduledEvent, slotFraction, slotId } from './scheduled-event.js';

export interface SchedulerOptions {
  store: ScheduleStore;
  clock: Clock;
  scope: AccountScope;
  /**
   * Hands one event to the asynchronous invoke path and resolves once it is committed there. The
   * same `requestId` handed twice must be queued once (EventQueue does this).
   */
  deliver(d: { targetArn: string; payload: Buffer; requestId: string }): Promise<void>;
  /**
   * Sends to a dead-letter queue (an SQS ARN); throws when it cannot. `requestId` is the slot's,
   * for FIFO queues' deduplication.
   */
  deadLetter?(
    arn: string,
    body: string,
    attributes: Record<string, string>,
    requestId: string,
  ): Promise<void>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** First retry delay after a failed hand-over; doubles up to {@link retryMaxMs}. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Told after each slot is handed over (tests, benchmarks). */
  onDelivered?(d: PendingDelivery, requestId: string): void;
}

/** What `nimbus trigger list` and `nimbus schedule list` show about a schedule. */
export interface ScheduleStatus {
  nextFiring?: number | undefined;
  lastFired?: number | undefined;
  lastError?: string | undefined;
}

interface Runtime extends ScheduleStatus {
  timer?: Timer;
  expression?: { updatedAt: number; parsed: ScheduleExpression };
  /** Fired slots not yet taken by the async queue: request id → when the slot was to fire. */
  handOvers?: Map<string, number>;
}

/** A schedule's lag as `nimbus_schedule_lag_seconds` reports it. */
export interface ScheduleLag {
  group: string;
  name: string;
  seconds: number;
}

/** Longest single wait: Node timers overflow after 24.8 days, and a re-check costs nothing. */
const MAX_WAIT_MS = 3_600_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 300_000;

/** Errors that waiting will not fix: the Scheduler does not retry them either. */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'InvalidParameterValueException',
  'InvalidRequestContentException',
  'RequestEntityTooLargeException',
  'AccessDeniedException',
  'ValidationException',
]);

const keyOf = (group: string, name: string) => `${group}/${name}`;

/**
 * Fires schedules. Each enabled schedule has one timer, armed for its next slot (plus its
 * flexible-window offset); nothing polls. Firing a slot is one SQLite transaction that moves the
 * schedule's cursor to the slot and records the delivery; only then is the event handed to the
 * asynchronous invoke path, under a request id derived from schedule and slot, and the record is
 * dropped once the queue has committed it.
 *
 * - A crash before that transaction leaves the slot unfired: it counts as missed at the next start.
 * - A crash after it leaves the delivery recorded: the next start hands it over again with the same
 *   request id, which the async queue takes once. Every slot is queued exactly once.
 * - Missed slots (the server was down, or the schedule could not keep up): only the most recent
 *   fires, at once, and only while it is younger than Target.RetryPolicy.MaximumEventAgeInSeconds
 *   (24 h by default); older ones are skipped.
 * - A hand-over that fails is retried with backoff (1 s doubling to 5 min) up to
 *   MaximumRetryAttempts within MaximumEventAgeInSeconds, then sent to the DeadLetterConfig queue,
 *   if any, and dropped; an error that will not go away (the function was deleted) is not retried.
 */
export class Scheduler {
  readonly name = 'scheduler';
  readonly #runtime = new Map<string, Runtime>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #retryTimers = new Set<Timer>();
  #started = false;
  #closing = false;

  constructor(private readonly o: SchedulerOptions) {}

  async start(): Promise<void> {
    this.#started = true;
    const pending = this.o.store.pending();
    if (pending.length > 0) {
      this.o.log.info(
        { deliveries: pending.length },
        `handing ${pending.length} fired schedule slot(s) to the async queue again`,
      );
    }
    for (const d of pending) {
      // When the slot was to fire within a FLEXIBLE window is not kept: count from the slot.
      this.#handOverStarted(d, d.slot);
      this.#attempt(d);
    }
    for (const s of this.o.store.all()) this.#plan(s.group, s.name);
  }

  /**
   * Per schedule, the age of its oldest fired slot that the async queue has not taken yet (0 when
   * none waits: hand-overs take milliseconds unless the queue refuses them and they are retried).
   */
  lags(): ScheduleLag[] {
    const now = this.o.clock.now();
    const out: ScheduleLag[] = [];
    for (const [key, r] of this.#runtime) {
      const slash = key.indexOf('/');
      let oldest: number | undefined;
      for (const at of r.handOvers?.values() ?? []) if (oldest === undefined || at < oldest) oldest = at;
      out.push({
        group: key.slice(0, slash),
        name: key.slice(slash + 1),
        seconds: oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000,
      });
    }
    return out;
  }

  /** Stops firing; waits for hand-overs under way (their records stay if they do not finish). */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const r of this.#runtime.values()) r.timer?.cancel();
    for (const t of this.#retryTimers) t.cancel();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** A schedule was created, replaced or deleted: plan it again from the store. */
  changed(group: string, name: string): void {
    const key = keyOf(group, name);
    const r = this.#runtime.get(key);
    r?.timer?.cancel();
    if (!this.o.store.get(group, name)) this.#runtime.delete(key);
    else if (r) delete r.expression;
    if (this.#started) this.#plan(group, name);
  }

  status(group: string, name: string): ScheduleStatus {
    const r = this.#runtime.get(keyOf(group, name));
    return { nextFiring: r?.nextFiring, lastFired: r?.lastFired, lastError: r?.lastError };
  }

  #runtimeOf(key: string): Runtime {
    let r = this.#runtime.get(key);
    if (!r) {
      r = {};
      this.#runtime.set(key, r);
    }
    return r;
  }

  #expression(s: Schedule, r: Runtime): ScheduleExpression {
    if (r.expression?.updatedAt !== s.updatedAt) {
      r.expression = {
        updatedAt: s.updatedAt,
        parsed: parseExpression(s.config.ScheduleExpression, s.config.ScheduleExpressionTimezone),
      };
    }
    return r.expression.parsed;
  }

  /** Fires what is due (at most one slot per pass) and arms the timer for what comes next. */
  #plan(group: string, name: string): void {
    const key = keyOf(group, name);
    if (!this.o.store.get(group, name)) {
      this.#runtime.get(key)?.timer?.cancel();
      this.#runtime.delete(key);
      return;
    }
    const r = this.#runtimeOf(key);
    r.timer?.cancel();
    delete r.timer;
    r.nextFiring = undefined;
    if (this.#closing) return;
    for (let guard = 0; guard < 100; guard++) {
      const s = this.o.store.get(group, name);
      if (s?.config.State !== 'ENABLED') return;
      let expression: ScheduleExpression;
      try {
        expression = this.#expression(s, r);
      } catch (e) {
        r.lastError = `the expression no longer parses: ${(e as Error).message}`;
        return;
      }
      const window = windowOf(s);
      const now = this.o.clock.now();
      const next = nextSlot(expression, window, s.cursor);
      if (next === undefined) {
        this.#completed(s);
        return;
      }
      const fireAt = next + this.#offset(s, expression, window, next);
      if (fireAt > now) {
        r.nextFiring = fireAt;
        r.timer = this.o.clock.setTimeout(() => this.#plan(group, name), Math.min(fireAt - now, MAX_WAIT_MS));
        return;
      }
      // Due. When more than one slot is (the server was down), only the latest one counts.
      const slot = latestSlot(expression, window, s.cursor, now) ?? next;
      const maxAgeMs = s.config.Target.RetryPolicy.MaximumEventAgeInSeconds * 1000;
      if (slot > next) {
        this.o.log.warn(
          { schedule: s.arn, from: new Date(next).toISOString(), to: new Date(slot).toISOString() },
          'missed schedule slots: only the latest fires',
        );
      }
      if (now - slot > maxAgeMs) {
        this.o.store.advance(s.group, s.name, slot);
        this.o.log.warn(
          { schedule: s.arn, slot: new Date(slot).toISOString() },
          'skipped a schedule slot older than MaximumEventAgeInSeconds',
        );
      } else {
        this.#fire(s, slot, slot + this.#offset(s, expression, window, slot));
      }
    }
  }

  /** Where a FLEXIBLE window puts the firing after its slot; always before the next slot. */
  #offset(s: Schedule, e: ScheduleExpression, w: SlotWindow, slot: number): number {
    const window = s.config.FlexibleTimeWindow;
    if (window.Mode !== 'FLEXIBLE' || !window.MaximumWindowInMinutes) return 0;
    const following = nextSlot(e, { ...w, end: undefined }, slot);
    const span = Math.min(
      window.MaximumWindowInMinutes * 60_000,
      (following ?? Number.POSITIVE_INFINITY) - slot,
    );
    return Math.floor(slotFraction(s.arn, slot) * span);
  }

  /** Fires `slot` (due at `plannedAt`, its FLEXIBLE offset included). */
  #fire(s: Schedule, slot: number, plannedAt: number): void {
    const { region, accountId } = this.o.scope;
    const target = s.config.Target;
    const requestId = slotId('request', s.arn, s.createdAt, slot);
    const payload =
      target.Input !== undefined
        ? Buffer.from(target.Input)
        : Buffer.from(
            JSON.stringify(
              scheduledEvent({
                id: slotId('event', s.arn, s.createdAt, slot),
                slot,
                scheduleArn: s.arn,
                region,
                accountId,
              }),
            ),
          );
    const delivery: PendingDelivery = {
      requestId,
      scheduleArn: s.arn,
      targetArn: target.Arn,
      slot,
      payload,
      attempts: 0,
      maxAttempts: target.RetryPolicy.MaximumRetryAttempts,
      maxAgeMs: target.RetryPolicy.MaximumEventAgeInSeconds * 1000,
      ...(target.DeadLetterConfig ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
    };
    if (!this.o.store.fire(s.group, s.name, slot, delivery)) return;
    this.#runtimeOf(keyOf(s.group, s.name)).lastFired = slot;
    this.#handOverStarted(delivery, plannedAt);
    this.#attempt(delivery);
  }

  #completed(s: Schedule): void {
    if (s.config.ActionAfterCompletion !== 'DELETE') return;
    if (this.o.store.remove(s.group, s.name)) {
      this.#runtime.delete(keyOf(s.group, s.name));
      this.o.log.info({ schedule: s.arn }, 'schedule completed and deleted (ActionAfterCompletion DELETE)');
    }
  }

  #attempt(d: PendingDelivery): void {
    const run = this.#handOver(d).finally(() => this.#inFlight.delete(run));
    this.#inFlight.add(run);
  }

  async #handOver(d: PendingDelivery): Promise<void> {
    const runtime = this.#runtime.get(scheduleKeyFromArn(d.scheduleArn));
    try {
      await this.o.deliver({ targetArn: d.targetArn, payload: d.payload, requestId: d.requestId });
      this.o.store.delivered(d.requestId);
      runtime?.handOvers?.delete(d.requestId);
      if (runtime) delete runtime.lastError;
      this.o.onDelivered?.(d, d.requestId);
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      const message = (e as Error).message ?? String(e);
      if (runtime) runtime.lastError = code ? `${code}: ${message}` : message;
      if (this.#closing) return;
      const attempts = d.attempts + 1;
      const age = this.o.clock.now() - d.slot;
      const condition =
        code !== undefined && PERMANENT.has(code)
          ? undefined
          : attempts > d.maxAttempts
            ? 'MaximumRetryAttemptsExceeded'
            : age > d.maxAgeMs
              ? 'MaximumEventAgeExceeded'
              : 'retry';
      if (condition === 'retry') {
        this.o.store.attempted(d.requestId, attempts);
        const delay = Math.min(
          (this.o.retryBaseMs ?? RETRY_BASE_MS) * 2 ** (attempts - 1),
          this.o.retryMaxMs ?? RETRY_MAX_MS,
        );
        const timer = this.o.clock.setTimeout(() => {
          this.#retryTimers.delete(timer);
          this.#attempt({ ...d, attempts });
        }, delay);
        this.#retryTimers.add(timer);
        return;
      }
      await this.#giveUp(d, attempts - 1, code ?? 'InternalError', message, condition);
    }
  }

  async #giveUp(
    d: PendingDelivery,
    retries: number,
    code: string,
    message: string,
    condition: string | undefined,
  ): Promise<void> {
    this.o.log.warn(
      { schedule: d.scheduleArn, target: d.targetArn, requestId: d.requestId, error: `${code}: ${message}` },
      d.deadLetterArn
        ? 'schedule delivery failed: sent to the dead-letter queue'
        : 'schedule delivery failed: dropped',
    );
    if (d.deadLetterArn && this.o.deadLetter) {
      // The attributes the Scheduler puts on dead-lettered events (its user guide, "Configuring a
      // dead-letter queue"); the body is the event the target would have received.
      try {
        await this.o.deadLetter(
          d.deadLetterArn,
          d.payload.toString('utf8'),
          {
            ERROR_CODE: code,
            ERROR_MESSAGE: message.slice(0, 1024),
            ...(condition ? { EXHAUSTED_RETRY_CONDITION: condition } : {}),
            RETRY_ATTEMPTS: String(retries),
            SCHEDULE_ARN: d.scheduleArn,
            TARGET_ARN: d.targetArn,
          },
          d.requestId,
        );
      } catch (e) {
        this.o.log.error({ err: e, queue: d.deadLetterArn }, 'the dead-letter queue did not take the event');
      }
    }
    this.o.store.delivered(d.requestId);
    this.#runtime.get(scheduleKeyFromArn(d.scheduleArn))?.handOvers?.delete(d.requestId);
  }

  #handOverStarted(d: PendingDelivery, plannedAt: number): void {
    const key = scheduleKeyFromArn(d.scheduleArn);
    // A slot fired before its schedule was deleted is still handed over (at start, from the
    // store), but a deleted schedule has no runtime, as `changed` leaves it: its lag is not
    // reported, and nothing would ever remove the entry.
    const slash = key.indexOf('/');
    if (!this.o.store.get(key.slice(0, slash), key.slice(slash + 1))) return;
    const r = this.#runtimeOf(key);
    r.handOvers ??= new Map();
    r.handOvers.set(d.requestId, plannedAt);
  }
}

function windowOf(s: Schedule): SlotWindow {
  return { anchor: s.anchor, start: s.config.StartDate, end: s.config.EndDate };
}

/** `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>` → `<group>/<name>`. */
function scheduleKeyFromArn(arn: string): string {
  return arn.slice(arn.indexOf(':schedule/') + ':schedule/'.length);
}
