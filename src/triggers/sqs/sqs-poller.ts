import { setMaxListeners } from 'node:events';
import type { FunctionRef } from '../../domain/arn.js';
import { SYNC_PAYLOAD_MAX_BYTES } from '../../domain/limits.js';
import type { ScrapeScope } from '../../observability/metrics.js';
import type { QueueStats } from '../../queues/queue-model.js';
import type { QueueService, ReceivedMessage } from '../../queues/queue-service.js';
import { isSqsError } from '../../queues/sqs-errors.js';
import { RECEIVE_MAX_MESSAGES, RECEIVE_WAIT_MAX_SECONDS } from '../../queues/sqs-limits.js';
import { readBatchItemFailures } from '../esm/batch-response.js';
import { type Pattern, parsePattern, passesFilters } from '../esm/filter-pattern.js';
import { type Mapping, reportsItemFailures } from '../esm/mapping.js';
import { Backoff, sleep, withGrace } from '../esm/poll-timing.js';
import type { RunningSource, SourceContext, SourceStatus } from '../esm/source-kind.js';
import { filterView, type SqsRecord, sqsRecord } from './sqs-event.js';

export interface SqsPollerDeps extends SourceContext {
  queues: QueueService;
}

/** How long `close()` waits for batches in flight before leaving them to the visibility timeout. */
const CLOSE_GRACE_MS = 5_000;
/** Stop retrying a throttled batch this long before its messages become visible again. */
const VISIBILITY_MARGIN_MS = 1_000;

/**
 * Polls one queue for one mapping, as Lambda's SQS pollers do: long-polls, gathers a batch up
 * to `BatchSize` within `MaximumBatchingWindowInSeconds` (and 6 MB), drops what the filters
 * reject (deleting it, as Lambda does), invokes the function synchronously, then deletes what
 * succeeded. Failed messages stay in the queue and come back after the visibility timeout; the
 * queue's redrive policy moves them to its dead-letter queue after `maxReceiveCount` receives.
 * Pollers scale out while batches come back full, up to `MaximumConcurrency`, and back in when
 * the queue is empty or the function is throttled.
 */
export class SqsPoller implements RunningSource {
  readonly #m: Mapping;
  readonly #d: SqsPollerDeps;
  readonly #queueName: string;
  readonly #ref: FunctionRef;
  readonly #patterns: Pattern[];
  readonly #maxWorkers: number;
  readonly #abort = new AbortController();
  readonly #workers = new Set<Promise<void>>();
  #closed = false;
  #result = 'No records processed';
  #lastError?: { message: string; at: number };
  #lastBatchAt?: number;

  constructor(m: Mapping, d: SqsPollerDeps) {
    this.#m = m;
    this.#d = d;
    this.#queueName = m.eventSourceArn.slice(m.eventSourceArn.lastIndexOf(':') + 1);
    this.#ref =
      m.qualifier === undefined ? { name: m.functionName } : { name: m.functionName, qualifier: m.qualifier };
    this.#patterns = (m.filters ?? []).map(parsePattern);
    this.#maxWorkers = Math.max(1, m.maximumConcurrency ?? d.defaultMaxConcurrency);
    // Every worker's long poll listens on the one abort signal.
    setMaxListeners(0, this.#abort.signal);
    this.#spawn();
  }

  get workers(): number {
    return this.#workers.size;
  }

  async status(scrape?: ScrapeScope): Promise<SourceStatus> {
    let lag: string | undefined;
    let lagCount: number | undefined;
    let lagSeconds: number | undefined;
    const s = await this.#queueStats(scrape);
    if (s) {
      lagCount = s.visible + s.inFlight + s.delayed;
      // What waits to be received, as SQS's ApproximateAgeOfOldestMessage ages it: since sending.
      lagSeconds =
        s.oldestVisibleSentAt === undefined
          ? 0
          : Math.max(0, (this.#d.clock.now() - s.oldestVisibleSentAt) / 1000);
      const age =
        s.oldestSentAt === undefined
          ? ''
          : `, oldest ${Math.round((this.#d.clock.now() - s.oldestSentAt) / 1000)} s`;
      lag = `${s.visible} waiting, ${s.inFlight} in flight${age}`;
    } else {
      lag = 'queue does not exist';
    }
    return {
      lastProcessingResult: this.#result,
      ...(lag !== undefined ? { lag } : {}),
      ...(lagCount !== undefined ? { lagCount } : {}),
      ...(lagSeconds !== undefined ? { lagSeconds } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
      ...(this.#lastBatchAt !== undefined ? { lastBatchAt: this.#lastBatchAt } : {}),
    };
  }

  /** The queue's counts; for a scrape, those every queue's gauge read (one query per queue). */
  async #queueStats(scrape: ScrapeScope | undefined): Promise<QueueStats | undefined> {
    if (scrape) return (await this.#d.queues.scrapeStats(scrape)).get(this.#queueName);
    try {
      return await this.#d.queues.stats(this.#queueName);
    } catch (e) {
      if (!isSqsError(e)) throw e;
      return undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    await withGrace(this.#d.clock, Promise.allSettled([...this.#workers]), CLOSE_GRACE_MS);
  }

  #spawn(): void {
    if (this.#closed || this.#workers.size >= this.#maxWorkers) return;
    const w: Promise<void> = this.#work()
      .catch((err: unknown) => this.#d.log.error({ err }, 'SQS poller stopped unexpectedly'))
      .finally(() => this.#workers.delete(w));
    this.#workers.add(w);
  }

  async #work(): Promise<void> {
    const backoff = new Backoff(100, 10_000);
    while (!this.#closed) {
      let batch: ReceivedMessage[];
      try {
        batch = await this.#collect();
        backoff.reset();
      } catch (e) {
        if (this.#closed) return;
        this.#problem(`Cannot receive from ${this.#m.eventSourceArn}: ${(e as Error).message}`);
        await sleep(this.#d.clock, backoff.next(), this.#abort.signal);
        continue;
      }
      if (batch.length === 0) {
        if (this.#workers.size > 1 || this.#d.queues.closed) return;
        continue;
      }
      if (batch.length >= this.#m.batchSize) this.#spawn();
      const verdict = await this.#process(batch);
      if (verdict === 'scale-in' && this.#workers.size > 1) return;
    }
  }

  /** One batch: a long poll for the first messages, then more within the batching window. */
  async #collect(): Promise<ReceivedMessage[]> {
    const { queues, clock } = this.#d;
    const signal = this.#abort.signal;
    const want = this.#m.batchSize;
    const batch = await queues.receive(this.#queueName, {
      max: Math.min(RECEIVE_MAX_MESSAGES, want),
      waitMs: RECEIVE_WAIT_MAX_SECONDS * 1000,
      signal,
    });
    if (batch.length === 0) return batch;
    const windowMs = this.#m.maximumBatchingWindowInSeconds * 1000;
    const windowEnd = clock.now() + windowMs;
    let size = batch.reduce((n, m) => n + approximateRecordBytes(m), 0);
    while (batch.length < want && !this.#closed) {
      const remaining = windowEnd - clock.now();
      if (windowMs > 0 && remaining <= 0) break;
      const max = Math.min(RECEIVE_MAX_MESSAGES, want - batch.length);
      const more = await queues.receive(this.#queueName, { max, waitMs: Math.max(0, remaining), signal });
      for (const m of more) {
        const bytes = approximateRecordBytes(m);
        if (size + bytes > SYNC_PAYLOAD_MAX_BYTES) {
          // Does not fit the 6 MB invoke payload: let it go for the next batch.
          await queues.changeVisibility(this.#queueName, m.receiptHandle, 0).catch(() => undefined);
          return batch;
        }
        size += bytes;
        batch.push(m);
      }
      if (windowMs === 0 && more.length < max) break;
    }
    return batch;
  }

  async #process(batch: ReceivedMessage[]): Promise<'done' | 'scale-in'> {
    const { queues, clock } = this.#d;
    const receivedAt = clock.now();
    const queue = await queues.getQueue(this.#queueName);
    const visibilityMs =
      Number((await queues.getAttributes(this.#queueName, ['VisibilityTimeout'])).VisibilityTimeout) * 1000;
    const all = batch.map((m) =>
      sqsRecord(m, { queueArn: this.#m.eventSourceArn, region: queues.scope.region, fifo: queue.fifo }),
    );
    const records: SqsRecord[] = [];
    for (const r of all) {
      if (passesFilters(this.#patterns, filterView(r))) records.push(r);
      else await this.#delete([r]);
    }
    if (records.length === 0) return 'done';
    const payload = Buffer.from(JSON.stringify({ Records: records }));
    const backoff = new Backoff(100, 5_000);
    for (;;) {
      const outcome = await this.#d.invoke(this.#ref, payload);
      this.#lastBatchAt = clock.now();
      if (outcome.kind === 'ok') {
        await this.#settle(records, outcome.payload);
        return 'done';
      }
      if (outcome.kind === 'function-error') {
        this.#problem(`Function call failed: ${outcome.errorType}: ${outcome.errorMessage}`);
        return 'done';
      }
      this.#problem(
        outcome.kind === 'throttled' ? `Function throttled: ${outcome.message}` : outcome.message,
      );
      const wait = backoff.next();
      if (this.#closed || clock.now() + wait > receivedAt + visibilityMs - VISIBILITY_MARGIN_MS)
        return 'scale-in';
      await sleep(clock, wait, this.#abort.signal);
      if (this.#closed) return 'scale-in';
    }
  }

  /** Deletes what the function handled; leaves reported failures for a retry. */
  async #settle(records: SqsRecord[], response: Buffer): Promise<void> {
    if (!reportsItemFailures(this.#m)) {
      await this.#delete(records);
      this.#ok();
      return;
    }
    const verdict = readBatchItemFailures(response, new Set(records.map((r) => r.messageId)));
    if (verdict.kind === 'failure') {
      this.#problem(`Invalid batch item failures response: ${verdict.reason}`);
      return;
    }
    const failed = new Set(verdict.kind === 'partial' ? verdict.failed : []);
    await this.#delete(records.filter((r) => !failed.has(r.messageId)));
    this.#ok();
  }

  async #delete(records: SqsRecord[]): Promise<void> {
    for (const r of records) {
      try {
        await this.#d.queues.deleteMessage(this.#queueName, r.receiptHandle);
      } catch (e) {
        if (!isSqsError(e)) throw e;
      }
    }
  }

  #ok(): void {
    this.#setResult('OK');
  }

  #problem(message: string): void {
    this.#lastError = { message, at: this.#d.clock.now() };
    this.#d.log.warn({ problem: message }, 'SQS event source problem');
    this.#setResult(`PROBLEM: ${message}`);
  }

  #setResult(result: string): void {
    if (result === this.#result) return;
    this.#result = result;
    this.#d.onProcessingResult(result);
  }
}

/** What a message adds to the event, roughly (body, attributes and the fixed fields). */
function approximateRecordBytes(m: ReceivedMessage): number {
  let n = Buffer.byteLength(m.body) + m.receiptHandle.length + 600;
  for (const [k, v] of Object.entries(m.attributes)) {
    n += k.length + (v.StringValue?.length ?? Math.ceil(((v.BinaryValue?.length ?? 0) * 4) / 3)) + 100;
  }
  return n;
}
