import type { Clock, Timer } from '../../domain/clock.js';
import { isLambdaError } from '../../domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { ObjectMetadataStore } from '../../store/object-ports.js';
import type { AsyncInvoker } from '../async-invoker.js';

const BATCH = 100;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export interface OutboxDispatcherOptions {
  store: ObjectMetadataStore;
  /** The durable async invoke path; read at each pass (the async feature may install it later). */
  invoker: () => AsyncInvoker | undefined;
  clock: Clock;
  log: Logger;
}

/**
 * Moves committed bucket notifications from the outbox (written in the same transaction as the
 * object change) to the asynchronous invoke path, deleting each only after the invoker has
 * queued it durably: at-least-once, across crashes. Retries failed hand-overs with backoff; an
 * event for a function that no longer exists is dropped (S3 cannot deliver it either).
 */
export class OutboxDispatcher {
  readonly name = 's3-notifications';
  #running: Promise<void> | undefined;
  #again = false;
  #timer: Timer | undefined;
  #closed = false;
  #backoffMs = RETRY_MIN_MS;
  #warned = false;

  constructor(private readonly o: OutboxDispatcherOptions) {}

  async start(): Promise<void> {
    this.kick();
  }

  /** Something was committed: deliver it soon. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    await this.#running;
  }

  async #drain(): Promise<void> {
    const invoker = this.o.invoker();
    if (!invoker) {
      if (!this.#warned && (await this.o.store.pendingEvents(1)).length > 0) {
        this.#warned = true;
        this.o.log.warn('S3 notifications wait in the outbox: no asynchronous invoke path is installed');
      }
      return;
    }
    while (!this.#closed) {
      const events = await this.o.store.pendingEvents(BATCH);
      if (events.length === 0) return;
      for (const e of events) {
        if (this.#closed) return;
        try {
          await invoker.enqueue({
            functionArn: e.functionArn,
            payload: Buffer.from(e.payload),
            source: 'aws:s3',
          });
        } catch (err) {
          if (isLambdaError(err) && err.code === 'ResourceNotFoundException') {
            this.o.log.warn(
              { functionArn: e.functionArn },
              'S3 notification dropped: the function no longer exists',
            );
          } else {
            this.o.log.warn({ err, functionArn: e.functionArn }, 'S3 notification not queued; retrying');
            this.#retryLater();
            return;
          }
        }
        await this.o.store.deleteEvent(e.id);
        this.#backoffMs = RETRY_MIN_MS;
      }
    }
  }

  #retryLater(): void {
    this.#timer?.cancel();
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, RETRY_MAX_MS);
    this.#timer = this.o.clock.setTimeout(() => this.kick(), delay);
  }
}
