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
  stats(queueId: number, now: number): Promise<QueueStats>;
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
