import type { Clock } from '../../domain/clock.js';
import type { Logger } from '../../observability/logger.js';
import type { ScrapeScope } from '../../observability/metrics.js';
import type { BatchInvoker } from './batch-invoker.js';
import type { Mapping, MappingKind } from './mapping.js';

/** The event source a create or update request names. */
export interface SourceRef {
  eventSourceArn?: string;
  /** `SelfManagedEventSource.Endpoints`, by endpoint type. */
  endpoints?: Record<string, string[]>;
}

/** What a running source reports for `GetEventSourceMapping` and `nimbus trigger list`. */
export interface SourceStatus {
  /** `OK`, `No records processed` or `PROBLEM: ...`, as Lambda words `LastProcessingResult`. */
  lastProcessingResult: string;
  /** Human-readable backlog, e.g. `3 messages, oldest 12 s`. */
  lag?: string;
  /** Backlog in records or bytes, for scripts. */
  lagCount?: number;
  /**
   * Age of the oldest record waiting for the function (0 when none waits); absent when unknown.
   * `nimbus_trigger_lag_seconds`.
   */
  lagSeconds?: number;
  lastError?: { message: string; at: number };
  lastBatchAt?: number;
}

export interface RunningSource {
  /** `scrape`: called for `/metrics`; what the scrape's gauges share may be reused. */
  status(scrape?: ScrapeScope): Promise<SourceStatus>;
  /** Stops polling; waits a short grace for batches in flight. Idempotent. */
  close(): Promise<void>;
}

/** Per-mapping durable position (PostgreSQL: the last checkpointed change). */
export interface CheckpointStore {
  load(): Promise<string | undefined>;
  save(value: string): Promise<void>;
}

export interface SourceContext {
  invoke: BatchInvoker;
  clock: Clock;
  log: Logger;
  checkpoint: CheckpointStore;
  /** Account-wide concurrency: the ceiling of pollers when `MaximumConcurrency` is not set. */
  defaultMaxConcurrency: number;
  /** Persists `LastProcessingResult` changes (so they survive restarts and show in the API). */
  onProcessingResult(result: string): void;
}

/**
 * One kind of poll-based event source (a folder in `src/triggers/`). The mapping service owns
 * the API, storage and the state machine; a kind validates its settings and runs its poller.
 */
export interface EventSourceKind {
  readonly kind: MappingKind;
  /** Whether this kind serves the named source. */
  claims(source: SourceRef): boolean;
  /**
   * Completes a new or updated mapping with this kind's defaults and checks its settings and its
   * source (which must exist and be reachable). Throws `LambdaError`s with AWS's codes.
   */
  prepare(m: Mapping, source: SourceRef, previous?: Mapping): Promise<Mapping>;
  start(m: Mapping, ctx: SourceContext): RunningSource;
  /** Removes what the mapping created outside Nimbus (a replication slot); called on delete. */
  cleanup?(m: Mapping): Promise<void>;
}
