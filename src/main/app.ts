import type { CodeStore } from '../artifacts/code-store.js';
import type { DestinationRouter } from '../async/destinations.js';
import type { EventInvoker, ReservedConcurrency } from '../async/ports.js';
import type { ServerConfig } from '../config/server-config.js';
import type { AccountScope } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import type { Surface } from '../gateway/exchange.js';
import type { SigV4Authenticator } from '../gateway/sigv4-auth.js';
import type { ConcurrencyLimiter } from '../invoke/concurrency.js';
import type { InvokeService } from '../invoke/invoke-service.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Recorder } from '../observability/recorder.js';
import type { QueueService } from '../queues/queue-service.js';
import type { FunctionRegistry } from '../registry/function-registry.js';
import type { LayerRegistry } from '../registry/layer-registry.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { CodeLinks } from '../services/code-links.js';
import type { ObjectReader } from '../services/lambda/code-source.js';
import type { RestJsonSurface } from '../services/rest-json-surface.js';
import type { InvocationStore, LogStore } from '../store/ports.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { AsyncInvoker } from '../triggers/async-invoker.js';
import type { EventSourceMappingService } from '../triggers/esm/mapping-service.js';
import type { DataDir } from './data-dir.js';
import type { HostTools } from './host-tools.js';

/** Something with a life of its own (a dispatcher, a poller, a scheduler). */
export interface Service {
  readonly name: string;
  /** Called once the gateway listens (so `app.endpoint()` is known). */
  start(): Promise<void>;
  /** Called first on shutdown, before sandboxes and the store close. */
  close(): Promise<void>;
  /** Optional: called before the gateway stops, to end long-held requests (long polls) at once. */
  drain?(): void;
}

/**
 * Everything the composition root built, handed to each feature so it can add its routes,
 * surfaces and services. Only `main/` sees this object.
 */
export interface App {
  config: ServerConfig;
  clock: Clock;
  log: Logger;
  scope: AccountScope;
  dir: DataDir;
  db: SqliteDatabase;
  logStore: LogStore;
  invocationStore: InvocationStore;
  code: CodeStore;
  codeLinks: CodeLinks;
  registry: FunctionRegistry;
  layers: LayerRegistry;
  /** Python and npm as found on the host. */
  tools: HostTools;
  recorder: Recorder;
  /** Prometheus metrics; features add their own series. */
  metrics: Metrics;
  sandboxes: SandboxManager;
  concurrency: ConcurrencyLimiter;
  invoke: InvokeService;
  /** SigV4 verification every surface applies to its requests. */
  auth: SigV4Authenticator;
  /** The Lambda API (`/20YY-MM-DD/...`). */
  lambdaApi: RestJsonSurface;
  /** Nimbus's own API (`/nimbus/v1/...`). */
  nimbusApi: RestJsonSurface;
  /** Surfaces tried before the path-routed APIs (e.g. routed by Host header). */
  surfaces: Surface[];
  /** Catch-alls tried after every other surface (unsigned path-style S3 requests). */
  fallbackSurfaces: Surface[];
  /**
   * The durable asynchronous invoke path, installed by the async-invoke feature; event sources
   * (S3 notifications) hand their events to it. Read it when delivering, not at wiring time.
   */
  asyncInvoker?: AsyncInvoker;
  /** Reads an object of the object store (code from `S3Bucket`/`S3Key`); set by the S3 feature. */
  readObject?: ObjectReader;
  services: Service[];
  /** The built-in queue service (set by the `queues` feature). */
  queues?: QueueService;
  /** Event source mappings (set by the `eventSourceMappings` feature). */
  eventSourceMappings?: EventSourceMappingService;
  /** The server's base URL once it listens. */
  endpoint(): string;
  /**
   * Invokes functions asynchronously through the durable queue (set by `features/async-invoke`).
   * S3 notifications, schedules and the like call this.
   */
  eventInvoker?: EventInvoker;
  /** Asynchronous destinations by ARN service: `lambda` built in; the queue service adds `sqs`. */
  destinations?: DestinationRouter;
  /**
   * Reserved concurrency as asynchronous dispatch sees it (0 = fully throttled: events fail
   * without running). Set by the reserved-concurrency feature; absent means no function has any.
   */
  reservedConcurrency?: ReservedConcurrency;
  /**
   * The clock schedules fire by, when not `clock` (tests and benchmarks set a faster one through
   * `extraFeatures`, so a `rate(1 minute)` fires every second without touching sandbox timeouts).
   */
  scheduleClock?: Clock;
}

/** A feature wires itself into the app: routes, surfaces, services. */
export type Feature = (app: App) => void | Promise<void>;
