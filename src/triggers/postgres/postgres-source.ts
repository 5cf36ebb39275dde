import { randomUUID } from 'node:crypto';
import type { FunctionRef } from '../../domain/arn.js';
import { readBatchItemFailures } from '../esm/batch-response.js';
import { type Pattern, parsePattern, passesFilters } from '../esm/filter-pattern.js';
import { type Mapping, reportsItemFailures } from '../esm/mapping.js';
import { Backoff, sleep, withGrace } from '../esm/poll-timing.js';
import type { RunningSource, SourceContext, SourceStatus } from '../esm/source-kind.js';
import { type ChangeRecord, changeRecord, type RowChange } from './change-record.js';
import type { Lsn } from './lsn.js';
import type { PgOutputMessage, Relation } from './pgoutput.js';
import { primaryKeys } from './postgres-admin.js';
import { type PostgresSource, parsePostgresArn, recordSourceArn, slotName } from './postgres-arn.js';
import { ReplicationStream } from './replication-stream.js';

export interface PostgresSourceDeps extends SourceContext {
  region: string;
  functionArn: string;
  /** Sends an on-failure record to a destination ARN (SQS queues of this Nimbus). */
  sendToDestination(arn: string, body: string): Promise<void>;
  /** Re-creates the slot and publication when they vanished (dropped by hand). */
  recreateSlot(): Promise<void>;
}

interface Pending {
  record: ChangeRecord;
  seq: string;
  commitTime: number;
  /** End LSN of the record's transaction: what may be confirmed once it is delivered. */
  txEnd: Lsn;
  lastInTx: boolean;
}

interface Attempt {
  records: Pending[];
  attempts: number;
}

/** Received changes held in memory before the stream is paused (it resumes at half). */
const MAX_PENDING = 10_000;
const CLOSE_GRACE_MS = 5_000;
/** Destination messages carry the records themselves when they fit an SQS message. */
const DESTINATION_RECORDS_MAX_BYTES = 200_000;

/**
 * Streams row changes of PostgreSQL tables to a function, as Lambda reads a DynamoDB stream:
 * in commit order, in batches, one batch at a time, retrying a failing batch (bisecting it when
 * asked) until it succeeds, runs out of `MaximumRetryAttempts` or its records exceed
 * `MaximumRecordAgeInSeconds` (then it goes to the on-failure destination and is skipped). After
 * each batch the last delivered sequence number is checkpointed in the store and the transaction
 * end LSN confirmed to the replication slot, so a restart resumes where it stopped and
 * re-delivers at most the batch in flight. A lost connection is retried with backoff.
 */
export class PostgresChangeSource implements RunningSource {
  readonly #m: Mapping;
  readonly #d: PostgresSourceDeps;
  readonly #source: PostgresSource;
  readonly #slot: string;
  readonly #ref: FunctionRef;
  readonly #patterns: Pattern[];
  readonly #abort = new AbortController();
  readonly #relations = new Map<number, Relation>();
  #pending: Pending[] = [];
  #inFlight: Pending[] = [];
  #tx?: { commitTime: number; changes: RowChange[] };
  #stream?: ReplicationStream;
  #paused = false;
  #checkpoint?: string;
  #queuedUpTo?: string;
  #confirmed: Lsn = 0n;
  #wake?: () => void;
  #closed = false;
  #loops: Promise<void>[] = [];
  #result = 'No records processed';
  #lastError?: { message: string; at: number };
  #lastBatchAt?: number;
  #connected = false;
  #primaryKeys = new Map<string, string[]>();

  constructor(m: Mapping, d: PostgresSourceDeps) {
    this.#m = m;
    this.#d = d;
    this.#source = parsePostgresArn(m.eventSourceArn);
    this.#slot = slotName(m.uuid);
    this.#ref =
      m.qualifier === undefined ? { name: m.functionName } : { name: m.functionName, qualifier: m.qualifier };
    this.#patterns = (m.filters ?? []).map(parsePattern);
    this.#loops.push(this.#run());
  }

  async status(): Promise<SourceStatus> {
    const waiting = [...this.#inFlight, ...this.#pending];
    const oldest = waiting[0];
    const ageSeconds = oldest ? Math.max(0, (this.#d.clock.now() - oldest.commitTime) / 1000) : undefined;
    const age = ageSeconds === undefined ? '' : `, oldest ${Math.round(ageSeconds)} s`;
    // Only changes already received are known: when disconnected with none, the lag is unknown.
    const lagSeconds = ageSeconds ?? (this.#connected ? 0 : undefined);
    return {
      lastProcessingResult: this.#result,
      lag: `${waiting.length} changes waiting${age}${this.#connected ? '' : ' (not connected)'}`,
      lagCount: waiting.length,
      ...(lagSeconds !== undefined ? { lagSeconds } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
      ...(this.#lastBatchAt !== undefined ? { lastBatchAt: this.#lastBatchAt } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#stream?.close();
    await withGrace(this.#d.clock, Promise.allSettled(this.#loops), CLOSE_GRACE_MS);
  }

  async #run(): Promise<void> {
    try {
      this.#checkpoint = await this.#d.checkpoint.load();
      this.#queuedUpTo = this.#checkpoint;
      this.#loops.push(this.#connectLoop(), this.#deliverLoop());
    } catch (err) {
      this.#d.log.error({ err }, 'PostgreSQL source failed to start');
    }
  }

  // --- receiving -----------------------------------------------------------------------------

  async #connectLoop(): Promise<void> {
    const backoff = new Backoff(500, 30_000);
    const url = this.#m.sourceUrl ?? '';
    while (!this.#closed) {
      let ended!: (e: Error) => void;
      const end = new Promise<Error>((r) => {
        ended = r;
      });
      const stream = new ReplicationStream({
        url,
        slot: this.#slot,
        publication: this.#slot,
        clock: this.#d.clock,
        onMessage: (msg) => this.#onMessage(msg),
        onEnd: (e) => ended(e),
        isIdle: () => this.#tx === undefined && this.#pending.length === 0 && this.#inFlight.length === 0,
      });
      this.#stream = stream;
      try {
        this.#primaryKeys = await primaryKeys(url, this.#source);
        await stream.start();
      } catch (e) {
        await stream.close();
        if (this.#closed) return;
        const error = e as Error & { code?: string };
        this.#problem(`Cannot stream changes from ${this.#source.database}: ${error.message}`);
        if (error.code === '42704') await this.#d.recreateSlot().catch(() => undefined);
        await sleep(this.#d.clock, backoff.next(), this.#abort.signal);
        continue;
      }
      this.#connected = true;
      backoff.reset();
      if (this.#confirmed > 0n) stream.confirm(this.#confirmed);
      if (this.#result.startsWith('PROBLEM: Cannot stream') || this.#result.startsWith('PROBLEM: Lost')) {
        this.#setResult(this.#lastBatchAt === undefined ? 'No records processed' : 'OK');
      }
      const abort = new Promise<undefined>((r) =>
        this.#abort.signal.addEventListener('abort', () => r(undefined)),
      );
      const error = await Promise.race([end, abort]);
      this.#connected = false;
      await stream.close();
      if (this.#closed || !error) return;
      this.#problem(`Lost the PostgreSQL connection: ${error.message}`);
      // What arrived but was not delivered comes again from the slot's confirmed position.
      this.#pending = [];
      this.#tx = undefined;
      this.#paused = false;
      this.#queuedUpTo = this.#inFlight.at(-1)?.seq ?? this.#checkpoint;
      await sleep(this.#d.clock, backoff.next(), this.#abort.signal);
    }
  }

  #onMessage(msg: PgOutputMessage): void {
    switch (msg.tag) {
      case 'relation':
        this.#relations.set(msg.relation.id, msg.relation);
        return;
      case 'begin':
        this.#tx = { commitTime: msg.commitTime, changes: [] };
        return;
      case 'insert':
      case 'update':
      case 'delete':
        this.#tx?.changes.push(msg);
        return;
      case 'commit':
        this.#commit(msg.commitLsn, msg.endLsn, msg.commitTime);
        return;
      default:
        // TRUNCATE and other messages are not delivered (see docs/triggers.md).
        return;
    }
  }

  #commit(commitLsn: Lsn, endLsn: Lsn, commitTime: number): void {
    const changes = this.#tx?.changes ?? [];
    this.#tx = undefined;
    const fresh: Pending[] = [];
    changes.forEach((change, index) => {
      const rel = this.#relations.get(change.relationId);
      if (!rel) return;
      const record = changeRecord(change, rel, {
        commitLsn,
        index,
        commitTime,
        region: this.#d.region,
        sourceArn: recordSourceArn(this.#source, rel.schema, rel.name, this.#slot),
        ...(this.#primaryKeys.has(`${rel.schema}.${rel.name}`)
          ? { primaryKey: this.#primaryKeys.get(`${rel.schema}.${rel.name}`)! }
          : {}),
      });
      const seq = record.dynamodb.SequenceNumber;
      if (this.#queuedUpTo !== undefined && seq <= this.#queuedUpTo) return;
      fresh.push({ record, seq, commitTime, txEnd: endLsn, lastInTx: false });
    });
    if (fresh.length === 0) {
      // Nothing new to deliver: when nothing is waiting either, the slot may move past it.
      if (this.#pending.length === 0 && this.#inFlight.length === 0) this.#confirm(endLsn);
      return;
    }
    fresh[fresh.length - 1]!.lastInTx = true;
    this.#pending.push(...fresh);
    this.#queuedUpTo = fresh[fresh.length - 1]!.seq;
    if (this.#pending.length >= MAX_PENDING && !this.#paused) {
      this.#paused = true;
      this.#stream?.pause();
    }
    this.#wake?.();
  }

  #confirm(lsn: Lsn): void {
    if (lsn <= this.#confirmed) return;
    this.#confirmed = lsn;
    this.#stream?.confirm(lsn);
  }

  // --- delivering ----------------------------------------------------------------------------

  #waitForWake(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : this.#d.clock.setTimeout(() => done(), ms);
      const done = () => {
        timer?.cancel();
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  async #deliverLoop(): Promise<void> {
    while (!this.#closed) {
      if (this.#pending.length === 0) {
        await this.#waitForWake();
        continue;
      }
      const windowMs = this.#m.maximumBatchingWindowInSeconds * 1000;
      if (windowMs > 0) {
        const deadline = this.#pending[0]!.commitTime + windowMs;
        while (!this.#closed && this.#pending.length < this.#m.batchSize && this.#d.clock.now() < deadline) {
          await this.#waitForWake(deadline - this.#d.clock.now());
        }
      }
      if (this.#closed) return;
      this.#inFlight = this.#pending.splice(0, this.#m.batchSize);
      if (this.#paused && this.#pending.length < MAX_PENDING / 2) {
        this.#paused = false;
        this.#stream?.resume();
      }
      try {
        await this.#deliver(this.#inFlight);
      } catch (err) {
        this.#d.log.error({ err }, 'delivering PostgreSQL changes failed');
        this.#problem(`Delivery failed: ${(err as Error).message}`);
        // Put the batch back and try again later.
        this.#pending.unshift(...this.#inFlight);
        await sleep(this.#d.clock, 1_000, this.#abort.signal);
      }
      this.#inFlight = [];
    }
  }

  /** Delivers one batch: retries, bisects, skips to the destination; checkpoints what is done. */
  async #deliver(batch: Pending[]): Promise<void> {
    const work: Attempt[] = [{ records: batch, attempts: 0 }];
    const backoff = new Backoff(100, 5_000);
    const maxRetries = this.#m.maximumRetryAttempts ?? -1;
    const maxAgeMs = (this.#m.maximumRecordAgeInSeconds ?? -1) * 1000;
    while (work.length > 0 && !this.#closed) {
      const item = work[0]!;
      if (maxAgeMs >= 0) {
        const now = this.#d.clock.now();
        const expired = item.records.filter((p) => now - p.commitTime > maxAgeMs);
        if (expired.length > 0) {
          await this.#toDestination(expired, 'RecordAgeExceeded', item.attempts);
          item.records = item.records.filter((p) => !expired.includes(p));
          await this.#advance(expired);
          if (item.records.length === 0) {
            work.shift();
            continue;
          }
        }
      }
      const passing = item.records.filter((p) => passesFilters(this.#patterns, p.record));
      if (passing.length === 0) {
        await this.#advance(item.records);
        work.shift();
        continue;
      }
      const outcome = await this.#d.invoke(
        this.#ref,
        Buffer.from(JSON.stringify({ Records: passing.map((p) => p.record) })),
      );
      this.#lastBatchAt = this.#d.clock.now();
      if (outcome.kind === 'throttled' || outcome.kind === 'unavailable') {
        this.#problem(
          outcome.kind === 'throttled' ? `Function throttled: ${outcome.message}` : outcome.message,
        );
        await sleep(this.#d.clock, backoff.next(), this.#abort.signal);
        continue;
      }
      let failedFrom: number | undefined;
      if (outcome.kind === 'ok') {
        const verdict = reportsItemFailures(this.#m)
          ? readBatchItemFailures(outcome.payload, new Set(passing.map((p) => p.seq)))
          : ({ kind: 'success' } as const);
        if (verdict.kind === 'success') {
          await this.#advance(item.records);
          work.shift();
          backoff.reset();
          this.#setResult('OK');
          continue;
        }
        if (verdict.kind === 'partial') {
          // Lambda retries from the lowest failed sequence number; what came before succeeded.
          const lowest = [...verdict.failed].sort()[0];
          failedFrom = item.records.findIndex((p) => p.seq === lowest);
          this.#problem(`Function reported ${verdict.failed.length} failed records`);
        } else this.#problem(`Invalid batch item failures response: ${verdict.reason}`);
      } else {
        this.#problem(`Function call failed: ${outcome.errorType}: ${outcome.errorMessage}`);
      }
      if (failedFrom !== undefined && failedFrom > 0) {
        await this.#advance(item.records.slice(0, failedFrom));
        item.records = item.records.slice(failedFrom);
      }
      item.attempts++;
      if (maxRetries >= 0 && item.attempts > maxRetries) {
        await this.#toDestination(item.records, 'RetryAttemptsExhausted', item.attempts);
        await this.#advance(item.records);
        work.shift();
        continue;
      }
      if (this.#m.bisectBatchOnFunctionError && item.records.length > 1) {
        // Each half is retried on its own with a fresh count, so the retries isolate the bad
        // record instead of sending its innocent neighbours to the destination.
        const half = Math.ceil(item.records.length / 2);
        work.splice(
          0,
          1,
          { records: item.records.slice(0, half), attempts: 0 },
          { records: item.records.slice(half), attempts: 0 },
        );
      }
      await sleep(this.#d.clock, backoff.next(), this.#abort.signal);
    }
  }

  /** Records delivered (or skipped): checkpoint the last one, confirm finished transactions. */
  async #advance(done: Pending[]): Promise<void> {
    const last = done.at(-1);
    if (!last) return;
    this.#checkpoint = last.seq;
    await this.#d.checkpoint.save(last.seq);
    let lsn: Lsn = 0n;
    for (const p of done) if (p.lastInTx && p.txEnd > lsn) lsn = p.txEnd;
    if (lsn > 0n) this.#confirm(lsn);
  }

  async #toDestination(records: Pending[], condition: string, attempts: number): Promise<void> {
    const dest = this.#m.onFailureDestination;
    if (!dest) return;
    const first = records[0]!;
    const last = records.at(-1)!;
    const info = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.#d.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date(this.#d.clock.now()).toISOString(),
      PostgresBatchInfo: {
        startSequenceNumber: first.seq,
        endSequenceNumber: last.seq,
        approximateArrivalOfFirstRecord: new Date(first.commitTime).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.commitTime).toISOString(),
        batchSize: records.length,
        streamArn: this.#m.eventSourceArn,
      },
    };
    const withRecords = JSON.stringify({ ...info, Records: records.map((p) => p.record) });
    const body =
      Buffer.byteLength(withRecords) <= DESTINATION_RECORDS_MAX_BYTES ? withRecords : JSON.stringify(info);
    try {
      await this.#d.sendToDestination(dest, body);
    } catch (e) {
      this.#problem(`Cannot send to the on-failure destination ${dest}: ${(e as Error).message}`);
    }
  }

  #problem(message: string): void {
    this.#lastError = { message, at: this.#d.clock.now() };
    this.#d.log.warn({ problem: message }, 'PostgreSQL event source problem');
    this.#setResult(`PROBLEM: ${message}`);
  }

  #setResult(result: string): void {
    if (result === this.#result) return;
    this.#result = result;
    this.#d.onProcessingResult(result);
  }
}
