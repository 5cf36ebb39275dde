import type { Readable } from 'node:stream';
import type { Clock, Timer } from '../domain/clock.js';

/**
 * Bounds how fast the server takes a sandbox's output (a token bucket over bytes). A function
 * printing at full speed would otherwise keep the server's one thread splitting and storing its
 * lines, at the expense of every other function. Past the budget the pipes are paused: the
 * kernel's pipe buffer fills, the function's writes block (Node writes to pipes synchronously),
 * and it runs at the rate the platform takes its output, or into its timeout. Nothing is lost
 * and nothing accumulates in the server.
 */
export class OutputThrottle {
  #tokens: number;
  #last: number;
  #paused = false;
  #timer?: Timer;

  constructor(
    private readonly clock: Clock,
    private readonly streams: Readable[],
    private readonly bytesPerSecond = OUTPUT_BYTES_PER_SECOND,
    private readonly burstBytes = OUTPUT_BURST_BYTES,
  ) {
    this.#tokens = burstBytes;
    this.#last = clock.monotonic();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Accounts for `bytes` just read; pauses the streams when the budget is spent. */
  consumed(bytes: number): void {
    this.#refill();
    this.#tokens -= bytes;
    if (this.#tokens >= 0 || this.#paused) return;
    this.#paused = true;
    for (const s of this.streams) s.pause();
    const waitMs = Math.ceil((-this.#tokens / this.bytesPerSecond) * 1000);
    this.#timer = this.clock.setTimeout(() => this.#resume(), waitMs);
  }

  /** The process is gone: let what is left in the pipes drain, so they close. */
  stop(): void {
    this.#timer?.cancel();
    if (this.#paused) this.#resume();
  }

  #resume(): void {
    this.#paused = false;
    this.#refill();
    for (const s of this.streams) s.resume();
  }

  #refill(): void {
    const now = this.clock.monotonic();
    this.#tokens = Math.min(
      this.burstBytes,
      this.#tokens + ((now - this.#last) / 1000) * this.bytesPerSecond,
    );
    this.#last = now;
  }
}

/** Sustained output a sandbox may send the server (4 MiB/s), and how much it may send at once. */
export const OUTPUT_BYTES_PER_SECOND = 4 * 1_048_576;
export const OUTPUT_BURST_BYTES = 16 * 1_048_576;
