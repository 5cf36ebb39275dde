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
