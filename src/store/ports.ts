import type { AsyncCondition, AsyncEventState, EventInvokeConfig } from '../domain/async-invoke.js';
import type { FunctionRecord, FunctionVersion } from '../domain/function.js';

/**
 * The storage ports. Adapters (SQLite today) implement them; nothing outside `main/` knows which
 * adapter is in use. Every method is async so that a networked adapter fits the same shape.
 */

export interface FunctionStore {
  get(name: string): Promise<FunctionRecord | undefined>;
  /** Functions ordered by name, starting after `afterName`. */
  list(options: { afterName?: string; limit: number }): Promise<FunctionRecord[]>;
  count(): Promise<number>;
  /** Inserts a new function; resolves `false` (and changes nothing) when the name is taken. */
  create(record: FunctionRecord): Promise<boolean>;
  /**
   * Replaces `$LATEST`. When `expectedRevisionId` is given the write happens only if the stored
   * revision still matches; resolves `false` otherwise (or when the function is gone).
   */
  updateLatest(latest: FunctionVersion, expectedRevisionId?: string): Promise<boolean>;
  setTags(name: string, tags: Record<string, string>): Promise<boolean>;
  delete(name: string): Promise<boolean>;
  /** Every code blob and image key still referenced, for garbage collection. */
  referencedCode(): Promise<{ blobKeys: Set<string>; imageKeys: Set<string>; totalCodeSize: number }>;
}

/** Content-addressed bytes: the key is the hex SHA-256 of the content. */
export interface BlobStore {
  put(bytes: Buffer): Promise<string>;
  get(key: string): Promise<Buffer | undefined>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export interface LogEvent {
  functionName: string;
  /** CloudWatch-style stream, one per execution environment: `2025/12/28/[$LATEST]<32 hex>`. */
  logStream: string;
  requestId?: string;
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

export interface StoredLogEvent extends LogEvent {
  /** Monotonic id; pass it back as `afterId` to follow a log. */
  id: number;
}

export interface LogQuery {
  functionName: string;
  startTime?: number;
  endTime?: number;
  requestId?: string;
  /** Plain substring match on the message. */
  contains?: string;
  afterId?: number;
  limit: number;
}

export interface LogStore {
  append(events: readonly LogEvent[]): Promise<void>;
  query(q: LogQuery): Promise<StoredLogEvent[]>;
  deleteFunction(functionName: string): Promise<void>;
}

export type InvocationOutcome = 'success' | 'error' | 'timeout' | 'crash' | 'oom' | 'init-error';

/** One metering record per invocation. */
export interface InvocationRecord {
  requestId: string;
  functionName: string;
  version: string;
  invocationType: 'RequestResponse' | 'Event';
  /** Epoch milliseconds when the invocation started running. */
  startedAt: number;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryMb: number;
  /** Present on cold starts. */
  initDurationMs?: number;
  cold: boolean;
  outcome: InvocationOutcome;
  errorType?: string;
  architecture: 'x86_64' | 'arm64';
}

export interface UsageQuery {
  since?: number;
  until?: number;
  functionName?: string;
  /** Bucket rows by period; `all` gives one row per function. */
  by: 'all' | 'day' | 'hour';
}

export interface UsageRow {
  functionName: string;
  /** Start of the period (epoch ms); absent when `by` is `all`. */
  period?: number;
  architecture: 'x86_64' | 'arm64';
  requests: number;
  errors: number;
  coldStarts: number;
  durationMs: number;
  billedMs: number;
  /** memoryMb/1024 × billedMs/1000, summed. */
  gbSeconds: number;
}

export interface InvocationStore {
  append(records: readonly InvocationRecord[]): Promise<void>;
  recent(functionName: string, limit: number): Promise<InvocationRecord[]>;
  usage(q: UsageQuery): Promise<UsageRow[]>;
}

/** An event accepted for asynchronous invocation. */
export interface NewAsyncEvent {
  /** The request id: answered to the caller, and the function's `awsRequestId` on every attempt. */
  requestId: string;
  functionName: string;
  /** As the caller addressed the function; absent when unqualified. */
  qualifier?: string;
  payload: Buffer;
  traceId?: string;
  /** Epoch ms; `MaximumEventAgeInSeconds` counts from here. */
  enqueuedAt: number;
}

/** The last attempt's answer, kept for the invocation record and for inspection. */
export interface AsyncResponse {
  /** 200 when the function ran (even if it failed), 429 throttled, 5xx platform errors. */
  statusCode: number;
  functionError?: string;
  payload?: Buffer;
}

export interface AsyncEventSummary {
  /** Queue position: insertion order, also the paging cursor. */
  seq: number;
  requestId: string;
  functionName: string;
  qualifier?: string;
  traceId?: string;
  state: AsyncEventState;
  /** Attempts that ran the function (the record's `approximateInvokeCount`). */
  attempts: number;
  /** Throttles and platform errors so far (they back off without using up attempts). */
  backoffs: number;
  enqueuedAt: number;
  /** When a waiting event is due; when a finished one ended. */
  dueAt: number;
  updatedAt: number;
  lastError?: string;
  condition?: AsyncCondition;
  payloadBytes: number;
}

export interface AsyncEvent extends AsyncEventSummary {
  payload: Buffer;
  lastResponse?: AsyncResponse;
}

/** After an attempt that did not end the event: wait, then try again. */
export interface AsyncRetry {
  attempts: number;
  backoffs: number;
  dueAt: number;
  lastError: string;
  lastResponse?: AsyncResponse;
}

/** The end of an event: `succeeded` drops the payload, `failed` keeps it for replay. */
export interface AsyncFinish {
  state: 'succeeded' | 'failed';
  attempts: number;
  condition?: AsyncCondition;
  lastError?: string;
  lastResponse?: AsyncResponse;
  at: number;
}

export interface AsyncEventQuery {
  states?: readonly AsyncEventState[];
  /** Only events after this `seq` (paging). */
  afterSeq?: number;
  limit: number;
}

/**
 * The durable queue of asynchronous events. `enqueue` resolves only once the event is committed:
 * the 202 of an `Event` invoke is sent after it. Claims are conditional, so a claim can never hand
 * out an event twice; an event claimed by a server that died is put back by `requeueInFlight`.
 */
export interface AsyncEventStore {
  enqueue(event: NewAsyncEvent): Promise<void>;
  /** Marks the function's oldest due waiting event in-flight and returns it. */
  claimNext(functionName: string, now: number): Promise<AsyncEvent | undefined>;
  /** The earliest due time of the function's waiting events. */
  nextDue(functionName: string): Promise<number | undefined>;
  /** Every function with waiting events, with its earliest due time (read at start). */
  waitingFunctions(): Promise<{ functionName: string; dueAt: number }[]>;
  /** Events left in-flight by a server that stopped are due again; resolves to how many. */
  requeueInFlight(now: number): Promise<number>;
  retry(seq: number, r: AsyncRetry): Promise<void>;
  finish(seq: number, f: AsyncFinish): Promise<void>;
  list(functionName: string, q: AsyncEventQuery): Promise<AsyncEventSummary[]>;
  get(functionName: string, requestId: string): Promise<AsyncEvent | undefined>;
  countByState(functionName: string): Promise<Partial<Record<AsyncEventState, number>>>;
  /**
   * Puts failed events back in the queue as new (attempts and age start over); `requestIds`
   * undefined means every failed event of the function. Resolves to the ids put back.
   */
  replay(functionName: string, requestIds: readonly string[] | undefined, now: number): Promise<string[]>;
  /** Forgets succeeded events that ended before `before`. */
  pruneSucceeded(before: number): Promise<number>;
  /** Resolves when every write accepted so far is committed. */
  flush(): Promise<void>;
}

/** EventInvokeConfig, one per function and qualifier. */
export interface EventInvokeConfigStore {
  get(functionName: string, qualifier: string): Promise<EventInvokeConfig | undefined>;
  /** Inserts or replaces; resolves `false` when the function does not exist. */
  put(config: EventInvokeConfig): Promise<boolean>;
  delete(functionName: string, qualifier: string): Promise<boolean>;
  /** Ordered by qualifier, starting after `afterQualifier`. */
  list(
    functionName: string,
    options: { afterQualifier?: string; limit: number },
  ): Promise<EventInvokeConfig[]>;
}
