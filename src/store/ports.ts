import type { AsyncCondition, AsyncEventState, EventInvokeConfig } from '../domain/async-invoke.js';
import type { Alias, FunctionRecord, FunctionVersion } from '../domain/function.js';
import type {
  FunctionUrlRecord,
  HttpApiRecord,
  HttpApiSnapshot,
  HttpIntegrationRecord,
  HttpRouteRecord,
  HttpStageRecord,
} from '../domain/http-triggers.js';
import type { LayerVersion } from '../domain/layer.js';
import type { PolicyStatement } from '../domain/resource-policy.js';
import type {
  DeleteOutcome,
  NewMessage,
  QueueRecord,
  QueueStats,
  ReceiveQuery,
  SentMessage,
  StoredMessage,
  VisibilityOutcome,
} from '../queues/queue-model.js';
import type { Mapping } from '../triggers/esm/mapping.js';

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
  /** Inserts a published version and sets the function's next version number, atomically. */
  insertVersion(version: FunctionVersion, nextVersion: number): Promise<boolean>;
  deleteVersion(name: string, version: string): Promise<boolean>;
  /**
   * Rewrites a published version (only its revision changes: a policy was added or removed) when
   * its stored revision is `expectedRevisionId`. Resolves `false` when the condition fails.
   */
  updateVersion(version: FunctionVersion, expectedRevisionId: string): Promise<boolean>;
  /**
   * Writes an alias. `create` inserts only when the name is free; otherwise the alias is replaced
   * when its stored revision is `expectedRevisionId`. Resolves `false` when the condition fails.
   */
  putAlias(
    functionName: string,
    alias: Alias,
    condition: { create: true } | { expectedRevisionId: string },
  ): Promise<boolean>;
  deleteAlias(functionName: string, aliasName: string): Promise<boolean>;
  /** Every code blob and image key still referenced, for garbage collection. */
  referencedCode(): Promise<CodeReferences>;
}

/**
 * Resource-based policies, one per function and qualifier (`''` for the unqualified function, a
 * version number or an alias name). Rows go with their function (cascade); the service drops
 * those of deleted versions and aliases.
 */
export interface PolicyStore {
  /** The statements in the order they were added; empty when there is no policy. */
  get(functionName: string, qualifier: string): Promise<PolicyStatement[]>;
  /** Replaces the policy; an empty list removes it. */
  put(functionName: string, qualifier: string, statements: readonly PolicyStatement[]): Promise<void>;
  delete(functionName: string, qualifier: string): Promise<void>;
}

export interface CodeReferences {
  blobKeys: Set<string>;
  imageKeys: Set<string>;
  /** Bytes of distinct zips (the account's `TotalCodeSize`). */
  totalCodeSize: number;
}

/** Layer versions; numbers per layer name are never reused, even after deletions. */
export interface LayerStore {
  /** Inserts the next version of a layer; `make` receives the number it gets. */
  publish(name: string, make: (version: number) => LayerVersion): Promise<LayerVersion>;
  get(name: string, version: number): Promise<LayerVersion | undefined>;
  /** Versions of one layer, newest first, below `beforeVersion`. */
  versions(name: string, options: { beforeVersion?: number; limit: number }): Promise<LayerVersion[]>;
  /** The newest version of each layer, by name, after `afterName`. */
  latestVersions(options: { afterName?: string; limit: number }): Promise<LayerVersion[]>;
  delete(name: string, version: number): Promise<boolean>;
  referencedCode(): Promise<CodeReferences>;
}

/** Seals values kept at rest (environment variables): authenticated encryption, text in and out. */
export interface ValueCipher {
  seal(plain: string): string;
  open(sealed: string): string;
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
  /** Only these streams. */
  logStreams?: readonly string[];
  logStreamPrefix?: string;
  limit: number;
}

export interface LogStreamSummary {
  logStream: string;
  firstEventTimestamp: number;
  lastEventTimestamp: number;
  storedBytes: number;
}

export interface LogStore {
  append(events: readonly LogEvent[]): Promise<void>;
  query(q: LogQuery): Promise<StoredLogEvent[]>;
  /** The streams of a function's log, newest last event first. */
  streams(functionName: string): Promise<LogStreamSummary[]>;
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

/** An invocation refused for lack of concurrency: it never ran, so it has no metering record. */
export interface ThrottleRecord {
  functionName: string;
  /** Epoch milliseconds. */
  at: number;
  reason: string;
}

export interface SeriesQuery {
  /** All functions when absent. */
  functionName?: string;
  /** Only invocations that ran this version (`$LATEST`, `1`, ...); throttles stay per function. */
  version?: string;
  since: number;
  until: number;
  periodMs: number;
}

/** One period of a function's activity, as CloudWatch's Lambda metrics show it. */
export interface SeriesPoint {
  /** Start of the period (epoch ms). */
  t: number;
  invocations: number;
  /** Invocations whose outcome was not `success`. */
  errors: number;
  throttles: number;
  coldStarts: number;
  /** Handler duration percentiles (ms) of the invocations started in the period; null when none. */
  durationP50: number | null;
  durationP99: number | null;
  durationMax: number | null;
  /** Most invocations running at once during the period. */
  concurrency: number;
}

export interface InvocationStore {
  append(records: readonly InvocationRecord[]): Promise<void>;
  appendThrottles(records: readonly ThrottleRecord[]): Promise<void>;
  /** Newest first; `before` (epoch ms, exclusive) pages back through older ones. */
  recent(functionName: string, limit: number, before?: number): Promise<InvocationRecord[]>;
  usage(q: UsageQuery): Promise<UsageRow[]>;
  /** Activity per period over `[since, until)`. */
  series(q: SeriesQuery): Promise<SeriesPoint[]>;
}

/** An event saved for testing a function (the console's test panel). */
export interface TestEvent {
  name: string;
  /** JSON text. */
  event: string;
  /** Epoch milliseconds. */
  updatedAt: number;
}

/** Saved test events per function; deleting the function deletes them. */
export interface TestEventStore {
  list(functionName: string): Promise<TestEvent[]>;
  /** Inserts or replaces by name; resolves `false` when the function does not exist. */
  put(functionName: string, event: TestEvent): Promise<boolean>;
  delete(functionName: string, name: string): Promise<boolean>;
}

/** The built-in queue service's queues and messages. */
export interface QueueStore {
  /** Inserts a queue; resolves `undefined` (and changes nothing) when the name is taken. */
  createQueue(q: Omit<QueueRecord, 'id'>): Promise<QueueRecord | undefined>;
  getQueue(name: string): Promise<QueueRecord | undefined>;
  getQueueById(id: number): Promise<QueueRecord | undefined>;
  /** Queues ordered by name, starting after `afterName`. */
  listQueues(o: { prefix?: string; afterName?: string; limit: number }): Promise<QueueRecord[]>;
  updateQueue(
    id: number,
    patch: {
      attributes?: Record<string, string>;
      modifiedAt?: number;
      lastPurgedAt?: number;
      tags?: Record<string, string>;
    },
  ): Promise<void>;
  /** Deletes the queue and every message in it. */
  deleteQueue(id: number): Promise<void>;
  /**
   * Stores messages in one transaction. For FIFO queues a message whose `dedupKey` was seen
   * within `dedupWindowMs` is not stored again; the original is reported instead.
   */
  send(
    queueId: number,
    messages: readonly (NewMessage & { dedupKey?: string })[],
    dedupWindowMs: number,
  ): Promise<SentMessage[]>;
  /** Takes up to `max` visible messages, makes them invisible and gives each a new token. */
  receive(q: ReceiveQuery): Promise<StoredMessage[]>;
  /** Deletes the message if `token` is its latest receive; a stale token changes nothing. */
  deleteMessage(queueId: number, seq: number, token: string): Promise<DeleteOutcome>;
  changeVisibility(
    queueId: number,
    seq: number,
    token: string,
    visibleAt: number,
    now: number,
  ): Promise<VisibilityOutcome>;
  purge(queueId: number): Promise<number>;
  /** Message counts at `now`, leaving out messages older than `retentionMs` (expired, not yet deleted). */
  stats(queueId: number, now: number, retentionMs: number): Promise<QueueStats>;
  /** The earliest time after `now` at which a message of the queue becomes visible. */
  nextVisibleAt(queueId: number, now: number): Promise<number | undefined>;
  /** Names of queues whose redrive policy points at `deadLetterArn`. */
  deadLetterSources(deadLetterArn: string): Promise<string[]>;
}

/** Event source mappings and each one's durable position. */
export interface EventSourceMappingStore {
  create(m: Mapping): Promise<void>;
  get(uuid: string): Promise<Mapping | undefined>;
  /** In creation order, starting after `afterUuid`. */
  list(o: {
    functionName?: string;
    eventSourceArn?: string;
    afterUuid?: string;
    limit: number;
  }): Promise<Mapping[]>;
  all(): Promise<Mapping[]>;
  update(m: Mapping): Promise<void>;
  delete(uuid: string): Promise<void>;
  loadCheckpoint(uuid: string): Promise<string | undefined>;
  saveCheckpoint(uuid: string, value: string): Promise<void>;
}

/** Function URL configurations (one per function and qualifier; removed with the function). */
export interface FunctionUrlStore {
  all(): Promise<FunctionUrlRecord[]>;
  /** Inserts or replaces the configuration of `(functionName, qualifier)`. */
  put(record: FunctionUrlRecord): Promise<void>;
  delete(functionName: string, qualifier: string): Promise<boolean>;
}

/** HTTP APIs and their routes, integrations and stages. */
export interface HttpApiStore {
  all(): Promise<HttpApiSnapshot[]>;
  putApi(api: HttpApiRecord): Promise<void>;
  /** Removes the API with everything in it. */
  deleteApi(apiId: string): Promise<boolean>;
  putRoute(apiId: string, route: HttpRouteRecord): Promise<void>;
  deleteRoute(apiId: string, routeId: string): Promise<boolean>;
  putIntegration(apiId: string, integration: HttpIntegrationRecord): Promise<void>;
  deleteIntegration(apiId: string, integrationId: string): Promise<boolean>;
  putStage(apiId: string, stage: HttpStageRecord): Promise<void>;
  deleteStage(apiId: string, stageName: string): Promise<boolean>;
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
   * Every function that has events, with its counts by state except `succeeded` (not counted: a
   * busy function keeps an hour of them), for `/metrics`. Reads indexes only.
   */
  countAll(): Promise<{ functionName: string; counts: Partial<Record<AsyncEventState, number>> }[]>;
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

/** Concurrency settings of one function (lambda-reference §1.2, §8). */
export interface FunctionConcurrencyRecord {
  functionName: string;
  /** Reserved concurrency; absent when the function shares the unreserved pool. */
  reserved?: number;
  /** Provisioned concurrency per qualifier. */
  provisioned: { qualifier: string; requested: number; lastModified: number }[];
}

/** Reserved and provisioned concurrency; rows go away with their function. */
export interface ConcurrencyStore {
  all(): Promise<FunctionConcurrencyRecord[]>;
  setReserved(functionName: string, reserved: number | undefined): Promise<void>;
  setProvisioned(
    functionName: string,
    qualifier: string,
    requested: number | undefined,
    lastModified: number,
  ): Promise<void>;
}
