import { createHash, randomUUID } from 'node:crypto';
import type { AccountScope } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import type { ScrapeScope } from '../observability/metrics.js';
import type { QueueStore } from '../store/ports.js';
import { LongPollWaiters } from './long-poll.js';
import { type MessageAttributes, md5OfAttributes, md5OfBody, messageSize } from './message-digest.js';
import { assertAllowedCharacters, validateMessageAttributes } from './message-validation.js';
import {
  ALL_ATTRIBUTE_NAMES,
  effectiveAttributes,
  firstDifference,
  normaliseAttributes,
  parseRedrivePolicy,
} from './queue-attributes.js';
import type { NewMessage, QueueRecord, QueueStats, StoredMessage } from './queue-model.js';
import { isFifoName, queueArn, queueNameFromArn, validateQueueName } from './queue-names.js';
import { decodeReceipt, encodeReceipt } from './receipt-handle.js';
import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from './sqs-errors.js';
import {
  DELAY_MAX_SECONDS,
  FIFO_DEDUP_INTERVAL_MS,
  FIFO_ID_MAX,
  LIST_QUEUES_MAX,
  PURGE_INTERVAL_MS,
  RECEIVE_MAX_MESSAGES,
  RECEIVE_WAIT_MAX_SECONDS,
  VISIBILITY_TIMEOUT_MAX_SECONDS,
} from './sqs-limits.js';

export interface SendInput {
  body: string;
  delaySeconds?: number;
  attributes?: MessageAttributes;
  /** Only `AWSTraceHeader` exists. */
  systemAttributes?: MessageAttributes;
  groupId?: string;
  dedupId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfAttributes?: string;
  md5OfSystemAttributes?: string;
  /** FIFO queues only. */
  sequenceNumber?: string;
}

export interface ReceivedMessage extends StoredMessage {
  receiptHandle: string;
}

export interface ReceiveOptions {
  max?: number;
  visibilityTimeout?: number;
  waitSeconds?: number;
  /** In-process callers (pollers) may wait to the millisecond; wins over `waitSeconds`. */
  waitMs?: number;
  /** Ends a long poll early (the client went away); nothing is received after it fires. */
  signal?: AbortSignal;
}

export interface QueueServiceOptions {
  store: QueueStore;
  clock: Clock;
  scope: AccountScope;
}

/** FIFO `SequenceNumber`: the store's order as a fixed-width decimal (SQS uses 20+ digits). */
export const sequenceNumber = (seq: number) => String(seq).padStart(20, '0');

/**
 * The built-in queue service: SQS semantics over a {@link QueueStore}. Wire formats live in
 * `services/sqs/`; this class speaks in queue names and plain values, and is also what event
 * source mappings and destinations use in-process.
 */
export class QueueService {
  readonly scope: AccountScope;
  readonly #store: QueueStore;
  readonly #clock: Clock;
  readonly #waiters: LongPollWaiters;
  /**
   * Queue records by name. Every change to a queue goes through this service (one process owns
   * the store), so the cache is dropped on each write instead of read on every message call.
   */
  readonly #cache = new Map<string, QueueRecord>();

  constructor(o: QueueServiceOptions) {
    this.#store = o.store;
    this.#clock = o.clock;
    this.scope = o.scope;
    this.#waiters = new LongPollWaiters(o.clock);
  }

  /** True once {@link close} was called: receives no longer wait. */
  get closed(): boolean {
    return this.#waiters.closed;
  }

  arnOf(name: string): string {
    return queueArn(this.scope, name);
  }

  // --- queues ------------------------------------------------------------------------------------

  async createQueue(
    name: string,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): Promise<QueueRecord> {
    const fifoAttr = attributes.FifoQueue?.toLowerCase();
    const fifo = isFifoName(name);
    if (fifoAttr === 'true' && !fifo) validateQueueName(name, true);
    if (fifo && fifoAttr !== 'true') {
      throw new SqsError(
        'InvalidParameterValue',
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`,
      );
    }
    validateQueueName(name, fifo);
    const normalised = normaliseAttributes(attributes, { fifo, creating: true });
    await this.#checkRedrive(normalised.RedrivePolicy, fifo);
    const existing = await this.#find(name);
    if (existing) return this.#sameOrConflict(existing, normalised);
    const now = this.#clock.now();
    const created = await this.#store.createQueue({
      name,
      fifo,
      attributes: normalised,
      tags,
      createdAt: now,
      modifiedAt: now,
    });
    if (created) return created;
    // Lost a race with a concurrent CreateQueue of the same name.
    const winner = await this.#store.getQueue(name);
    if (!winner) throw queueDoesNotExist();
    return this.#sameOrConflict(winner, normalised);
  }

  #sameOrConflict(existing: QueueRecord, requested: Record<string, string>): QueueRecord {
    const differs = firstDifference(existing.attributes, requested, existing.fifo);
    if (differs) {
      throw new SqsError(
        'QueueNameExists',
        `A queue already exists with the same name and a different value for attribute ${differs}`,
      );
    }
    return existing;
  }

  async getQueue(name: string): Promise<QueueRecord> {
    const q = await this.#find(name);
    if (!q) throw queueDoesNotExist();
    return q;
  }

  async #find(name: string): Promise<QueueRecord | undefined> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const q = await this.#store.getQueue(name);
    if (q) this.#cache.set(name, q);
    return q;
  }

  /** The queue an SQS ARN of this account names, or `undefined`. */
  async findByArn(arn: string): Promise<QueueRecord | undefined> {
    const name = queueNameFromArn(this.scope, arn);
    return name === undefined ? undefined : this.#find(name);
  }

  async listQueues(o: { prefix?: string; maxResults?: number; nextToken?: string }) {
    if (o.maxResults !== undefined && (o.maxResults < 1 || o.maxResults > LIST_QUEUES_MAX)) {
      throw invalidParameter(
        'MaxResults',
        o.maxResults,
        `Must be between 1 and ${LIST_QUEUES_MAX}, if provided.`,
      );
    }
    let afterName: string | undefined;
    if (o.nextToken !== undefined) {
      afterName = decodeToken(o.nextToken);
    }
    const limit = o.maxResults ?? LIST_QUEUES_MAX;
    const page = await this.#store.listQueues({
      ...(o.prefix ? { prefix: o.prefix } : {}),
      ...(afterName !== undefined ? { afterName } : {}),
      limit: limit + 1,
    });
    const names = page.slice(0, limit).map((q) => q.name);
    const more = o.maxResults !== undefined && page.length > limit;
    return { names, ...(more ? { nextToken: encodeToken(names[names.length - 1]!) } : {}) };
  }

  async deleteQueue(name: string): Promise<void> {
    const q = await this.getQueue(name);
    this.#cache.delete(name);
    await this.#store.deleteQueue(q.id);
    this.#waiters.notify(q.id);
  }

  async getAttributes(name: string, names: readonly string[]): Promise<Record<string, string>> {
    const q = await this.getQueue(name);
    for (const n of names) {
      if (n !== 'All' && !ALL_ATTRIBUTE_NAMES.has(n)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
      }
    }
    const all = names.includes('All');
    const wanted = (n: string) => all || names.includes(n);
    const out: Record<string, string> = {};
    if (wanted('QueueArn')) out.QueueArn = this.arnOf(q.name);
    if (
      wanted('ApproximateNumberOfMessages') ||
      wanted('ApproximateNumberOfMessagesNotVisible') ||
      wanted('ApproximateNumberOfMessagesDelayed')
    ) {
      const s = await this.#statsOf(q);
      if (wanted('ApproximateNumberOfMessages')) out.ApproximateNumberOfMessages = String(s.visible);
      if (wanted('ApproximateNumberOfMessagesNotVisible'))
        out.ApproximateNumberOfMessagesNotVisible = String(s.inFlight);
      if (wanted('ApproximateNumberOfMessagesDelayed'))
        out.ApproximateNumberOfMessagesDelayed = String(s.delayed);
    }
    if (wanted('CreatedTimestamp')) out.CreatedTimestamp = String(Math.floor(q.createdAt / 1000));
    if (wanted('LastModifiedTimestamp')) out.LastModifiedTimestamp = String(Math.floor(q.modifiedAt / 1000));
    for (const [n, v] of Object.entries(effectiveAttributes(q.attributes, q.fifo))) {
      if (wanted(n)) out[n] = v;
    }
    return out;
  }

  async setAttributes(name: string, attributes: Record<string, string>): Promise<void> {
    const q = await this.getQueue(name);
    const normalised = normaliseAttributes(attributes, { fifo: q.fifo, creating: false });
    await this.#checkRedrive(normalised.RedrivePolicy, q.fifo);
    const merged = { ...q.attributes, ...normalised };
    for (const [n, v] of Object.entries(merged)) if (v === '') delete merged[n];
    this.#cache.delete(name);
    await this.#store.updateQueue(q.id, { attributes: merged, modifiedAt: this.#clock.now() });
    this.#waiters.notify(q.id);
  }

  async #checkRedrive(policy: string | undefined, fifo: boolean): Promise<void> {
    if (!policy) return;
    const p = parseRedrivePolicy(policy)!;
    const dlq = await this.findByArn(p.deadLetterTargetArn);
    if (!dlq) {
      throw invalidParameter('RedrivePolicy', policy, 'Dead letter target does not exist.');
    }
    if (dlq.fifo !== fifo) {
      throw invalidParameter(
        'RedrivePolicy',
        policy,
        'Dead-letter queue must be same type of queue as the source.',
      );
    }
  }

  async listDeadLetterSourceQueues(name: string): Promise<string[]> {
    const q = await this.getQueue(name);
    return this.#store.deadLetterSources(this.arnOf(q.name));
  }

  async tagQueue(name: string, tags: Record<string, string>): Promise<void> {
    const q = await this.getQueue(name);
    this.#cache.delete(name);
    await this.#store.updateQueue(q.id, { tags: { ...q.tags, ...tags } });
  }

  async untagQueue(name: string, keys: readonly string[]): Promise<void> {
    const q = await this.getQueue(name);
    const tags = { ...q.tags };
    for (const k of keys) delete tags[k];
    this.#cache.delete(name);
    await this.#store.updateQueue(q.id, { tags });
  }

  /** What `ApproximateNumberOfMessages*` count, plus the send times of the oldest messages. */
  async stats(name: string): Promise<QueueStats> {
    return this.#statsOf(await this.getQueue(name));
  }

  /** {@link stats} of every queue, by name (`/metrics`). */
  async allStats(): Promise<{ name: string; stats: QueueStats }[]> {
    const out: { name: string; stats: QueueStats }[] = [];
    for (let afterName: string | undefined; ; ) {
      const page = await this.#store.listQueues({
        ...(afterName !== undefined ? { afterName } : {}),
        limit: LIST_QUEUES_MAX,
      });
      for (const q of page) out.push({ name: q.name, stats: await this.#statsOf(q) });
      if (page.length < LIST_QUEUES_MAX) return out;
      afterName = page[page.length - 1]!.name;
    }
  }

  /**
   * {@link allStats} by queue name, computed once per metrics scrape however many gauges ask
   * (`nimbus_sqs_messages` and every SQS mapping's `nimbus_trigger_lag_seconds`).
   */
  scrapeStats(scrape: ScrapeScope): Promise<Map<string, QueueStats>> {
    return scrape.once('sqs-queue-stats', async () => {
      return new Map((await this.allStats()).map(({ name, stats }) => [name, stats]));
    });
  }

  #statsOf(q: QueueRecord): Promise<QueueStats> {
    const retentionMs = Number(effectiveAttributes(q.attributes, q.fifo).MessageRetentionPeriod) * 1000;
    return this.#store.stats(q.id, this.#clock.now(), retentionMs);
  }

  // --- messages ----------------------------------------------------------------------------------

  async send(name: string, input: SendInput): Promise<SendResult> {
    const q = await this.getQueue(name);
    const [prepared] = this.#prepare(q, [input]);
    const [sent] = await this.#store.send(q.id, [prepared!], FIFO_DEDUP_INTERVAL_MS);
    this.#waiters.notify(q.id);
    return this.#sendResult(q, prepared!, sent!);
  }

  /**
   * Sends several messages in one transaction; each entry either succeeds or fails on its own
   * (bad entries are reported, the rest are stored).
   */
  async sendBatch(
    name: string,
    entries: readonly { id: string; input: SendInput }[],
  ): Promise<{
    successful: { id: string; result: SendResult }[];
    failed: { id: string; error: SqsError }[];
  }> {
    const q = await this.getQueue(name);
    const ok: { id: string; msg: NewMessage & { dedupKey?: string } }[] = [];
    const failed: { id: string; error: SqsError }[] = [];
    for (const e of entries) {
      try {
        ok.push({ id: e.id, msg: this.#prepare(q, [e.input])[0]! });
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        failed.push({ id: e.id, error: err });
      }
    }
    const sent = ok.length
      ? await this.#store.send(
          q.id,
          ok.map((o) => o.msg),
          FIFO_DEDUP_INTERVAL_MS,
        )
      : [];
    if (ok.length) this.#waiters.notify(q.id);
    return {
      successful: ok.map((o, i) => ({ id: o.id, result: this.#sendResult(q, o.msg, sent[i]!) })),
      failed,
    };
  }

  #sendResult(q: QueueRecord, m: NewMessage, sent: { messageId: string; seq: number }): SendResult {
    return {
      messageId: sent.messageId,
      md5OfBody: m.md5OfBody,
      ...(m.md5OfAttributes ? { md5OfAttributes: m.md5OfAttributes } : {}),
      ...(m.md5OfSystemAttributes ? { md5OfSystemAttributes: m.md5OfSystemAttributes } : {}),
      ...(q.fifo ? { sequenceNumber: sequenceNumber(sent.seq) } : {}),
    };
  }

  #prepare(q: QueueRecord, inputs: readonly SendInput[]): (NewMessage & { dedupKey?: string })[] {
    const attrs = effectiveAttributes(q.attributes, q.fifo);
    const maxSize = Number(attrs.MaximumMessageSize);
    const now = this.#clock.now();
    return inputs.map((input) => {
      if (input.body === '') throw missingParameter('MessageBody');
      assertAllowedCharacters(input.body, 'message body');
      const attributes = input.attributes ?? {};
      validateMessageAttributes(attributes);
      const system = input.systemAttributes ?? {};
      for (const n of Object.keys(system)) {
        if (n !== 'AWSTraceHeader') {
          throw new SqsError('InvalidParameterValue', `Message system attribute name '${n}' is invalid.`);
        }
      }
      if (messageSize(input.body, attributes) > maxSize) {
        throw new SqsError(
          'InvalidParameterValue',
          `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
        );
      }
      let delay = Number(attrs.DelaySeconds);
      if (input.delaySeconds !== undefined) {
        if (q.fifo) {
          throw invalidParameter(
            'DelaySeconds',
            input.delaySeconds,
            'The request include parameter that is not valid for this queue type.',
          );
        }
        if (
          !Number.isInteger(input.delaySeconds) ||
          input.delaySeconds < 0 ||
          input.delaySeconds > DELAY_MAX_SECONDS
        ) {
          throw invalidParameter(
            'DelaySeconds',
            input.delaySeconds,
            `Must be >= 0 and <= ${DELAY_MAX_SECONDS}, if provided.`,
          );
        }
        delay = input.delaySeconds;
      }
      const fifo = q.fifo ? fifoFields(attrs, input) : {};
      const md5Attrs = md5OfAttributes(attributes);
      const md5System = md5OfAttributes(system);
      return {
        messageId: randomUUID(),
        body: input.body,
        attributes,
        systemAttributes: system,
        md5OfBody: md5OfBody(input.body),
        ...(md5Attrs ? { md5OfAttributes: md5Attrs } : {}),
        ...(md5System ? { md5OfSystemAttributes: md5System } : {}),
        senderId: this.scope.accountId,
        sentAt: now,
        visibleAt: now + delay * 1000,
        ...fifo,
      };
    });
  }

  /**
   * ReceiveMessage with long polling: returns as soon as messages are available, or after
   * `waitSeconds` (the queue's `ReceiveMessageWaitTimeSeconds` by default) with none.
   */
  async receive(name: string, o: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const max = o.max ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > RECEIVE_MAX_MESSAGES) {
      throw invalidParameter(
        'MaxNumberOfMessages',
        max,
        `Must be between 1 and ${RECEIVE_MAX_MESSAGES}, if provided.`,
      );
    }
    if (
      o.visibilityTimeout !== undefined &&
      !inRange(o.visibilityTimeout, 0, VISIBILITY_TIMEOUT_MAX_SECONDS)
    ) {
      throw invalidParameter(
        'VisibilityTimeout',
        o.visibilityTimeout,
        `Must be >= 0 and <= ${VISIBILITY_TIMEOUT_MAX_SECONDS}, if provided.`,
      );
    }
    if (o.waitSeconds !== undefined && !inRange(o.waitSeconds, 0, RECEIVE_WAIT_MAX_SECONDS)) {
      throw invalidParameter(
        'WaitTimeSeconds',
        o.waitSeconds,
        `Must be >= 0 and <= ${RECEIVE_WAIT_MAX_SECONDS}, if provided.`,
      );
    }
    let q = await this.getQueue(name);
    const waitMs =
      o.waitMs ??
      (o.waitSeconds ?? Number(effectiveAttributes(q.attributes, q.fifo).ReceiveMessageWaitTimeSeconds)) *
        1000;
    const deadline = this.#clock.now() + waitMs;
    for (;;) {
      if (o.signal?.aborted) return [];
      const got = await this.#receiveNow(q, max, o.visibilityTimeout);
      if (got.length > 0 || this.#waiters.closed) return got;
      const now = this.#clock.now();
      if (now >= deadline) return got;
      const next = await this.#store.nextVisibleAt(q.id, now);
      await this.#waiters.wait(q.id, next === undefined ? deadline : Math.min(deadline, next), o.signal);
      const still = await this.#store.getQueueById(q.id);
      if (!still) return [];
      q = still;
    }
  }

  async #receiveNow(q: QueueRecord, max: number, visibilityTimeout?: number): Promise<ReceivedMessage[]> {
    const attrs = effectiveAttributes(q.attributes, q.fifo);
    const redrive = await this.#redriveTarget(attrs.RedrivePolicy);
    const messages = await this.#store.receive({
      queueId: q.id,
      now: this.#clock.now(),
      max,
      visibilityMs: (visibilityTimeout ?? Number(attrs.VisibilityTimeout)) * 1000,
      fifo: q.fifo,
      retentionMs: Number(attrs.MessageRetentionPeriod) * 1000,
      ...(redrive ? { redrive } : {}),
    });
    if (redrive) this.#waiters.notify(redrive.deadLetterQueueId);
    return messages.map((m) => ({
      ...m,
      receiptHandle: encodeReceipt({ queueId: q.id, seq: m.seq, token: m.token! }),
    }));
  }

  async #redriveTarget(policy: string | undefined) {
    if (!policy) return undefined;
    const p = parseRedrivePolicy(policy);
    if (!p) return undefined;
    const dlq = await this.findByArn(p.deadLetterTargetArn);
    return dlq ? { deadLetterQueueId: dlq.id, maxReceiveCount: p.maxReceiveCount } : undefined;
  }

  /** DeleteMessage: a stale handle (the message was received again since) succeeds and deletes nothing. */
  async deleteMessage(name: string, receiptHandle: string): Promise<void> {
    const q = await this.getQueue(name);
    const r = this.#receiptOf(q, receiptHandle);
    await this.#store.deleteMessage(q.id, r.seq, r.token);
  }

  async changeVisibility(name: string, receiptHandle: string, seconds: number): Promise<void> {
    const q = await this.getQueue(name);
    if (!inRange(seconds, 0, VISIBILITY_TIMEOUT_MAX_SECONDS)) {
      throw invalidParameter(
        'VisibilityTimeout',
        seconds,
        `Must be >= 0 and <= ${VISIBILITY_TIMEOUT_MAX_SECONDS}, if provided.`,
      );
    }
    const r = this.#receiptOf(q, receiptHandle);
    const now = this.#clock.now();
    const outcome = await this.#store.changeVisibility(q.id, r.seq, r.token, now + seconds * 1000, now);
    if (outcome === 'not-inflight') {
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    if (seconds === 0) this.#waiters.notify(q.id);
  }

  #receiptOf(q: QueueRecord, handle: string) {
    if (handle === '') throw missingParameter('ReceiptHandle');
    const r = decodeReceipt(handle);
    if (r.queueId !== q.id) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    }
    return r;
  }

  async purge(name: string): Promise<void> {
    const q = await this.getQueue(name);
    const now = this.#clock.now();
    if (q.lastPurgedAt !== undefined && now - q.lastPurgedAt < PURGE_INTERVAL_MS) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`,
      );
    }
    this.#cache.delete(name);
    await this.#store.updateQueue(q.id, { lastPurgedAt: now });
    await this.#store.purge(q.id);
  }

  /** Wakes every long poll (they return what they have) before the server stops. */
  close(): void {
    this.#waiters.close();
  }
}

function fifoFields(attrs: Record<string, string>, input: SendInput) {
  if (input.groupId === undefined || input.groupId === '') throw missingParameter('MessageGroupId');
  checkFifoId('MessageGroupId', input.groupId);
  let dedupId = input.dedupId;
  if (dedupId === undefined) {
    if (attrs.ContentBasedDeduplication !== 'true') {
      throw new SqsError(
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    dedupId = createHash('sha256').update(input.body, 'utf8').digest('hex');
  }
  checkFifoId('MessageDeduplicationId', dedupId);
  const scoped = attrs.DeduplicationScope === 'messageGroup';
  return { groupId: input.groupId, dedupId, dedupKey: scoped ? `${input.groupId}\u0000${dedupId}` : dedupId };
}

function inRange(v: number, min: number, max: number): boolean {
  return Number.isInteger(v) && v >= min && v <= max;
}

function checkFifoId(name: string, value: string): void {
  if (value.length > FIFO_ID_MAX || !/^[\x21-\x7e]+$/.test(value)) {
    throw invalidParameter(
      name,
      value,
      `${name} can only include alphanumeric and punctuation characters. 1 to ${FIFO_ID_MAX} in length.`,
    );
  }
}

function encodeToken(afterName: string): string {
  return Buffer.from(JSON.stringify({ after: afterName }), 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidParameter('NextToken', token, 'Invalid NextToken value.');
}
