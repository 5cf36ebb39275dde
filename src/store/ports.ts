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
