import { randomUUID } from 'node:crypto';
import { type FunctionRef, LATEST } from '../domain/arn.js';
import type { Clock } from '../domain/clock.js';
import { LambdaError } from '../domain/errors.js';
import type { FunctionRegistry, ResolvedFunction } from '../registry/function-registry.js';
import { type InvocationResult, SandboxUnavailableError } from '../sandbox/sandbox.js';
import type { SandboxManager, SandboxSpec } from '../sandbox/sandbox-manager.js';
import type { StreamedResponse } from '../sandbox/streamed-response.js';
import type { InvocationRecord } from '../store/ports.js';
import type { ConcurrencyLimiter, Release } from './concurrency.js';
import { invocationTraceHeader } from './trace-header.js';

export interface InvokeRequest {
  ref: FunctionRef;
  payload: Buffer;
  /** JSON text of the decoded `X-Amz-Client-Context`. */
  clientContext?: string;
  /** The caller's `X-Amzn-Trace-Id`, continued by the invocation's trace (`trace-header.ts`). */
  traceId?: string;
  /** Reuse a request id (asynchronous retries keep theirs). */
  requestId?: string;
  invocationType: 'RequestResponse' | 'Event';
  /** Receive a streaming handler's response as it flows (see `InvocationInput.onStream`). */
  onStream?: (stream: StreamedResponse) => void;
  /**
   * A concurrency slot the caller already holds for this function (the async dispatcher takes it
   * before claiming an event, so it never claims more than can run); released when the
   * invocation ends. Without it the invocation takes its own.
   */
  slot?: Release;
}

export interface InvokeResponse {
  requestId: string;
  executedVersion: string;
  payload: Buffer;
  contentType?: string;
  /** `Unhandled` when the function (or its runtime) failed. */
  functionError?: 'Unhandled';
  errorType?: string;
  /** base64 of the last 4 KB of the invocation's log. */
  logResult: () => string;
  result: InvocationResult;
}

/** Where metering records go (batched and persisted by observability). */
export interface MeterSink {
  record(r: InvocationRecord): void;
}

export interface InvokeServiceOptions {
  registry: FunctionRegistry;
  sandboxes: SandboxManager;
  concurrency: ConcurrencyLimiter;
  meter: MeterSink;
  clock: Clock;
  /** Credentials and endpoint handed to functions for calling back into Nimbus. */
  functionCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  endpointUrl?: () => string | undefined;
  /** Told about every throttled invocation (metrics). */
  onThrottle?: (functionName: string, reason: string) => void;
}

/**
 * Runs invocations: resolves the function, takes a concurrency slot, runs the event in a sandbox
 * of the function's pool and meters the result.
 */
export class InvokeService {
  readonly #specs = new WeakMap<object, SandboxSpec>();

  constructor(private readonly o: InvokeServiceOptions) {}

  /** Resolves and checks that the function can run, without running it (DryRun). */
  async check(ref: FunctionRef): Promise<ResolvedFunction> {
    const resolved = await this.o.registry.resolve(ref);
    assertRunnable(resolved);
    return resolved;
  }

  async invoke(req: InvokeRequest): Promise<InvokeResponse> {
    const resolved = await this.check(req.ref);
    const v = resolved.version;
    let release: () => void;
    if (req.slot) {
      // The slot was taken before the version was known: an execution of a version with free
      // provisioned concurrency runs on that instead, and the unreserved slot goes back.
      const provisioned = this.o.concurrency.acquireProvisioned(v.name, resolved.executedVersion);
      if (provisioned) req.slot();
      release = provisioned ?? req.slot;
    } else {
      try {
        release = this.o.concurrency.acquire(v.name, resolved.executedVersion);
      } catch (e) {
        if (e instanceof LambdaError && e.code === 'TooManyRequestsException') {
          this.o.onThrottle?.(v.name, e.details.reason ?? 'ConcurrentInvocationLimitExceeded');
        }
        throw e;
      }
    }
    const requestId = req.requestId ?? randomUUID();
    let result: InvocationResult;
    try {
      result = await this.o.sandboxes.run(this.sandboxSpec(resolved), {
        requestId,
        invokedFunctionArn: resolved.invokedArn,
        payload: req.payload,
        traceId: invocationTraceHeader(req.traceId, v.tracingMode, this.o.clock.now()),
        ...(req.clientContext ? { clientContext: req.clientContext } : {}),
        ...(req.onStream ? { onStream: req.onStream } : {}),
      });
    } catch (e) {
      if (e instanceof SandboxUnavailableError) {
        throw new LambdaError(
          'ServiceException',
          'The function could not be placed in a sandbox. Try again.',
          {
            cause: e,
          },
        );
      }
      throw e;
    } finally {
      release();
    }
    this.o.meter.record({
      requestId,
      functionName: v.name,
      version: resolved.executedVersion,
      invocationType: req.invocationType,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      billedMs: result.billedMs,
      memoryMb: v.memorySize,
      maxMemoryMb: result.maxMemoryMb,
      ...(result.initDurationMs === undefined ? {} : { initDurationMs: result.initDurationMs }),
      cold: result.cold,
      outcome: result.outcome,
      ...(result.errorType ? { errorType: result.errorType } : {}),
      architecture: v.architectures[0] ?? 'x86_64',
    });
    return {
      requestId,
      executedVersion: resolved.executedVersion,
      payload: result.payload,
      ...(result.contentType ? { contentType: result.contentType } : {}),
      ...(result.outcome === 'success' ? {} : { functionError: 'Unhandled' as const }),
      ...(result.errorType ? { errorType: result.errorType } : {}),
      logResult: () => result.logTail.tailBase64(),
      result,
    };
  }

  /** The sandbox spec of a resolved version, built once per revision. */
  sandboxSpec(resolved: ResolvedFunction): SandboxSpec {
    const v = resolved.version;
    const cached = this.#specs.get(v);
    if (cached) return cached;
    const endpointUrl = this.o.endpointUrl?.();
    const spec: SandboxSpec = {
      // A published version's configuration never changes (its RevisionId does, with its resource
      // policy), so its number alone names its pool; `$LATEST` needs the revision.
      poolKey: `${v.name}\u0000${resolved.executedVersion}\u0000${v.version === LATEST ? v.revisionId : 'published'}`,
      codeDir: resolved.codeDir,
      ...(resolved.optDir ? { optDir: resolved.optDir } : {}),
      timeoutSeconds: v.timeout,
      ephemeralStorageMb: v.ephemeralStorageMb,
      identity: {
        functionName: v.name,
        version: resolved.executedVersion,
        runtime: v.runtime,
        handler: v.handler,
        memoryMb: v.memorySize,
        region: this.o.registry.scope.region,
        logGroup: v.loggingConfig.logGroup,
        logFormat: v.loggingConfig.logFormat,
        ...(v.loggingConfig.applicationLogLevel
          ? { applicationLogLevel: v.loggingConfig.applicationLogLevel }
          : {}),
        userEnvironment: v.environment,
        initializationType: 'on-demand',
        credentials: this.o.functionCredentials,
        ...(endpointUrl ? { endpointUrl } : {}),
      },
    };
    this.#specs.set(v, spec);
    return spec;
  }
}

function assertRunnable(resolved: ResolvedFunction): void {
  const v = resolved.version;
  if (v.state === 'Active') return;
  if (v.state === 'Pending') {
    throw new LambdaError(
      'ResourceConflictException',
      `The operation cannot be performed at this time. The function is currently in the following state: ${v.state}`,
    );
  }
  throw new LambdaError(
    'ResourceNotReadyException',
    `The function is in the ${v.state} state and cannot be invoked.${v.stateReason ? ` ${v.stateReason}` : ''}`,
  );
}
