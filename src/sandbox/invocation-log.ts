import { LOG_TAIL_BYTES } from '../domain/limits.js';
import type { LogSink } from './log-sink.js';

/**
 * The log of one invocation as it happens: every line goes to the sink (persisted logs) and the
 * last 4 KB are kept for `X-Amz-Log-Result`.
 */
export class InvocationLog {
  readonly #lines: string[] = [];
  #bytes = 0;

  constructor(
    private readonly sink: LogSink,
    private readonly functionName: string,
    private readonly logStream: string,
    readonly requestId: string,
    private readonly now: () => number,
  ) {}

  write(message: string): void {
    this.sink.write({
      functionName: this.functionName,
      logStream: this.logStream,
      requestId: this.requestId,
      timestamp: this.now(),
      message,
    });
    this.#lines.push(message);
    this.#bytes += Buffer.byteLength(message) + 1;
    while (this.#bytes > LOG_TAIL_BYTES * 2 && this.#lines.length > 1) {
      this.#bytes -= Buffer.byteLength(this.#lines.shift()!) + 1;
    }
  }

  /** The last 4 KB of the log, as the base64 `X-Amz-Log-Result` value. */
  tailBase64(): string {
    const all = Buffer.from(`${this.#lines.join('\n')}\n`);
    return all.subarray(Math.max(0, all.length - LOG_TAIL_BYTES)).toString('base64');
  }
}
