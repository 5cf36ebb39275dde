import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PassThrough } from 'node:stream';
import type { Clock, Timer } from '../domain/clock.js';
import { SYNC_RESPONSE_MAX_BYTES } from '../domain/limits.js';
import {
  type DeliveredInvocation,
  type PostResult,
  type RuntimeApiDelegate,
  RuntimeApiServer,
  readBody,
} from '../runtime-api/server.js';
import { type SandboxIdentity, sandboxEnvironment } from './environment-variables.js';
import type { ExitInfo, PreparedSandbox, SandboxExecutor, SandboxProcess } from './executor.js';
import { InvocationLog } from './invocation-log.js';
import { LineSplitter } from './line-splitter.js';
import type { LogSink } from './log-sink.js';
import { OutputThrottle } from './output-throttle.js';
import { billedMilliseconds, type PlatformLog, type PlatformStatus, platformLog } from './platform-log.js';
import { RuntimeLaunchError, runtimeCommand } from './runtime-launcher.js';
import { relayStreamedResponse, type StreamedResponse } from './streamed-response.js';

/**
 * One execution environment: a runtime process, its Runtime API endpoint and its logs, serving one
 * invocation at a time.
 *
 *   starting ──init ok──▶ ready ◀──▶ busy
 *      │                    │          │
 *      └── init error, exit, timeout, stop() ──▶ stopped
 *
 * A sandbox handed out while `starting` runs its first invocation as soon as init completes (a
 * cold start); an init failure becomes that invocation's error, as on Lambda.
 */
export type SandboxState = 'starting' | 'ready' | 'busy' | 'stopped';

export interface SandboxOptions {
  identity: Omit<SandboxIdentity, 'logStream'>;
  codeDir: string;
  /** Host folder of the merged layers (`/opt`). */
  optDir?: string;
  /** Python interpreter for `python3.x` runtimes (absent when the host has none). */
  pythonExecutable?: string;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  executor: SandboxExecutor;
  logSink: LogSink;
  clock: Clock;
  runtimeApiHost: string;
  initTimeoutMs: number;
  /**
   * Initialised ahead of demand (provisioned concurrency): its first invocation is warm, with no
   * Init Duration, as on Lambda.
   */
  prewarmed?: boolean;
  onStopped?: (sandbox: Sandbox) => void;
}

export interface InvocationInput {
  requestId: string;
  invokedFunctionArn: string;
  payload: Buffer;
  traceId?: string;
  clientContext?: string;
  cognitoIdentity?: string;
  tenantId?: string;
  /**
   * Set by callers that can pass a streamed response on as it arrives (InvokeWithResponseStream,
   * RESPONSE_STREAM function URLs). Called once when a streaming handler starts its response; the
   * invocation's result then follows when the stream has ended. Without it, streams are buffered.
   */
  onStream?: (stream: StreamedResponse) => void;
}

export type InvocationOutcomeKind = 'success' | 'error' | 'timeout' | 'crash' | 'oom' | 'init-error';

export interface InvocationResult {
  requestId: string;
  outcome: InvocationOutcomeKind;
  /** The response body, or the error JSON for every other outcome. */
  payload: Buffer;
  contentType?: string;
  errorType?: string;
  /** Epoch ms when the invocation was handed to the runtime. */
  startedAt: number;
  durationMs: number;
  billedMs: number;
  initDurationMs?: number;
  cold: boolean;
  maxMemoryMb: number;
  /** The runtime's own measure of the invoke, when it reports one (Nimbus's runtime does). */
  handlerMs?: number;
  logTail: InvocationLog;
}

export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

type InitOutcome = { ok: true; initMs: number } | { ok: false; initMs: number; failure: InitFailure };

type InitFailure =
  | { kind: 'init-error'; errorType: string; body: Buffer }
  | { kind: 'exit'; exit: ExitInfo }
  | { kind: 'timeout'; seconds: number };

interface Active {
  input: InvocationInput;
  log: InvocationLog;
  startedAt: number;
  startedMono: number;
  cold: boolean;
  initMs?: number;
  timer: Timer;
  done: boolean;
  /** The body relayed to `input.onStream`, ended early (with an error) if the invocation fails. */
  stream?: PassThrough;
  resolve: (r: InvocationResult) => void;
}

export class Sandbox implements RuntimeApiDelegate {
  readonly id = randomBytes(16).toString('hex');
  readonly logStream: string;
  #state: SandboxState = 'starting';
  #claimed = false;
  #initReported = false;
  #process?: SandboxProcess;
  readonly #server: RuntimeApiServer;
  #nextWaiter?: (inv: DeliveredInvocation) => void;
  /** The `202` of the last outcome, held until the next invocation goes out (one wakeup, not two). */
  #pendingAck?: () => void;
  #queued?: DeliveredInvocation;
  #active?: Active;
  #initStartMono = 0;
  #initSettled = false;
  #initFailed = false;
  #initTimer?: Timer;
  #resolveInit!: (o: InitOutcome) => void;
  readonly #init: Promise<InitOutcome>;
  #lastPeakBytes = 0;
  #peakReadAt = Number.NEGATIVE_INFINITY;
  #exit?: ExitInfo;
  #released = false;
  #resolveClosed!: () => void;
  /** Settles when the process is gone and everything it held is released. */
  readonly closed = new Promise<void>((ok) => {
    this.#resolveClosed = ok;
  });
  /** Set once the sandbox is used up (timeout, crash, stop): it never returns to `ready`. */
  #retired = false;
  /** START/END/REPORT, or their JSON records when the function's LogFormat is JSON. */
  readonly #platform: PlatformLog;

  constructor(private readonly o: SandboxOptions) {
    this.#platform = platformLog(o.identity.logFormat, o.clock.now);
    const d = new Date(o.clock.now());
    const ymd = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
    this.logStream = `${ymd}/[${o.identity.version}]${this.id}`;
    this.#server = new RuntimeApiServer(this, {
      host: o.runtimeApiHost,
      maxResponseBytes: SYNC_RESPONSE_MAX_BYTES,
    });
    this.#initReported = o.prewarmed === true;
    this.#init = new Promise((ok) => {
      this.#resolveInit = ok;
    });
  }

  get state(): SandboxState {
    return this.#state;
  }

  /** Free to take an invocation: ready, or still starting and not promised to anyone. */
  get available(): boolean {
    return !this.#claimed && (this.#state === 'ready' || this.#state === 'starting');
  }

  /** Settles when init is over: `true` when the runtime is ready for work, `false` when init failed. */
  whenInitialised(): Promise<boolean> {
    return this.#init.then((o) => o.ok);
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Started from a pre-started runtime (known once started). */
  get fromZygote(): boolean {
    return this.#process?.fromZygote ?? false;
  }

  /**
   * Starts the runtime: the executor picks how (a pre-started runtime, or a fresh process), the
   * Runtime API listens where the sandbox will reach it, then the runtime starts with its
   * environment. Init Duration counts from here. Never rejects: failures surface through the
   * first invocation.
   */
  async start(): Promise<void> {
    const o = this.o;
    this.#initStartMono = o.clock.monotonic();
    let prepared: PreparedSandbox | undefined;
    try {
      const paths = o.executor.paths(o.codeDir, this.id, o.optDir);
      const cmd = runtimeCommand(o.identity.runtime, paths, {
        nodeExecutable: o.executor.nodeExecutable,
        ...(o.pythonExecutable ? { pythonExecutable: o.pythonExecutable } : {}),
        hostCodeDir: o.codeDir,
        ...(o.optDir ? { hostOptDir: o.optDir } : {}),
      });
      prepared = o.executor.prepare(
        {
          ...cmd,
          codeDir: o.codeDir,
          ...(o.optDir ? { optDir: o.optDir } : {}),
          memoryMb: o.identity.memoryMb,
          ephemeralStorageMb: o.ephemeralStorageMb,
          userEnvironment: o.identity.userEnvironment,
        },
        this.id,
      );
      // Nimbus's Node.js runtime reaches its Runtime API over the sandbox's private unix socket.
      // Other runtimes (AWS's runtime clients, curl in a shell bootstrap, our Python client)
      // speak `host:port`: a loopback port that answers only to a host name this sandbox alone
      // resolves, so another sandbox on the same network cannot talk to it.
      let address: string;
      if (o.identity.runtime.startsWith('nodejs')) {
        await this.#server.listen(prepared.runtimeApiSocket);
        address = prepared.runtimeApiAddress;
      } else {
        const port = (await this.#server.listen()).split(':').pop()!;
        if (prepared.tcpHostName) this.#server.requireHost(prepared.tcpHostName);
        address = `${prepared.tcpHostName ?? o.runtimeApiHost}:${port}`;
      }
      const env = sandboxEnvironment({ ...o.identity, logStream: this.logStream }, paths, address);
      this.#writeUnattributed(
        this.#platform.initStart(o.identity.runtime, process.version, o.identity.initializationType),
      );
      this.#process = await prepared.start(env);
    } catch (e) {
      if (!this.#process) prepared?.abandon();
      if (e instanceof RuntimeLaunchError) {
        // Lambda reports a missing or unusable bootstrap as the invocation's init error.
        this.#writeUnattributed(`${e.message}\n${e.errorType}`);
        this.#settleInit({
          kind: 'init-error',
          errorType: e.errorType,
          body: errorJson(e.errorType, e.message),
        });
        // The invocation waiting for this sandbox reports the error and stops the sandbox.
        return;
      }
      this.#writeUnattributed(`[nimbus] the sandbox could not start: ${(e as Error).message}`);
      this.#settleInit({ kind: 'exit', exit: { code: null, signal: null, oomKilled: false } });
      this.stop();
      return;
    }
    const proc = this.#process;
    // stop() while the executor was starting it: nothing else will end it.
    if (this.#state === 'stopped' || this.#retired) proc.kill();
    const out = new LineSplitter((l) => this.#onLine(l));
    const err = new LineSplitter((l) => this.#onLine(l));
    const throttle = new OutputThrottle(o.clock, [proc.stdout, proc.stderr]);
    proc.stdout.on('data', (c: Buffer) => {
      out.push(c);
      throttle.consumed(c.length);
    });
    proc.stderr.on('data', (c: Buffer) => {
      err.push(c);
      throttle.consumed(c.length);
    });
    void proc.exited.then((info) => {
      throttle.stop();
      out.flush();
      err.flush();
      this.#onExit(info);
    });
    this.#initTimer = o.clock.setTimeout(() => {
      this.#settleInit({ kind: 'timeout', seconds: o.initTimeoutMs / 1000 });
      this.#kill();
    }, o.initTimeoutMs);
  }

  /**
   * Runs one invocation. Waits for init on a cold sandbox. Rejects with
   * {@link SandboxUnavailableError} when the sandbox died before the event reached it (the caller
   * may use another sandbox); every other failure is a result.
   */
  async invoke(input: InvocationInput): Promise<InvocationResult> {
    // A sandbox whose init failed is handed to one invocation to report that failure, even when
    // its process is already gone (a bootstrap that exits at once).
    const reportsInitFailure = !this.#claimed && this.#initFailed;
    if (!this.available && !reportsInitFailure) {
      throw new SandboxUnavailableError(`sandbox ${this.id} is ${this.#state}`);
    }
    this.#claimed = true;
    const init = await this.#init;
    const cold = !this.#initReported;
    this.#initReported = true;
    if (!init.ok) return this.#initFailureResult(input, init.initMs, init.failure);
    if (this.#state !== 'ready') {
      this.#claimed = false;
      throw new SandboxUnavailableError(`sandbox ${this.id} is ${this.#state}`);
    }
    this.#state = 'busy';
    const o = this.o;
    return new Promise<InvocationResult>((resolve) => {
      const startedAt = o.clock.now();
      const log = new InvocationLog(
        o.logSink,
        o.identity.functionName,
        this.logStream,
        input.requestId,
        o.clock.now,
      );
      log.write(this.#platform.start(input.requestId, o.identity.version));
      const timeoutMs = o.timeoutSeconds * 1000;
      const active: Active = {
        input,
        log,
        startedAt,
        startedMono: o.clock.monotonic(),
        cold,
        ...(cold ? { initMs: init.initMs } : {}),
        timer: o.clock.setTimeout(() => this.#onTimeout(), timeoutMs),
        done: false,
        resolve,
      };
      this.#active = active;
      this.#deliver({
        requestId: input.requestId,
        deadlineMs: startedAt + timeoutMs,
        invokedFunctionArn: input.invokedFunctionArn,
        payload: input.payload,
        ...(input.traceId ? { traceId: input.traceId } : {}),
        ...(input.clientContext ? { clientContext: input.clientContext } : {}),
        ...(input.cognitoIdentity ? { cognitoIdentity: input.cognitoIdentity } : {}),
        ...(input.tenantId ? { tenantId: input.tenantId } : {}),
      });
    });
  }

  /** Ends the sandbox now. An invocation in flight fails as a crash. Idempotent. */
  stop(): void {
    this.#retired = true;
    if (this.#state !== 'busy') this.#markStopped();
    if (this.#process && !this.#exit) this.#kill();
    else this.#release();
  }

  // ---- Runtime API delegate -------------------------------------------------------------

  awaitNext(deliver: (inv: DeliveredInvocation) => void): () => void {
    if (!this.#initSettled) this.#settleInitOk();
    const queued = this.#queued;
    if (queued) {
      this.#queued = undefined;
      deliver(queued);
      return () => {};
    }
    this.#nextWaiter = deliver;
    return () => {
      if (this.#nextWaiter === deliver) this.#nextWaiter = undefined;
      this.#releaseAck();
    };
  }

  deferAcknowledgement(ack: () => void): boolean {
    if (!this.#nextWaiter || this.#pendingAck) return false;
    this.#pendingAck = ack;
    return true;
  }

  response(requestId: string, body: Buffer, contentType: string | undefined, handlerMs?: number): PostResult {
    const active = this.#activeFor(requestId);
    if (typeof active === 'string') return active;
    this.#complete(active, {
      outcome: 'success',
      payload: body,
      ...(contentType ? { contentType } : {}),
      ...(handlerMs === undefined ? {} : { handlerMs }),
    });
    return 'accepted';
  }

  streamedResponse(requestId: string, body: IncomingMessage): PostResult {
    const active = this.#activeFor(requestId);
    if (typeof active === 'string') return active;
    if (active.input.onStream) {
      active.input.onStream(this.#relay(active, body));
      return 'accepted';
    }
    // A plain Invoke receives the whole stream as one payload.
    void readBody(body, SYNC_RESPONSE_MAX_BYTES).then(({ body: bytes, truncated }) => {
      if (active.done) return;
      if (truncated) return void this.responseTooLarge(requestId);
      const type = body.trailers[HEADER_ERROR_TYPE];
      if (type) {
        const errBody = body.trailers[HEADER_ERROR_BODY];
        const payload = errBody ? Buffer.from(errBody, 'base64') : Buffer.from('{}');
        this.#complete(active, { outcome: 'error', errorType: type, payload });
      } else {
        const ct = body.headers['content-type'];
        this.#complete(active, { outcome: 'success', payload: bytes, ...(ct ? { contentType: ct } : {}) });
      }
    });
    return 'accepted';
  }

  #relay(active: Active, body: IncomingMessage): StreamedResponse {
    const relayed = relayStreamedResponse(body, STREAMED_RESPONSE_MAX_BYTES, (end) => {
      if (end.kind === 'ok') this.#complete(active, { outcome: 'success', payload: Buffer.alloc(0) });
      else if (end.kind === 'error') this.#complete(active, { outcome: 'error', ...end });
      else if (end.kind === 'too-large') {
        const payload = errorJson(
          'Function.ResponseSizeTooLarge',
          `Response payload size exceeded maximum allowed payload size (${STREAMED_RESPONSE_MAX_BYTES} bytes).`,
        );
        this.#complete(active, { outcome: 'error', errorType: 'Function.ResponseSizeTooLarge', payload });
      }
      // 'broken': the runtime went away mid-stream; its exit completes the invocation.
    });
    active.stream = relayed.body;
    return relayed;
  }

  responseTooLarge(requestId: string): PostResult {
    const active = this.#activeFor(requestId);
    if (typeof active === 'string') return active;
    const payload = errorJson(
      'Function.ResponseSizeTooLarge',
      `Response payload size exceeded maximum allowed payload size (${SYNC_RESPONSE_MAX_BYTES} bytes).`,
    );
    this.#complete(active, { outcome: 'error', errorType: 'Function.ResponseSizeTooLarge', payload });
    return 'accepted';
  }

  error(requestId: string, errorType: string, body: Buffer, handlerMs?: number): PostResult {
    const active = this.#activeFor(requestId);
    if (typeof active === 'string') return active;
    this.#complete(active, {
      outcome: 'error',
      errorType,
      payload: body,
      ...(handlerMs === undefined ? {} : { handlerMs }),
    });
    return 'accepted';
  }

  initError(errorType: string, body: Buffer): PostResult {
    if (this.#initSettled) return 'invalid-state';
    this.#settleInit({ kind: 'init-error', errorType, body });
    return 'accepted';
  }

  // ---- internals --------------------------------------------------------------------------

  #activeFor(requestId: string): Active | PostResult {
    const active = this.#active;
    if (!active || active.input.requestId !== requestId) return 'unknown-request';
    if (active.done) return 'invalid-state';
    return active;
  }

  #releaseAck(): void {
    const ack = this.#pendingAck;
    this.#pendingAck = undefined;
    ack?.();
  }

  #deliver(inv: DeliveredInvocation): void {
    this.#releaseAck();
    const waiter = this.#nextWaiter;
    if (waiter) {
      this.#nextWaiter = undefined;
      waiter(inv);
    } else {
      this.#queued = inv;
    }
  }

  #onLine(line: string): void {
    // Until the END line is written, late output still belongs to the invocation.
    if (this.#active) this.#active.log.write(line);
    else this.#writeUnattributed(line);
  }

  #writeUnattributed(message: string): void {
    this.o.logSink.write({
      functionName: this.o.identity.functionName,
      logStream: this.logStream,
      timestamp: this.o.clock.now(),
      message,
    });
  }

  #settleInitOk(): void {
    this.#initSettled = true;
    this.#initTimer?.cancel();
    if (this.#state === 'starting') this.#state = 'ready';
    this.#resolveInit({ ok: true, initMs: this.o.clock.monotonic() - this.#initStartMono });
  }

  #settleInit(failure: InitFailure): void {
    if (this.#initSettled) return;
    this.#initSettled = true;
    this.#initFailed = true;
    this.#initTimer?.cancel();
    this.#retired = true;
    this.#resolveInit({ ok: false, initMs: this.o.clock.monotonic() - this.#initStartMono, failure });
  }

  #onTimeout(): void {
    const active = this.#active;
    if (!active || active.done) return;
    this.#retired = true;
    const seconds = this.o.timeoutSeconds;
    const id = active.input.requestId;
    const line = this.#platform.timeout(id, seconds);
    if (line !== undefined) active.log.write(line);
    const payload = errorJson(
      'Sandbox.Timedout',
      `RequestId: ${id} Error: Task timed out after ${seconds.toFixed(2)} seconds`,
    );
    this.#readPeakMemory(true);
    this.#complete(active, { outcome: 'timeout', errorType: 'Sandbox.Timedout', payload }, seconds * 1000);
    this.#kill();
  }

  #onExit(info: ExitInfo): void {
    this.#exit = info;
    this.#retired = true;
    this.#settleInit({ kind: 'exit', exit: info });
    const active = this.#active;
    if (active && !active.done) {
      const { errorType, message } = exitError(info);
      const payload = errorJson(errorType, `RequestId: ${active.input.requestId} Error: ${message}`);
      active.log.write(`RequestId: ${active.input.requestId} Error: ${message}\n${errorType}`);
      this.#complete(active, { outcome: info.oomKilled ? 'oom' : 'crash', errorType, payload });
    } else if (this.#state !== 'busy') {
      this.#markStopped();
    }
    this.#release();
  }

  #complete(
    active: Active,
    r: {
      outcome: InvocationOutcomeKind;
      payload: Buffer;
      errorType?: string;
      contentType?: string;
      handlerMs?: number;
    },
    fixedDurationMs?: number,
  ): void {
    if (active.done) return;
    active.done = true;
    active.timer.cancel();
    // A timeout or crash mid-stream cuts the relayed body short; the consumer sees an error.
    if (active.stream && !active.stream.writableEnded) active.stream.destroy(new Error(r.errorType));
    const durationMs = fixedDurationMs ?? this.o.clock.monotonic() - active.startedMono;
    // Lines the runtime printed before answering may still sit in the pipe; let them arrive.
    setImmediate(() => {
      this.#readPeakMemory(r.outcome !== 'success');
      const memoryMb = this.o.identity.memoryMb;
      const maxMemoryMb =
        r.outcome === 'oom' ? memoryMb : Math.min(memoryMb, Math.ceil(this.#lastPeakBytes / 1_048_576));
      const billedMs = billedMilliseconds(durationMs, active.initMs);
      const id = active.input.requestId;
      const status = platformStatus(r.outcome);
      active.log.write(this.#platform.end(id, status, durationMs, r.errorType));
      active.log.write(
        this.#platform.report({
          requestId: id,
          durationMs,
          billedMs,
          memoryMb,
          maxMemoryMb,
          ...(active.initMs === undefined ? {} : { initDurationMs: active.initMs }),
          ...(status === 'success' ? {} : { status }),
          ...(r.errorType ? { errorType: r.errorType } : {}),
          ...(active.input.traceId ? { traceHeader: active.input.traceId } : {}),
        }),
      );
      if (this.#active === active) this.#active = undefined;
      this.#claimed = false;
      if (this.#retired) this.#markStopped();
      else if (this.#state === 'busy') this.#state = 'ready';
      active.resolve({
        requestId: id,
        outcome: r.outcome,
        payload: r.payload,
        ...(r.contentType ? { contentType: r.contentType } : {}),
        ...(r.errorType ? { errorType: r.errorType } : {}),
        startedAt: active.startedAt,
        durationMs,
        billedMs,
        ...(active.initMs === undefined ? {} : { initDurationMs: active.initMs }),
        cold: active.cold,
        maxMemoryMb,
        ...(r.handlerMs === undefined ? {} : { handlerMs: r.handlerMs }),
        logTail: active.log,
      });
    });
  }

  #initFailureResult(input: InvocationInput, initMs: number, failure: InitFailure): InvocationResult {
    const o = this.o;
    const id = input.requestId;
    const log = new InvocationLog(o.logSink, o.identity.functionName, this.logStream, id, o.clock.now);
    let errorType: string;
    let payload: Buffer;
    let outcome: InvocationOutcomeKind = 'init-error';
    if (failure.kind === 'init-error') {
      errorType = failure.errorType;
      payload = failure.body.length > 0 ? failure.body : errorJson(errorType, 'Init error');
    } else if (failure.kind === 'timeout') {
      errorType = 'Sandbox.Timedout';
      payload = errorJson(
        errorType,
        `RequestId: ${id} Error: Task timed out after ${failure.seconds.toFixed(2)} seconds`,
      );
      outcome = 'timeout';
    } else {
      const e = exitError(failure.exit);
      errorType = e.errorType;
      payload = errorJson(errorType, `RequestId: ${id} Error: ${e.message}`);
      outcome = failure.exit.oomKilled ? 'oom' : 'crash';
    }
    log.write(this.#platform.initError(initMs, errorType, o.identity.initializationType));
    log.write(this.#platform.start(id, o.identity.version));
    log.write(this.#platform.end(id, platformStatus(outcome), 0, errorType));
    const billedMs = billedMilliseconds(0, initMs);
    this.#readPeakMemory();
    const maxMemoryMb = Math.min(o.identity.memoryMb, Math.ceil(this.#lastPeakBytes / 1_048_576));
    log.write(
      this.#platform.report({
        requestId: id,
        durationMs: 0,
        billedMs,
        memoryMb: o.identity.memoryMb,
        maxMemoryMb,
        initDurationMs: initMs,
        status: platformStatus(outcome) === 'timeout' ? 'timeout' : 'error',
        errorType,
      }),
    );
    this.stop();
    return {
      requestId: id,
      outcome,
      payload,
      errorType,
      startedAt: o.clock.now(),
      durationMs: 0,
      billedMs,
      initDurationMs: initMs,
      cold: true,
      maxMemoryMb,
      logTail: log,
    };
  }

  /**
   * Peak memory comes from the executor (a /proc or cgroup read, tens of microseconds); under
   * load it is refreshed at most every {@link PEAK_MEMORY_REFRESH_MS}, and always on failures.
   */
  #readPeakMemory(force = false): void {
    const now = this.o.clock.monotonic();
    if (!force && now - this.#peakReadAt < PEAK_MEMORY_REFRESH_MS) return;
    this.#peakReadAt = now;
    const peak = this.#process?.peakMemoryBytes();
    if (peak !== undefined && peak > this.#lastPeakBytes) this.#lastPeakBytes = peak;
  }

  #kill(): void {
    this.#retired = true;
    this.#process?.kill();
  }

  /** No longer usable: tell the owner (the pool) once. */
  #markStopped(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#initTimer?.cancel();
    const cb = this.o.onStopped;
    this.o.onStopped = undefined;
    cb?.(this);
  }

  /** The process is gone: free the endpoint and whatever the executor set up. */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#server.close();
    this.o.executor.cleanup(this.id);
    this.#resolveClosed();
  }
}

const PEAK_MEMORY_REFRESH_MS = 50;
/** Streamed responses may exceed the buffered limit (lambda-reference §2.4: 200 MB). */
const STREAMED_RESPONSE_MAX_BYTES = 209_715_200;
const HEADER_ERROR_TYPE = 'lambda-runtime-function-error-type';
const HEADER_ERROR_BODY = 'lambda-runtime-function-error-body';

function platformStatus(outcome: InvocationOutcomeKind): PlatformStatus {
  return outcome === 'success' ? 'success' : outcome === 'timeout' ? 'timeout' : 'error';
}

function errorJson(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

function exitError(info: ExitInfo): { errorType: string; message: string } {
  const how = info.signal
    ? `signal: ${info.signal === 'SIGKILL' ? 'killed' : info.signal.replace(/^SIG/, '').toLowerCase()}`
    : `exit status ${info.code ?? 'unknown'}`;
  return {
    errorType: info.oomKilled ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
    message: `Runtime exited with error: ${how}`,
  };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
