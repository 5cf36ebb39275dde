import type { Clock, Timer } from '../domain/clock.js';
import type { MeterSink } from '../invoke/invoke-service.js';
import type { LogSink, SandboxLogEvent } from '../sandbox/log-sink.js';
import type {
  InvocationRecord,
  InvocationStore,
  LogEvent,
  LogStore,
  ThrottleRecord,
} from '../store/ports.js';

export interface RecorderOptions {
  logs: LogStore;
  invocations: InvocationStore;
  clock: Clock;
  /** How long records may wait before they are written together. */
  flushIntervalMs: number;
  /** Log events held in memory at most; beyond it lines are dropped and counted. */
  maxPendingLogEvents: number;
  /** Bytes of log messages held in memory at most (a line can be 256 KB); beyond it likewise. */
  maxPendingLogBytes?: number;
  onError: (e: unknown) => void;
}

/**
 * Write-behind for the high-volume records (function log lines, metering): collected in memory
 * and written in one transaction every `flushIntervalMs`, so a busy function costs one commit per
 * interval instead of one per line. A function flooding its output cannot grow memory beyond
 * `maxPendingLogEvents` lines or `maxPendingLogBytes` of text; what is dropped is counted and
 * reported in its log. (Sandboxes also throttle how fast they hand output over.)
 */
export class Recorder implements LogSink, MeterSink {
  #logs: LogEvent[] = [];
  #logBytes = 0;
  #meters: InvocationRecord[] = [];
  #throttles: ThrottleRecord[] = [];
  #dropped = new Map<string, { count: number; logStream: string }>();
  #timer?: Timer;
  #flushing?: Promise<void>;
  #closed = false;

  constructor(private readonly o: RecorderOptions) {}

  write(e: SandboxLogEvent): void {
    const bytes = e.message.length;
    if (
      this.#logs.length >= this.o.maxPendingLogEvents ||
      this.#logBytes + bytes > (this.o.maxPendingLogBytes ?? DEFAULT_MAX_PENDING_LOG_BYTES)
    ) {
      const d = this.#dropped.get(e.functionName) ?? { count: 0, logStream: e.logStream };
      d.count++;
      this.#dropped.set(e.functionName, d);
    } else {
      this.#logs.push(e);
      this.#logBytes += bytes;
    }
    this.#schedule();
  }

  record(r: InvocationRecord): void {
    this.#meters.push(r);
    this.#schedule();
  }

  /** A throttled invocation: it never ran, but charts and alarms count it. */
  throttle(r: ThrottleRecord): void {
    this.#throttles.push(r);
    this.#schedule();
  }

  /** Writes everything pending now. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (
      this.#logs.length === 0 &&
      this.#meters.length === 0 &&
      this.#throttles.length === 0 &&
      this.#dropped.size === 0
    )
      return;
    const logs = this.#logs;
    const meters = this.#meters;
    const throttles = this.#throttles;
    this.#logs = [];
    this.#logBytes = 0;
    this.#meters = [];
    this.#throttles = [];
    for (const [functionName, d] of this.#dropped) {
      logs.push({
        functionName,
        logStream: d.logStream,
        timestamp: this.o.clock.now(),
        message: `[nimbus] ${d.count} log lines dropped: the function wrote faster than logs can be stored`,
      });
    }
    this.#dropped.clear();
    this.#flushing = (async () => {
      try {
        await this.o.logs.append(logs);
        await this.o.invocations.append(meters);
        await this.o.invocations.appendThrottles(throttles);
      } catch (e) {
        this.o.onError(e);
      }
    })();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = this.o.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.o.flushIntervalMs);
  }
}

/** 64 MiB of pending log text (UTF-16 code units, close enough to bytes for a bound). */
const DEFAULT_MAX_PENDING_LOG_BYTES = 64 * 1_048_576;
